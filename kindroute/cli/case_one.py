"""``kindroute case …``: one case — show it, open it, take a step, and the work around it."""

from __future__ import annotations

from typing import Any

import click

from kindroute.cli.case_output import detail_text
from kindroute.cli.common import FORMATS_ONE, Run, common_options, emit_json, nl_date


@click.group("case")
def case_group() -> None:
    """Eén casus bekijken en bijwerken."""


@case_group.command("show")
@click.argument("case_id", type=int, metavar="ID")
@click.option("--format", "fmt", type=FORMATS_ONE, default="text", show_default=True)
@common_options()
def case_show(case_id: int, fmt: str, db: str | None, as_: str | None, route: str | None) -> None:
    """Alles over één casus: stap, betrokkenen, toestemmingen, geschiedenis, volgende stappen."""
    run = Run(db, as_, route)
    try:
        d = run.services.case_detail(run.actor(write=False), case_id, plan=True)
        if fmt == "json":
            emit_json(d.to_json())
        else:
            click.echo(detail_text(run.services, d))
    finally:
        run.close()


@case_group.command("open")
@click.option("--pupil", required=True, help="Naam van de leerling, precies zoals bedoeld.")
@click.option("--school", required=True, help="School (naam, BRIN of nummer).")
@click.option("--group", required=True, help="Groep 1 tot en met 8.")
@click.option("--born", required=True, metavar="JJJJ-MM-DD", help="Geboortedatum.")
@click.option("--note", default="", help="Eerste notitie (waarom deze zorg).")
@click.option("--teacher", metavar="PERSOON", help="Leerkracht van de leerling (naam of nummer).")
@click.option("--aanmelding", "--registered", "registered", metavar="JJJJ-MM-DD",
              help="Een aanmelding: datum waarop die schriftelijk binnenkwam (start de zorgplichttermijn).")
@click.option("--format", "fmt", type=FORMATS_ONE, default="text", show_default=True)
@common_options()
def case_open(pupil: str, school: str, group: str, born: str, note: str, teacher: str | None,
              registered: str | None, fmt: str, db: str | None, as_: str | None, route: str | None) -> None:
    """Open een casus in de eerste stap van de route (de leerling wordt zo nodig aangemaakt).

    Drukt het nummer van de nieuwe casus af.
    """
    run = Run(db, as_, route)
    try:
        actor = run.actor(write=True)
        svc = run.services
        case_id = svc.open_case(actor, pupil=pupil, school=school, group=group, born=born, note=note,
                                teacher=teacher, registered_on=registered)
        if fmt == "json":
            emit_json(svc.case_detail(actor, case_id, plan=True).to_json())
        else:
            click.echo(case_id)
            click.echo(f"Casus {case_id} geopend voor {pupil} in stap "
                       f"'{svc.step_title(svc.route.main_track.start)}'.", err=True)
    finally:
        run.close()


@case_group.command("advance")
@click.argument("case_id", type=int, metavar="ID")
@click.argument("trigger")
@click.option("--note", default="", help="Waarom (komt in de geschiedenis).")
@click.option("--format", "fmt", type=FORMATS_ONE, default="text", show_default=True)
@common_options()
def case_advance(case_id: int, trigger: str, note: str, fmt: str, db: str | None, as_: str | None,
                 route: str | None) -> None:
    """Zet een casus een stap verder met TRIGGER (zie 'case show'); ook de doelstap-id mag.

    Een geblokkeerde of onbekende stap verandert niets en geeft de redenen.
    """
    from kindroute.errors import StepNotAllowed

    run = Run(db, as_, route)
    try:
        actor = run.actor(write=True)
        svc = run.services
        chosen = trigger
        if trigger not in svc.route.triggers and trigger in svc.route.steps:
            ways = [n for n in svc.case_detail(actor, case_id).next if n.to == trigger]
            if len(ways) == 1:
                chosen = ways[0].trigger
        try:
            result = svc.advance_case(actor, case_id, chosen, note=note)
        except StepNotAllowed as exc:
            if chosen not in svc.route.triggers or not exc.reasons:
                options = [n for n in svc.case_detail(actor, case_id).next]
                if options:
                    hint = "; ".join(f"{n.trigger}{'' if n.allowed else ' (geblokkeerd)'}" for n in options)
                    raise StepNotAllowed(exc.message, [*exc.reasons, f"Mogelijk vanuit hier: {hint}"]) \
                        from None
            raise
        if fmt == "json":
            emit_json(result.to_json())
        else:
            click.echo(step_line(svc, case_id, result))
    finally:
        run.close()


