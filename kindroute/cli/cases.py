"""``kindroute cases`` and ``kindroute case …``: the list, one case, and everything around it."""

from __future__ import annotations

import csv
import io
import sys
from typing import Any

import click

from kindroute.cli.common import (
    FORMATS_LIST,
    FORMATS_ONE,
    Run,
    common_options,
    emit_json,
    nl_date,
    nl_moment,
    table,
)

# ----------------------------------------------------------------------------- the list


def case_filter(run: Run, *, step: str | None, school: str | None, overdue: bool, group: int | None,
                role: str | None, mine: bool, search: str | None, include_closed: bool,
                sort: str, actor: Any) -> Any:
    from kindroute.errors import IdentityRequired, InvalidInput
    from kindroute.services import CaseFilter

    svc = run.services
    route = svc.route
    track = route.main_track.id
    if step is not None:
        if step not in route.steps:
            raise InvalidInput(f"Onbekende stap '{step}'. Bekend: {', '.join(route.steps)}.")
        track = route.steps[step].track
    if role is not None and role not in route.roles:
        raise InvalidInput(f"Onbekende rol '{role}'. Bekend: {', '.join(route.roles)}.")
    if mine and actor is None:
        raise IdentityRequired("--mine toont de casussen waarin u aan zet bent: geef --as NAAM.")
    return CaseFilter(
        text=search or "", step=step, track=track, school=school, at_turn_role=role,
        at_turn_person_id=actor.id if mine else None, overdue=overdue, group=group,
        status=None if include_closed else "open", sort=sort,
    )


CSV_FIELDS = ("id", "pupil", "group", "school", "step", "step_title", "at_turn_role", "at_turn", "deadline",
              "overdue", "status")


def print_cases(run: Run, rows: list[Any], fmt: str, out: Any = None) -> None:
    out = out or sys.stdout
    if fmt == "json":
        emit_json([r.to_json() for r in rows])
        return
    svc = run.services
    if fmt == "csv":
        from kindroute.services.text import spreadsheet_safe

        other = [t for t in svc.route.tracks if t != svc.route.main_track.id]
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow([*CSV_FIELDS, *(spreadsheet_safe(f"step_{t}") for t in other)])
        for r in rows:
            d = r.to_json()
            writer.writerow([*(spreadsheet_safe("" if d[f] is None else d[f]) for f in CSV_FIELDS),
                             *(spreadsheet_safe(r.steps.get(t, "")) for t in other)])
        return
    if not rows:
        click.echo("Geen casussen gevonden.")
        return
    body = []
    for r in rows:
        at_turn = r.at_turn or (f"({svc.role_label(r.at_turn_role)})" if r.at_turn_role else "—")
        deadline = nl_date(r.deadline) if r.deadline else "—"
        if r.overdue:
            deadline += "  TE LAAT"
        step = r.step_title if r.status == "open" else f"{r.step_title} ({r.status})"
        body.append([str(r.id), r.pupil, str(r.group), r.school, step, at_turn, deadline])
    click.echo(table(["Nr", "Leerling", "Groep", "School", "Stap", "Aan zet", "Deadline"], body))
    late = sum(1 for r in rows if r.overdue)
    click.echo(f"\n{len(rows)} casus(sen), waarvan {late} te laat.")


def list_options(f: Any) -> Any:
    for opt in reversed([
        click.option("--step", help="Alleen casussen in deze stap (id, bijv. ondersteuningsteam)."),
        click.option("--school", help="Alleen deze school (naam, BRIN of nummer)."),
        click.option("--overdue", is_flag=True, help="Alleen casussen over hun deadline."),
        click.option("--group", type=click.IntRange(1, 8), help="Alleen leerlingen in deze groep."),
        click.option("--role", help="Alleen waar deze rol aan zet is (bijv. ib)."),
        click.option("--mine", is_flag=True, help="Alleen waar ik (--as) aan zet ben."),
        click.option("--search", help="Zoek op naam: elk woord is het begin van een woord van de naam."),
        click.option("--all", "include_closed", is_flag=True, help="Ook afgesloten en verwezen casussen."),
        click.option("--sort", type=click.Choice(["deadline", "pupil", "step", "school", "group", "id"]),
                     default="deadline", show_default=True, help="Sorteren op."),
        click.option("--limit", type=click.IntRange(min=1), help="Hoogstens zoveel casussen."),
    ]):
        f = opt(f)
    return f


@click.command("cases")
@list_options
@click.option("--format", "fmt", type=FORMATS_LIST, default="table", show_default=True)
@common_options()
def cases_cmd(db: str | None, as_: str | None, route: str | None, fmt: str, limit: int | None,
              **filters: Any) -> None:
    """Lijst van casussen: stap, wie aan zet is, deadline (te laat gemarkeerd).

    Met --as ziet u alleen wat die persoon mag zien.
    """
    run = Run(db, as_, route)
    try:
        actor = run.actor(write=False)
        f = case_filter(run, actor=actor, **filters)
        rows = run.services.list_cases(actor, f, limit=limit)
        print_cases(run, rows, fmt)
    finally:
        run.close()


# ----------------------------------------------------------------------------- one case


