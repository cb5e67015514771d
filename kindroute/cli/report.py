"""``kindroute report``: the monitor of the SWV on the command line."""

from __future__ import annotations

import click

from kindroute.cli.common import Run, common_options


@click.command("report")
@click.option("--school", default=None, metavar="SCHOOL", help="Alleen deze school (naam, BRIN of nummer).")
@click.option("--from", "from_", default=None, metavar="DATUM",
              help="Begin van de periode (standaard: 12 maanden terug).")
@click.option("--to", "to", default=None, metavar="DATUM", help="Eind van de periode (standaard: vandaag).")
@click.option("--format", "fmt", type=click.Choice(["table", "json", "csv", "md", "html"]), default="table",
              show_default=True)
@common_options()
def report_cmd(school: str | None, from_: str | None, to: str | None, fmt: str, db: str | None,
               as_: str | None, route: str | None) -> None:
    """Monitor: casussen per stap, per school en per maand, doorlooptijden en Plus-klasplaatsen.

    U ziet alleen wat u mag zien; buiten de school staan aantallen onder de 5 als <5.
    """
    from kindroute.services.report_format import render

    run = Run(db, as_, route)
    try:
        actor = run.actor(write=False)
        report = run.services.report(actor, school=school, from_=from_, to=to)
        click.echo(render(report, fmt), nl=fmt in ("table", "json"))
    finally:
        run.close()


def register(main: click.Group) -> None:
    main.add_command(report_cmd)
