"""``kindroute import pupils``: pupils from the school's administration (ParnasSys-style or simple CSV)."""

from __future__ import annotations

import sys
from typing import Any

import click

from kindroute.cli.common import Run, common_options

#: From this many rows to write, a progress bar shows on a terminal.
PROGRESS_FROM = 200
SHOW_ROWS = 50


@click.command("pupils", short_help="Leerlingen inlezen (ParnasSys-export of eenvoudige CSV).")
@click.argument("file", metavar="BESTAND", type=click.Path(dir_okay=False))
@click.option("--school", required=True, help="School (naam, BRIN of nummer).")
@click.option("--dry-run", is_flag=True, help="Alleen laten zien wat er zou gebeuren; niets opslaan.")
@common_options()
def import_pupils(file: str, school: str, dry_run: bool, db: str | None, as_: str | None,
                  route: str | None) -> None:
    """Lees leerlingen in: een ParnasSys-export of een CSV met naam,geboortedatum,groep.

    Herkent Achternaam, Voorvoegsel, Roepnaam, Geboortedatum, Groep en Stamgroep; ';' of ',';
    UTF-8 of Windows-1252. Bestaande leerlingen (naam, geboortedatum, school) worden bijgewerkt.
    Alles of niets: bij één geweigerde regel wordt niets opgeslagen.
    """
    from kindroute.errors import InvalidInput
    from kindroute.services.pupil_import import import_pupils as run_import

    run = Run(db, as_, route)
    bar: list[Any] = []

    def progress(done: int, total: int) -> None:
        if total < PROGRESS_FROM or not sys.stdout.isatty():
            return
        if not bar:
            bar.append(click.progressbar(length=total, label="Leerlingen opslaan"))
            bar[0].__enter__()
        bar[0].update(done - bar[0].pos)

    try:
        actor = run.actor(write=True)
        try:
            report = run_import(run.services, actor, school, file, dry_run=dry_run, progress=progress)
        finally:
            if bar:
                bar[0].__exit__(None, None, None)
        _print(report)
        if report.refused:
            shown = [f"  - {r}" for r in report.refused[:SHOW_ROWS]]
            if len(report.refused) > SHOW_ROWS:
                shown.append(f"  … en nog {len(report.refused) - SHOW_ROWS}")
            raise InvalidInput(f"{file} is niet ingelezen: {len(report.refused)} regel(s) geweigerd; er is "
                               "niets opgeslagen. Pas het bestand aan en probeer opnieuw:\n"
                               + "\n".join(shown))
    finally:
        run.close()


def _print(report: Any) -> None:
    click.echo(f"{report.path} ({report.kind}, {len(report.rows) + len(report.refused)} regels) voor "
               f"{report.school}:")
    click.echo(f"  nieuw:        {len(report.new)}")
    click.echo(f"  bijgewerkt:   {len(report.updated)}")
    click.echo(f"  ongewijzigd:  {len(report.unchanged)}")
    click.echo(f"  geweigerd:    {len(report.refused)}")
    if report.dry_run or report.refused:
        for row in report.new[:SHOW_ROWS]:
            click.echo(f"  + regel {row.line}: {row.name}, groep {row.group}"
                       + (f" ({row.remark})" if row.remark else ""))
        for row, old in report.updated[:SHOW_ROWS]:
            click.echo(f"  ~ regel {row.line}: {row.name}, groep {old} → {row.group}")
    else:
        for row in [*report.new, *(r for r, _ in report.updated)]:
            if row.remark:
                click.echo(f"  regel {row.line}: {row.name}: {row.remark}")
    if report.dry_run:
        click.echo("Proefdraai (--dry-run): er is niets opgeslagen.")
    elif report.written:
        click.echo(f"{len(report.new)} leerling(en) ingelezen, {len(report.updated)} bijgewerkt, "
                   f"{len(report.unchanged)} ongewijzigd.")


def register(main: click.Group) -> None:
    """Put ``pupils`` in the ``import`` group (replacing a simpler one of the same name)."""
    group = main.commands.get("import")
    if not isinstance(group, click.Group):
        group = click.Group("import", help="Gegevens inlezen.")
        main.add_command(group)
    group.add_command(import_pupils)
