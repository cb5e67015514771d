"""``kindroute meeting …``: a bespreking from the command line — new, agenda, items, close, verslag."""

from __future__ import annotations

import sys

import click

from kindroute.cli.common import Run, common_options, emit_json, nl_moment, table

KIND_CHOICE = click.Choice(["groepsbespreking", "leerlingbespreking", "mdo", "oudergesprek", "overdracht"])


@click.group("meeting")
def meeting_group() -> None:
    """Besprekingen: leerlingbespreking, MDO, oudergesprek … met agenda en verslag."""


@meeting_group.command("new")
@click.option("--kind", "kind", type=KIND_CHOICE, required=True, help="Soort bespreking.")
@click.option("--date", "when", required=True, metavar="DATUM",
              help="Datum (en tijd): 2026-11-23 of '2026-11-23 14:30'.")
@click.option("--school", metavar="SCHOOL", help="School (naam, BRIN of nummer); standaard de uwe.")
@click.option("--attendee", "attendees", multiple=True, metavar="PERSOON",
              help="Aanwezige (naam of nummer; 'ouders:Naam' voor een ouder). Herhaalbaar.")
@common_options()
def meeting_new(kind: str, when: str, school: str | None, attendees: tuple[str, ...], db: str | None,
                as_: str | None, route: str | None) -> None:
    """Een nieuwe bespreking; u bent de voorzitter. Drukt het nummer af."""
    run = Run(db, as_, route)
    try:
        actor = run.actor(write=True)
        click.echo(run.services.meetings.create(actor, kind, when, school=school, attendees=attendees))
    finally:
        run.close()


@meeting_group.command("add")
@click.argument("meeting_id", type=int, metavar="ID")
@click.argument("cases", type=int, nargs=-1, required=True, metavar="CASUS…")
@common_options()
def meeting_add(meeting_id: int, cases: tuple[int, ...], db: str | None, as_: str | None,
                route: str | None) -> None:
    """Casussen op de agenda zetten (achteraan, in deze volgorde)."""
    run = Run(db, as_, route)
    try:
        actor = run.actor(write=True)
        added, there = run.services.meetings.add_cases(actor, meeting_id, cases)
        extra = f" ({there} stond(en) er al op)" if there else ""
        click.echo(f"Bespreking {meeting_id}: {added} casus(sen) op de agenda gezet{extra}.")
    finally:
        run.close()


@meeting_group.command("item")
@click.argument("meeting_id", type=int, metavar="ID")
@click.argument("case_id", type=int, metavar="CASUS")
@click.option("--conclusion", help="Conclusie (meerdere regels mag).")
@click.option("--notes", help="Notities bij dit agendapunt.")
@click.option("--parents-view", help="De visie van de ouders.")
@click.option("--pupil-view", help="De visie van de leerling.")
@click.option("--discussed/--not-discussed", default=None,
              help="Besproken, of: niet aan toegekomen.")
@common_options()
def meeting_item(meeting_id: int, case_id: int, conclusion: str | None, notes: str | None,
                 parents_view: str | None, pupil_view: str | None, discussed: bool | None,
                 db: str | None, as_: str | None, route: str | None) -> None:
    """Conclusie, notities of visies bij één agendapunt vastleggen."""
    run = Run(db, as_, route)
    try:
        actor = run.actor(write=True)
        run.services.meetings.update_item(actor, meeting_id, case_id, discussed=discussed,
                                          conclusion=conclusion, notes=notes, parents_view=parents_view,
                                          pupil_view=pupil_view)
        click.echo(f"Bespreking {meeting_id}, casus {case_id}: vastgelegd.")
    finally:
        run.close()


@meeting_group.command("agreement")
@click.argument("meeting_id", type=int, metavar="ID")
@click.argument("case_id", type=int, metavar="CASUS")
@click.argument("what")
@click.option("--who", metavar="PERSOON", help="Wie het doet: naam of nummer, of 'ouders'.")
@click.option("--due", metavar="JJJJ-MM-DD", help="Uiterlijk op.")
@common_options()
def meeting_agreement(meeting_id: int, case_id: int, what: str, who: str | None, due: str | None,
                      db: str | None, as_: str | None, route: str | None) -> None:
    """Een afspraak die in de bespreking is gemaakt (wie, wat, vóór wanneer)."""
    run = Run(db, as_, route)
    try:
        actor = run.actor(write=True)
        g = run.services.meetings.add_agreement(actor, meeting_id, case_id, what, who=who, due_on=due)
        click.echo(f"Bespreking {meeting_id}, casus {case_id}: afspraak #{g.id} vastgelegd.")
    finally:
        run.close()