def step_line(svc: Any, case_id: int, result: Any) -> str:
    """A step taken (or a joint-turn confirmation) in one Dutch line, with the automatic steps after it."""
    if result.waiting:
        names = " en ".join(svc.role_label(r).lower() for r in result.waiting)
        return (f"Casus {case_id}: uw bevestiging van stap '{svc.step_title(result.from_)}' is vastgelegd; "
                f"wacht nog op: {names}.")
    who = svc.role_label(result.at_turn_role) if result.at_turn_role else "niemand (eindstap)"
    line = (f"Casus {case_id} staat nu in stap '{svc.step_title(result.to)}' ({result.to}); "
            f"aan zet: {who}; deadline {nl_date(result.deadline)}.")
    for auto in result.followed:
        line += f"\nDaarna automatisch: stap '{svc.step_title(auto.to)}' ({auto.to})."
    return line


def _change(case_id: int, db: str | None, as_: str | None, route: str | None, fmt: str,
            action: Any, text: Any) -> None:
    """Run one change around a case as the acting person; print a Dutch line or JSON."""
    run = Run(db, as_, route)
    try:
        actor = run.actor(write=True)
        result = action(run.services, actor)
        if fmt == "json":
            emit_json(result.to_json() if hasattr(result, "to_json") else {"case_id": case_id, "ok": True})
        else:
            click.echo(text(run.services, result))
    finally:
        run.close()


def _one_format(f: Any) -> Any:
    return click.option("--format", "fmt", type=FORMATS_ONE, default="text", show_default=True)(f)


@case_group.command("assign")
@click.argument("case_id", type=int, metavar="ID")
@click.argument("role")
@click.argument("person")
@_one_format
@common_options()
def case_assign(case_id: int, role: str, person: str, fmt: str, **o: Any) -> None:
    """Wijs ROLE op de casus toe aan PERSON (naam of nummer); de vorige houder stopt."""
    _change(case_id, o["db"], o["as_"], o["route"], fmt,
            lambda s, a: s.assign_role(a, case_id, role, person),
            lambda s, r: f"Casus {case_id}: {r.person} is nu {r.role_label.lower()}.")


@case_group.command("unassign")
@click.argument("case_id", type=int, metavar="ID")
@click.argument("role")
@_one_format
@common_options()
def case_unassign(case_id: int, role: str, fmt: str, **o: Any) -> None:
    """Beëindig de toewijzing van ROLE op de casus."""
    _change(case_id, o["db"], o["as_"], o["route"], fmt,
            lambda s, a: s.end_assignment(a, case_id, role),
            lambda s, r: f"Casus {case_id}: niemand meer als {s.role_label(role).lower()}.")


@case_group.command("consent")
@click.argument("case_id", type=int, metavar="ID")
@click.option("--role", required=True, help="Voor welke rol (bijv. so_expert, jeugdhulp).")
@click.option("--purpose", required=True, help="Waarvoor.")
@click.option("--given-by", required=True, help="Wie gaf toestemming (ouder/verzorger).")
@click.option("--from", "valid_from", metavar="JJJJ-MM-DD", help="Geldig vanaf (standaard vandaag).")
@click.option("--until", "valid_until", metavar="JJJJ-MM-DD", help="Geldig tot en met.")
@click.option("--pupil-cosigned", is_flag=True, help="De leerling (12–16) tekende mee.")
@click.option("--organisation", help="Organisatie van de ontvanger.")
@_one_format
@common_options()
def case_consent(case_id: int, role: str, purpose: str, given_by: str, valid_from: str | None,
                 valid_until: str | None, pupil_cosigned: bool, organisation: str | None, fmt: str,
                 **o: Any) -> None:
    """Leg een toestemming vast om de casus te delen met een rol buiten school."""
    _change(case_id, o["db"], o["as_"], o["route"], fmt,
            lambda s, a: s.record_consent(a, case_id, role=role, purpose=purpose, given_by=given_by,
                                          valid_from=valid_from, valid_until=valid_until,
                                          pupil_cosigned=pupil_cosigned, organisation=organisation),
            lambda s, r: f"Casus {case_id}: toestemming #{r.id} voor {r.role_label} vastgelegd "
                         f"({'geldig' if r.valid else 'nog niet geldig'}).")


@case_group.command("withdraw-consent")
@click.argument("case_id", type=int, metavar="ID")
@click.argument("consent_id", type=int, metavar="TOESTEMMING")
@click.option("--reason", default="", help="Reden van intrekking.")
@click.option("--on", "on", metavar="JJJJ-MM-DD", help="Datum van intrekking (standaard vandaag).")
@_one_format
@common_options()
def case_withdraw_consent(case_id: int, consent_id: int, reason: str, on: str | None, fmt: str,
                          **o: Any) -> None:
    """Trek een toestemming in (ze blijft zichtbaar in het dossier)."""
    _change(case_id, o["db"], o["as_"], o["route"], fmt,
            lambda s, a: s.withdraw_consent(a, case_id, consent_id, reason=reason, on=on),
            lambda s, r: f"Casus {case_id}: toestemming #{r.id} ingetrokken per {nl_date(r.withdrawn_on)}.")


