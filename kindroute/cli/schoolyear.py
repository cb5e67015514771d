"""``kindroute schoolyear start YEAR`` and ``kindroute schoolyear undo``: a school moves up a year."""

from __future__ import annotations

from typing import Any

import click

from kindroute.cli.common import Run, common_options, nl_date


@click.group("schoolyear")
def schoolyear_group() -> None:
    """Een nieuw schooljaar: groepen omhoog, groep 8 vertrekt (en terugdraaien)."""


@schoolyear_group.command("start", short_help="Start een schooljaar: groepen omhoog, groep 8 vertrekt.")
@click.argument("year", metavar="JAAR")
@click.option("--school", default=None, help="School (naam, BRIN of nummer); standaard uw eigen school.")
@click.option("--dry-run", is_flag=True, help="Alleen laten zien wat er zou gebeuren; niets opslaan.")
@common_options()
def schoolyear_start(year: str, school: str | None, dry_run: bool, db: str | None, as_: str | None,
                     route: str | None) -> None:
    """Start schooljaar JAAR (bijv. 2026 of 2026-2027): elke leerling gaat een groep omhoog.

    Leerlingen uit groep 8 verlaten de school vandaag (de bewaartermijn begint); open casussen
    blijven open en krijgen een notitie. Terugdraaien kan met 'kindroute schoolyear undo' tot
    de eerste wijziging daarna.
    """
    from kindroute.services.school_year import start_school_year

    run = Run(db, as_, route)
    try:
        report = start_school_year(run.services, run.actor(write=True), year, school=school, dry_run=dry_run)
        _print(report)
    finally:
        run.close()


@schoolyear_group.command("undo")
@click.option("--school", default=None, help="School (naam, BRIN of nummer); standaard uw eigen school.")
@common_options()
def schoolyear_undo(school: str | None, db: str | None, as_: str | None, route: str | None) -> None:
    """Draai de laatste schooljaarovergang terug (kan tot de eerste wijziging daarna)."""
    from kindroute.services.school_year import undo_school_year

    run = Run(db, as_, route)
    try:
        _print(undo_school_year(run.services, run.actor(write=True), school=school))
    finally:
        run.close()


def _print(report: Any) -> None:
    moved = sum(report.moved.values())
    if report.undone:
        click.echo(f"Schooljaar {report.label} van {report.school} is teruggedraaid: {moved} leerling(en) "
                   f"weer in hun oude groep, {len(report.left)} uit groep 8 weer op school, "
                   f"{report.cases_noted} notitie(s) verwijderd.")
        return
    head = "Proefdraai (--dry-run), er is niets opgeslagen" if report.dry_run else "Gestart"
    click.echo(f"{head}: schooljaar {report.label} voor {report.school}.")
    for group in sorted(report.moved):
        click.echo(f"  groep {group} → {group + 1}: {report.moved[group]} leerling(en)")
    click.echo(f"  groep 8 verlaat de school op {nl_date(report.left_on)}: {len(report.left)} leerling(en)")
    for name in report.left:
        click.echo(f"    {name}")
    click.echo(f"  open casussen met een notitie: {report.cases_noted} (ze blijven open)")
    if not report.dry_run:
        click.echo("Terugdraaien: kindroute schoolyear undo (kan tot de eerste wijziging hierna).")


def register(main: click.Group) -> None:
    main.add_command(schoolyear_group)