@meeting_group.command("close")
@click.argument("meeting_id", type=int, metavar="ID")
@common_options()
def meeting_close(meeting_id: int, db: str | None, as_: str | None, route: str | None) -> None:
    """De bespreking sluiten; daarna kan alleen nog een aanvulling."""
    run = Run(db, as_, route)
    try:
        actor = run.actor(write=True)
        s = run.services.meetings.close(actor, meeting_id)
        click.echo(f"Bespreking {meeting_id} gesloten ({s.items} casus(sen) op de agenda).")
    finally:
        run.close()


@meeting_group.command("addendum")
@click.argument("meeting_id", type=int, metavar="ID")
@click.argument("text")
@common_options()
def meeting_addendum(meeting_id: int, text: str, db: str | None, as_: str | None, route: str | None) -> None:
    """Een aanvulling op het verslag (ook na het sluiten; met datum en naam)."""
    run = Run(db, as_, route)
    try:
        actor = run.actor(write=True)
        run.services.meetings.add_addendum(actor, meeting_id, text)
        click.echo(f"Bespreking {meeting_id}: aanvulling toegevoegd.")
    finally:
        run.close()


@meeting_group.command("list")
@click.option("--open", "open_only", is_flag=True, help="Alleen open besprekingen.")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@common_options()
def meeting_list(open_only: bool, fmt: str, db: str | None, as_: str | None, route: str | None) -> None:
    """Besprekingen die u mag zien: open eerst, dan de nieuwste."""
    run = Run(db, as_, route)
    try:
        actor = run.actor(write=False)
        rows = run.services.meetings.list(actor, open_only=open_only)
        if fmt == "json":
            emit_json([{"id": m.id, "kind": m.kind, "date": m.held_at.isoformat(timespec="minutes"),
                        "school": m.school, "status": m.status, "chair": m.chair, "items": m.items}
                       for m in rows])
            return
        if not rows:
            click.echo("Geen besprekingen.")
            return
        status = {"open": "open", "closed": "gesloten"}
        click.echo(table(["Nr", "Soort", "Datum", "School", "Voorzitter", "Casussen", "Status"],
                         [[str(m.id), m.kind_label, nl_moment(m.held_at), m.school or "—", m.chair,
                           str(m.items), status.get(m.status, m.status)] for m in rows]))
    finally:
        run.close()


@meeting_group.command("show")
@click.argument("meeting_id", type=int, metavar="ID")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "md", "html"]), default="text",
              show_default=True)
@common_options()
def meeting_show(meeting_id: int, fmt: str, db: str | None, as_: str | None, route: str | None) -> None:
    """Het verslag van een bespreking: alleen wat u mag zien."""
    run = Run(db, as_, route)
    try:
        actor = run.actor(write=False)
        mt = run.services.meetings
        if fmt == "json":
            emit_json(mt.view(actor, meeting_id).to_json())
            return
        click.echo(mt.render(actor, meeting_id, fmt), nl=False)
    finally:
        run.close()


@meeting_group.command("export")
@click.argument("meeting_id", type=int, metavar="ID")
@click.option("--format", "fmt", type=click.Choice(["md", "html", "pdf"]), required=True)
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False, writable=True),
              metavar="BESTAND", help="Het bestand (alleen voor u leesbaar).")
@common_options()
def meeting_export(meeting_id: int, fmt: str, out: str, db: str | None, as_: str | None,
                   route: str | None) -> None:
    """Het verslag naar een bestand (Markdown, HTML of PDF), alleen wat u mag zien."""
    run = Run(db, as_, route)
    try:
        actor = run.actor(write=True)
        path = run.services.meetings.export(actor, meeting_id, fmt, out)
        click.echo(f"Verslag van bespreking {meeting_id} geschreven naar {path}.", file=sys.stderr)
    finally:
        run.close()


def register(main: click.Group) -> None:
    main.add_command(meeting_group)