@case_group.command("note")
@click.argument("case_id", type=int, metavar="ID")
@click.argument("text")
@_one_format
@common_options()
def case_note(case_id: int, text: str, fmt: str, **o: Any) -> None:
    """Voeg een notitie toe."""
    _change(case_id, o["db"], o["as_"], o["route"], fmt,
            lambda s, a: s.add_note(a, case_id, text),
            lambda s, r: f"Casus {case_id}: notitie #{r.id} toegevoegd.")


@case_group.command("agreement")
@click.argument("case_id", type=int, metavar="ID")
@click.argument("what")
@click.option("--who", metavar="PERSOON", help="Wie het doet (naam of nummer).")
@click.option("--role", help="Of: de rol die het doet (de huidige houder wordt gekozen).")
@click.option("--due", metavar="JJJJ-MM-DD", help="Uiterlijk op.")
@_one_format
@common_options()
def case_agreement(case_id: int, what: str, who: str | None, role: str | None, due: str | None, fmt: str,
                   **o: Any) -> None:
    """Leg een afspraak vast: wie doet wat, uiterlijk wanneer."""
    _change(case_id, o["db"], o["as_"], o["route"], fmt,
            lambda s, a: s.add_agreement(a, case_id, what, who=who, who_role=role, due_on=due),
            lambda s, r: f"Casus {case_id}: afspraak #{r.id} vastgelegd"
                         + (f" voor {r.who}" if r.who else "") + (f", uiterlijk {nl_date(r.due_on)}"
                                                                  if r.due_on else "") + ".")


@case_group.command("done")
@click.argument("case_id", type=int, metavar="ID")
@click.argument("agreement_id", type=int, metavar="AFSPRAAK")
@click.option("--undo", is_flag=True, help="Weer op 'open' zetten.")
@_one_format
@common_options()
def case_done(case_id: int, agreement_id: int, undo: bool, fmt: str, **o: Any) -> None:
    """Markeer een afspraak als gedaan."""
    _change(case_id, o["db"], o["as_"], o["route"], fmt,
            lambda s, a: s.complete_agreement(a, case_id, agreement_id, done=not undo),
            lambda s, r: f"Casus {case_id}: afspraak #{agreement_id} {'weer open' if undo else 'gedaan'}.")


@case_group.command("tick")
@click.argument("case_id", type=int, metavar="ID")
@click.argument("item")
@click.option("--undo", is_flag=True, help="Vinkje weghalen.")
@click.option("--track", help="Spoor (standaard de schoolroute).")
@_one_format
@common_options()
def case_tick(case_id: int, item: str, undo: bool, track: str | None, fmt: str, **o: Any) -> None:
    """Vink een checklistpunt van de huidige stap af (zie 'case show')."""
    _change(case_id, o["db"], o["as_"], o["route"], fmt,
            lambda s, a: s.tick_checklist(a, case_id, item, done=not undo, track=track),
            lambda s, r: f"Casus {case_id}: '{item}' {'niet meer ' if undo else ''}afgevinkt.")


def _step_text(case_id: int) -> Any:
    return lambda s, r: f"Casus {case_id} staat nu in stap '{s.step_title(r.to)}' ({r.to})."


@case_group.command("close")
@click.argument("case_id", type=int, metavar="ID")
@click.option("--note", default="", help="Waarom.")
@_one_format
@common_options()
def case_close(case_id: int, note: str, fmt: str, **o: Any) -> None:
    """Sluit de casus af (via de stap naar 'afgesloten' die de route vanaf hier kent)."""
    _change(case_id, o["db"], o["as_"], o["route"], fmt,
            lambda s, a: s.close_case(a, case_id, note=note), _step_text(case_id))


@case_group.command("reopen")
@click.argument("case_id", type=int, metavar="ID")
@click.option("--note", default="", help="Waarom.")
@_one_format
@common_options()
def case_reopen(case_id: int, note: str, fmt: str, **o: Any) -> None:
    """Heropen een afgesloten casus (terug naar de eerste stap)."""
    _change(case_id, o["db"], o["as_"], o["route"], fmt,
            lambda s, a: s.reopen_case(a, case_id, note=note), _step_text(case_id))


@case_group.command("extend")
@click.argument("case_id", type=int, metavar="ID")
@_one_format
@common_options()
def case_extend(case_id: int, fmt: str, **o: Any) -> None:
    """Verleng de zorgplichttermijn eenmalig met 4 weken (IB of directie)."""
    run = Run(o["db"], o["as_"], o["route"])
    try:
        deadline = run.services.extend_zorgplicht(run.actor(write=True), case_id)
        if fmt == "json":
            emit_json({"case_id": case_id, "zorgplicht_deadline": deadline.isoformat()})
        else:
            click.echo(f"Casus {case_id}: zorgplichttermijn verlengd tot {nl_date(deadline)}.")
    finally:
        run.close()



def register(main: click.Group) -> None:
    from kindroute.cli import records  # noqa: F401 - adds decide, document and term to case_group

    main.add_command(case_group)
