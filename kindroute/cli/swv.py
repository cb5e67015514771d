"""``kindroute board``, ``partners`` and ``plusklas``: the verbeterbord, the sociale kaart and
Plus-klas places on the command line."""

from __future__ import annotations

from typing import Any

import click

from kindroute.cli.common import Run, common_options, emit_json, nl_date, table

FORMAT = click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table",
                      show_default=True)
FORMAT_ONE = click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text",
                          show_default=True)


def _run(db: str | None, as_: str | None, route: str | None) -> Run:
    return Run(db, as_, route)


# ----------------------------------------------------------------------------- board
def _print_actions(rows: list[Any], fmt: str) -> None:
    if fmt == "json":
        emit_json([r.to_json() for r in rows])
        return
    from kindroute.services.board import STATUSES

    click.echo(table(
        ["nr", "status", "actie", "doel", "eigenaar", "klaar op", "bord"],
        [[str(r.id), STATUSES[r.status] + (" (te laat)" if r.overdue else ""), r.action, r.goal,
          r.owner or "—", nl_date(r.due_on), r.school or "SWV"] for r in rows]))


def _print_action(row: Any, fmt: str, verb: str) -> None:
    if fmt == "json":
        emit_json(row.to_json())
    else:
        click.echo(f"Verbeteractie {row.id} {verb}: {row.action} ({row.status}).")


@click.group("board")
def board_group() -> None:
    """Verbeterbord: verbeteracties van de school of het SWV (idee, doen, bezig, klaar)."""


@board_group.command("list")
@click.option("--school", default=None, help="Alleen het bord van deze school ('swv': dat van het SWV).")
@click.option("--status", default=None, help="Alleen acties met deze status.")
@FORMAT
@common_options()
def board_list(school: str | None, status: str | None, fmt: str, db: str | None, as_: str | None,
               route: str | None) -> None:
    """De verbeteracties, per status en op datum."""
    run = _run(db, as_, route)
    try:
        _print_actions(run.services.board.list(run.actor(write=False), school=school, status=status), fmt)
    finally:
        run.close()


@board_group.command("add")
@click.argument("action")
@click.option("--goal", default="", help="Het doel waar de actie aan bijdraagt.")
@click.option("--owner", default=None, metavar="PERSOON", help="Wie de actie trekt.")
@click.option("--due", default=None, metavar="DATUM", help="Klaar op (JJJJ-MM-DD of D-M-JJJJ).")
@click.option("--school", default=None, help="Bord van deze school (standaard: het SWV).")
@click.option("--step", default=None, help="Stap van de route die de actie verbetert.")
@click.option("--status", default="idee", show_default=True)
@FORMAT
@common_options()
def board_add(action: str, goal: str, owner: str | None, due: str | None, school: str | None,
              step: str | None, status: str, fmt: str, db: str | None, as_: str | None,
              route: str | None) -> None:
    """Een nieuwe verbeteractie."""
    run = _run(db, as_, route)
    try:
        row = run.services.board.add(run.actor(write=True), action, goal=goal, owner=owner, due=due,
                                     school=school, step=step, status=status)
        _print_action(row, fmt, "toegevoegd")
    finally:
        run.close()


@board_group.command("move")
@click.argument("action_id", type=int)
@click.argument("status")
@FORMAT
@common_options()
def board_move(action_id: int, status: str, fmt: str, db: str | None, as_: str | None,
               route: str | None) -> None:
    """Zet een verbeteractie in een andere kolom (idee, doen, bezig, klaar)."""
    run = _run(db, as_, route)
    try:
        _print_action(run.services.board.move(run.actor(write=True), action_id, status), fmt, "verplaatst")
    finally:
        run.close()


@board_group.command("done")
@click.argument("action_id", type=int)
@click.option("--success", default="", help="Wat de actie opleverde (het succes).")
@FORMAT
@common_options()
def board_done(action_id: int, success: str, fmt: str, db: str | None, as_: str | None,
               route: str | None) -> None:
    """Markeer een verbeteractie als klaar."""
    run = _run(db, as_, route)
    try:
        row = run.services.board.done(run.actor(write=True), action_id, success=success)
        _print_action(row, fmt, "klaar")
    finally:
        run.close()


@board_group.command("retro")
@click.option("--well", "went_well", required=True, help="Wat ging goed.")
@click.option("--better", "can_be_better", required=True, help="Wat kan beter.")
@click.option("--actions", default="", help="Afgesproken acties.")
@click.option("--on", "held_on", default=None, metavar="DATUM", help="Datum (standaard vandaag).")
@click.option("--school", default=None, help="Retrospectief van deze school (standaard: het SWV).")
@FORMAT
@common_options()
def board_retro(went_well: str, can_be_better: str, actions: str, held_on: str | None, school: str | None,
                fmt: str, db: str | None, as_: str | None, route: str | None) -> None:
    """Leg een retrospectief vast: wat ging goed, wat kan beter, acties."""
    run = _run(db, as_, route)
    try:
        row = run.services.board.add_retro(run.actor(write=True), went_well=went_well,
                                           can_be_better=can_be_better, actions=actions, held_on=held_on,
                                           school=school)
        if fmt == "json":
            emit_json(row.to_json())
        else:
            click.echo(f"Retrospectief {row.id} van {nl_date(row.held_on)} vastgelegd.")
    finally:
        run.close()