def detail_text(svc: Any, d: Any) -> str:
    """A readable Dutch overview of one case."""
    lines = [f"Casus {d.id}: {d.pupil}", ""]
    lines.append(f"  Leerling:      {d.pupil} (groep {d.group}, geboren {nl_date(d.date_of_birth)})")
    lines.append(f"  School:        {d.school}")
    status = {"open": "open", "closed": "afgesloten", "referred": "verwezen"}.get(d.status, d.status)
    lines.append(f"  Status:        {status}   (versie {d.version})")
    for t in d.tracks:
        late = "  TE LAAT" if t.overdue else ""
        who = t.at_turn or (f"nog niemand ({svc.role_label(t.at_turn_role)})" if t.at_turn_role else "—")
        lines.append(f"  {t.track_label + ':':<14} {t.step_title} [{t.step}] sinds {nl_date(t.entered_at)}")
        lines.append(f"  {'':<14} aan zet: {who}; deadline {nl_date(t.deadline)}{late}")
        for item, label, done in t.checklist:
            lines.append(f"  {'':<14}   [{'x' if done else ' '}] {label} ({item})")
    if d.zorgplicht_deadline:
        lines.append(f"  Zorgplicht:    aangemeld {nl_date(d.registered_on)}, plek bieden vóór "
                     f"{nl_date(d.zorgplicht_deadline)}")
    lines += ["", "Betrokkenen:"]
    lines += [f"  {a.role_label}: {a.person}" + (f" ({a.involvement})" if a.involvement else "")
              for a in d.assignments] or ["  —"]
    lines += ["", "Toestemmingen:"]
    for c in d.consents:
        state = "geldig" if c.valid else "NIET geldig"
        extra = f", ingetrokken {nl_date(c.withdrawn_on)}" if c.withdrawn_on else ""
        extra += f", tot {nl_date(c.valid_until)}" if c.valid_until else ""
        cos = ", leerling tekende mee" if c.pupil_cosigned else ""
        lines.append(f"  #{c.id} {c.role_label}: {c.purpose} — gegeven door {c.given_by} vanaf "
                     f"{nl_date(c.valid_from)}{extra}{cos} [{state}]")
    if not d.consents:
        lines.append("  —")
    lines += ["", "Volgende stappen:"]
    for n in d.next:
        mark = "kan" if n.allowed else "geblokkeerd"
        lines.append(f"  {n.trigger}: {n.label} → {n.to_title} [{mark}]")
        lines += [f"      - {r}" for r in n.reasons]
    if not d.next:
        lines.append("  — (eindstap)")
    if d.agreements:
        lines += ["", "Afspraken:"]
        for g in d.agreements:
            who = g.who or (svc.role_label(g.who_role) if g.who_role else "—")
            done = "gedaan" if g.done else ("TE LAAT" if g.overdue else "open")
            lines.append(f"  #{g.id} {g.what} — {who}, uiterlijk {nl_date(g.due_on)} [{done}]")
    if d.documents:
        lines += ["", "Documenten en besluiten:"]
        lines += [f"  #{x.id} {x.kind}: {x.outcome}" + (f" — {x.title}" if x.title else "")
                  + f" ({x.author}, {nl_date(x.at)})" for x in d.documents]
    lines += ["", "Geschiedenis:"]
    for h in d.history:
        lines.append(f"  {h.seq}. {nl_moment(h.at)}  {svc.step_title(h.from_)} → {svc.step_title(h.to)}"
                     f"  ({h.by})")
        if h.note:
            lines.append(f"       {h.note}")
    if not d.history:
        lines.append(f"  geopend {nl_moment(d.opened_at)}, nog geen stappen")
    if d.notes:
        lines += ["", "Notities:"]
        for n in d.notes:
            lines.append(f"  {nl_moment(n.at)} {n.author}: {n.text}")
    return "\n".join(lines)


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
        d = run.services.case_detail(run.actor(write=False), case_id)
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
@click.option("--registered", metavar="JJJJ-MM-DD", help="Datum van aanmelding (start de zorgplichttermijn).")
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
            emit_json(svc.case_detail(actor, case_id).to_json())
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
            who = svc.role_label(result.at_turn_role) if result.at_turn_role else "niemand (eindstap)"
            click.echo(f"Casus {case_id} staat nu in stap '{svc.step_title(result.to)}' ({result.to}); "
                       f"aan zet: {who}; deadline {nl_date(result.deadline)}.")
    finally:
        run.close()


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


@case_group.command("document")
@click.argument("case_id", type=int, metavar="ID")
@click.argument("kind", type=click.Choice(["opp", "deskundigenadvies", "swv_besluit"]))
@click.option("--outcome", required=True,
              help="opp: concept|vastgesteld; deskundigenadvies: naam van de deskundige; "
                   "swv_besluit: toegekend|afgewezen.")
@click.option("--title", default="", help="Titel of korte omschrijving.")
@_one_format
@common_options()
def case_document(case_id: int, kind: str, outcome: str, title: str, fmt: str, **o: Any) -> None:
    """Leg een document of besluit vast: OPP, deskundigenadvies, besluit van het SWV."""
    _change(case_id, o["db"], o["as_"], o["route"], fmt,
            lambda s, a: s.record_document(a, case_id, kind, outcome=outcome, title=title),
            lambda s, r: f"Casus {case_id}: {kind} '{r.outcome}' vastgelegd (#{r.id}).")


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


def export_cases_to(run: Run, fmt: str, output: str | None, actor: Any) -> int:
    from kindroute.services import CaseFilter

    rows = run.services.list_cases(actor, CaseFilter(status=None, sort="id"), purpose="export")
    if output is None:
        print_cases(run, rows, fmt)
        return len(rows)
    from kindroute.cli.private_files import write_private

    if fmt == "json":
        import json

        write_private(output, json.dumps([r.to_json() for r in rows], ensure_ascii=False, indent=2))
    else:
        buf = io.StringIO()
        print_cases(run, rows, "csv", out=buf)
        write_private(output, buf.getvalue())
    return len(rows)


def register(main: click.Group) -> None:
    main.add_command(cases_cmd)
    main.add_command(case_group)