# ----------------------------------------------------------------------------- partners
@click.group("partners", invoke_without_command=True)
@click.option("--school", default=None, help="Alleen partners van deze school.")
@click.option("--kind", default=None, help="Alleen deze soort (jeugdhulp, ggd, smw, …).")
@FORMAT
@common_options()
@click.pass_context
def partners_group(ctx: click.Context, school: str | None, kind: str | None, fmt: str, db: str | None,
                   as_: str | None, route: str | None) -> None:
    """Sociale kaart: partnerorganisaties rond de scholen ('partners list', 'add', 'show')."""
    if ctx.invoked_subcommand is None:
        ctx.invoke(partners_list, school=school, kind=kind, fmt=fmt, db=db, as_=as_, route=route)


@partners_group.command("list")
@click.option("--school", default=None, help="Alleen partners van deze school.")
@click.option("--kind", default=None, help="Alleen deze soort (jeugdhulp, ggd, smw, …).")
@FORMAT
@common_options()
def partners_list(school: str | None, kind: str | None, fmt: str, db: str | None, as_: str | None,
                  route: str | None) -> None:
    """De partners, per soort."""
    run = _run(db, as_, route)
    try:
        rows = run.services.partners.list(run.actor(write=False), school=school, kind=kind)
        if fmt == "json":
            emit_json([r.to_json() for r in rows])
            return
        click.echo(table(["nr", "soort", "naam", "contact", "bereikbaar", "scholen"],
                         [[str(r.id), r.kind_label, r.name, r.contact or "—", r.reach or "—",
                           ", ".join(r.schools) or "—"] for r in rows]))
    finally:
        run.close()


@partners_group.command("add")
@click.argument("name")
@click.option("--kind", required=True, help="jeugdhulp, wijkteam, ggd, smw, kinderopvang, so_school, …")
@click.option("--contact", default="", help="Contactpersoon.")
@click.option("--reach", default="", help="Hoe bereikbaar: telefoon, e-mail.")
@click.option("--meetings", default="", help="Afgesproken overlegmomenten.")
@click.option("--school", "schools", multiple=True, help="Een school die zij bedienen (herhaalbaar).")
@click.option("--person", "people", multiple=True,
              help="Een persoon in kindroute die er werkt (herhaalbaar).")
@FORMAT_ONE
@common_options()
def partners_add(name: str, kind: str, contact: str, reach: str, meetings: str, schools: tuple[str, ...],
                 people: tuple[str, ...], fmt: str, db: str | None, as_: str | None,
                 route: str | None) -> None:
    """Een partner op de sociale kaart zetten."""
    run = _run(db, as_, route)
    try:
        row = run.services.partners.add(run.actor(write=True), name, kind=kind, contact=contact, reach=reach,
                                        meetings=meetings, schools=schools, people=people)
        if fmt == "json":
            emit_json(row.to_json())
        else:
            click.echo(f"Partner {row.id} toegevoegd: {row.name} ({row.kind_label}).")
    finally:
        run.close()


@partners_group.command("show")
@click.argument("partner")
@FORMAT_ONE
@common_options()
def partners_show(partner: str, fmt: str, db: str | None, as_: str | None, route: str | None) -> None:
    """Eén partner: contact, bereikbaarheid, overleg, scholen en personen."""
    run = _run(db, as_, route)
    try:
        run.actor(write=False)
        row = run.services.partners.show(partner)
        if fmt == "json":
            emit_json(row.to_json())
            return
        for label, value in (("Naam", row.name), ("Soort", row.kind_label), ("Contact", row.contact),
                             ("Bereikbaar", row.reach), ("Overleg", row.meetings),
                             ("Scholen", ", ".join(row.schools)), ("Personen", ", ".join(row.people))):
            click.echo(f"{label + ':':12} {value or '—'}")
    finally:
        run.close()


# ----------------------------------------------------------------------------- plusklas
def _print_placement(row: Any, fmt: str) -> None:
    if fmt == "json":
        emit_json(row.to_json())
    elif row.status == "geplaatst":
        click.echo(f"Casus {row.case_id} geplaatst in {row.location} vanaf {nl_date(row.start_on)}.")
    elif row.status == "wachtend":
        click.echo(f"Geen plaats vrij in {row.location}: casus {row.case_id} staat op de wachtlijst "
                   f"(plaats {row.position}).")
    else:
        click.echo(f"Casus {row.case_id}: plaatsing in {row.location} beëindigd op {nl_date(row.end_on)}.")


@click.group("plusklas", invoke_without_command=True)
@click.pass_context
def plusklas_group(ctx: click.Context) -> None:
    """Plus-klas: locaties, plaatsingen en de wachtlijst ('plusklas list', 'add', 'place', 'leave')."""
    if ctx.invoked_subcommand is None:
        ctx.invoke(plusklas_list)


@plusklas_group.command("list")
@FORMAT
@common_options()
def plusklas_list(fmt: str = "table", db: str | None = None, as_: str | None = None,
                  route: str | None = None) -> None:
    """Locaties met bezetting, plaatsingen en wachtlijst."""
    run = _run(db, as_, route)
    try:
        rows = run.services.plusklas.list(run.actor(write=False))
        if fmt == "json":
            emit_json([r.to_json() for r in rows])
            return
        click.echo(table(["nr", "locatie", "dagen", "plaatsen", "bezet", "vrij", "wachtlijst", "scholen"],
                         [[str(r.id), r.name, r.days or "—", str(r.places), str(r.occupied), str(r.free),
                           str(r.waiting), ", ".join(_served(s) for s in r.serves)] for r in rows]))
        for r in rows:
            for p in r.placements:
                where = "geplaatst" if p.position is None else f"wachtlijst {p.position}"
                click.echo(f"  {r.name}: casus {p.case_id} {p.pupil or ''} ({p.school}) — {where}, "
                           f"aangevraagd {nl_date(p.requested_on)}")
    finally:
        run.close()


@plusklas_group.command("add")
@click.argument("name")
@click.option("--places", type=int, required=True, help="Aantal plaatsen.")
@click.option("--school", default=None, help="De school waar de Plus-klas zit.")
@click.option("--days", default="", help="Dagen, bv. 'di do'.")
@click.option("--serves", multiple=True, metavar="SCHOOL[:MINUTEN[:KM]]",
              help="Een school die de locatie bedient, met reistijd en afstand (herhaalbaar).")
@FORMAT_ONE
@common_options()
def plusklas_add(name: str, places: int, school: str | None, days: str, serves: tuple[str, ...], fmt: str,
                 db: str | None, as_: str | None, route: str | None) -> None:
    """Een Plus-klaslocatie toevoegen."""
    from kindroute.errors import InvalidInput

    pairs: list[tuple[str, int | None, float | None]] = []
    for item in serves:
        key, *numbers = item.split(":")
        minutes, km = (numbers + ["", ""])[:2]
        if minutes and not minutes.strip().isdigit():
            raise InvalidInput(f"--serves '{item}': reistijd moet een geheel aantal minuten zijn.")
        try:
            distance = float(km.replace(",", ".")) if km else None
        except ValueError:
            raise InvalidInput(f"--serves '{item}': afstand moet een getal (km) zijn.") from None
        pairs.append((key.strip(), int(minutes) if minutes else None, distance))
    run = _run(db, as_, route)
    try:
        row = run.services.plusklas.add_location(run.actor(write=True), name, places=places, school=school,
                                                 days=days, serves=pairs)
        if fmt == "json":
            emit_json(row.to_json())
        else:
            click.echo(f"Plus-klaslocatie {row.id} toegevoegd: {row.name}, {row.places} plaatsen.")
    finally:
        run.close()


@plusklas_group.command("place")
@click.argument("case_id", type=int)
@click.option("--location", required=True, help="Locatie (naam of nummer).")
@click.option("--start", default=None, metavar="DATUM", help="Startdatum (standaard vandaag).")
@click.option("--days", default="", help="Dagen van de leerling, bv. 'di'.")
@click.option("--requested", default=None, metavar="DATUM", help="Aangevraagd op (standaard vandaag).")
@FORMAT_ONE
@common_options()
def plusklas_place(case_id: int, location: str, start: str | None, days: str, requested: str | None,
                   fmt: str, db: str | None, as_: str | None, route: str | None) -> None:
    """Plaats een casus; is er geen plaats vrij, dan komt zij op de wachtlijst."""
    run = _run(db, as_, route)
    try:
        _print_placement(run.services.plusklas.place(run.actor(write=True), case_id, location, start=start,
                                                     days=days, requested=requested), fmt)
    finally:
        run.close()


@plusklas_group.command("leave")
@click.argument("case_id", type=int)
@click.option("--on", default=None, metavar="DATUM", help="Einddatum (standaard vandaag).")
@FORMAT_ONE
@common_options()
def plusklas_leave(case_id: int, on: str | None, fmt: str, db: str | None, as_: str | None,
                   route: str | None) -> None:
    """Beëindig de plaatsing van een casus (of haal haar van de wachtlijst)."""
    run = _run(db, as_, route)
    try:
        _print_placement(run.services.plusklas.leave(run.actor(write=True), case_id, on=on), fmt)
    finally:
        run.close()


def register(main: click.Group) -> None:
    for cmd in (board_group, partners_group, plusklas_group):
        main.add_command(cmd)


def _served(s: Any) -> str:
    """A served school with its travel time and distance when known."""
    extra = [f"{s.travel_minutes} min" if s.travel_minutes else "",
             f"{s.distance_km:g} km" if s.distance_km else ""]
    extra = [e for e in extra if e]
    return s.school + (f" ({', '.join(extra)})" if extra else "")
