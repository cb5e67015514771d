"""``kindroute case goal|opp|instemming|hoorrecht|zorgplicht|period|clocks``: what is decided
about the child, and every clock of a case."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import click

from kindroute.cli.common import FORMATS_ONE, Run, common_options, emit_json, nl_date


def _one_format(f: Any) -> Any:
    return click.option("--format", "fmt", type=FORMATS_ONE, default="text", show_default=True)(f)


def _write(o: dict[str, Any], fmt: str, call: Callable[[Any, Any], Any],
           text: Callable[[Any], str], data: Callable[[Any], dict[str, Any]]) -> None:
    run = Run(o["db"], o["as_"], o["route"])
    try:
        result = call(run.services, run.actor(write=True))
        if fmt == "json":
            emit_json(data(result))
        else:
            click.echo(text(result))
    finally:
        run.close()


@click.group("goal")
def goal_group() -> None:
    """Doelen van het plan (handelingsgericht werken)."""


@goal_group.command("add")
@click.argument("case_id", type=int, metavar="ID")
@click.option("--area", required=True, 
              help="Gebied, bijv. lezen, rekenen, sociaal-emotioneel, werkhouding, thuis.")
@click.option("--goal", "goal_text", required=True, help="Het doel, concreet en meetbaar.")
@click.option("--approach", default="", help="De aanpak.")
@click.option("--who", metavar="ROL|PERSOON", help="Wie eraan werkt: een rol (bijv. ouders) of een persoon.")
@click.option("--start", metavar="JJJJ-MM-DD", help="Start (standaard vandaag).")
@click.option("--evaluate", required=True, metavar="JJJJ-MM-DD", help="Evaluatiedatum.")
@_one_format
@common_options()
def goal_add(case_id: int, area: str, goal_text: str, approach: str, who: str | None, start: str | None,
             evaluate: str, fmt: str, **o: Any) -> None:
    """Leg een doel vast; de evaluatiedatum telt als termijn."""
    _write(o, fmt,
           lambda s, a: s.add_goal(a, case_id, area=area, goal=goal_text, approach=approach, who=who,
                                   start_on=start, evaluate_on=evaluate),
           lambda gid: f"Casus {case_id}: doel {gid} vastgelegd ({area}), evalueren op {evaluate}.",
           lambda gid: {"case_id": case_id, "goal_id": gid})


@goal_group.command("evaluate")
@click.argument("case_id", type=int, metavar="ID")
@click.argument("goal_id", type=int, metavar="DOEL")
@click.option("--result", required=True, type=click.Choice(["behaald", "deels", "niet"]))
@click.option("--note", default="", help="Toelichting.")
@click.option("--on", "on", metavar="JJJJ-MM-DD", help="Datum (standaard vandaag).")
@_one_format
@common_options()
def goal_evaluate(case_id: int, goal_id: int, result: str, note: str, on: str | None, fmt: str,
                  **o: Any) -> None:
    """Evalueer een doel: behaald, deels of niet."""
    _write(o, fmt,
           lambda s, a: s.evaluate_goal(a, case_id, goal_id, result=result, note=note, on=on),
           lambda _e: f"Casus {case_id}: doel {goal_id} geëvalueerd: {result}.",
           lambda e: {"case_id": case_id, "goal_id": goal_id, "evaluation_id": e, "result": result})


@click.command("opp")
@click.argument("case_id", type=int, metavar="ID")
@click.option("--uitstroomprofiel", help="Het verwachte uitstroomprofiel.")
@click.option("--reasons", help="De onderbouwing van het uitstroomprofiel.")
@click.option("--stimulerend", help="Stimulerende factoren.")
@click.option("--belemmerend", help="Belemmerende factoren.")
@click.option("--support", help="Handelingsdeel: de ondersteuning.")
@click.option("--support-who", help="Handelingsdeel: wie die geeft.")
@click.option("--duration", help="Handelingsdeel: hoe lang.")
@click.option("--adopt", is_flag=True, help="Stel deze versie vast.")
@_one_format
@common_options()
def case_opp(case_id: int, uitstroomprofiel: str | None, reasons: str | None, stimulerend: str | None,
             belemmerend: str | None, support: str | None, support_who: str | None, duration: str | None,
             adopt: bool, fmt: str, **o: Any) -> None:
    """Stel het OPP op, pas het aan (een vastgesteld OPP krijgt een nieuwe conceptversie) of stel het vast."""
    fields = dict(uitstroomprofiel=uitstroomprofiel, reasons=reasons, stimulerend=stimulerend,
                  belemmerend=belemmerend, support=support, support_who=support_who, duration=duration)
    _write(o, fmt,
           lambda s, a: s.save_opp(a, case_id, adopt=adopt, **fields),
           lambda r: f"Casus {case_id}: OPP versie {r[0]} ({r[1]}).",
           lambda r: {"case_id": case_id, "version": r[0], "status": r[1]})


@click.command("instemming")
@click.argument("case_id", type=int, metavar="ID")
@click.option("--outcome", required=True, type=click.Choice(["eens", "oneens", "deels"]))
@click.option("--by", "by", required=True, metavar="NAAM", help="Welke ouder/verzorger.")
@click.option("--note", default="", help="Wat er volgt als ouders niet (helemaal) instemmen.")
@click.option("--on", "on", metavar="JJJJ-MM-DD", help="Datum (standaard vandaag).")
@_one_format
@common_options()
def case_instemming(case_id: int, outcome: str, by: str, note: str, on: str | None, fmt: str,
                    **o: Any) -> None:
    """Leg de instemming van ouders met het handelingsdeel van de huidige OPP-versie vast."""
    _write(o, fmt,
           lambda s, a: s.record_instemming(a, case_id, outcome=outcome, by=by, note=note, on=on),
           lambda _r: f"Casus {case_id}: instemming ouders ({outcome}) vastgelegd.",
           lambda r: {"case_id": case_id, "instemming_id": r, "outcome": outcome})


@click.command("hoorrecht")
@click.argument("case_id", type=int, metavar="ID")
@click.option("--view", required=True, help="De mening van de leerling, in eigen woorden.")
@click.option("--weighed", default="", help="Hoe die mening is meegewogen.")
@click.option("--on", "on", metavar="JJJJ-MM-DD", help="Datum (standaard vandaag).")
@_one_format
@common_options()
def case_hoorrecht(case_id: int, view: str, weighed: str, on: str | None, fmt: str, **o: Any) -> None:
    """Leg vast wat de leerling vindt van de huidige OPP-versie (hoorrecht)."""
    _write(o, fmt,
           lambda s, a: s.record_hoorrecht(a, case_id, view=view, weighed=weighed, on=on),
           lambda _r: f"Casus {case_id}: mening van de leerling vastgelegd.",
           lambda r: {"case_id": case_id, "hoorrecht_id": r})


@click.command("zorgplicht")
@click.argument("case_id", type=int, metavar="ID")
@click.option("--decision", required=True,
              type=click.Choice(["plaatsen", "niet_plaatsen", "andere_school"]),
              help="Besluit op de aanmelding: plaatsen, niet plaatsen, andere school gevonden.")
@click.option("--on", "on", metavar="JJJJ-MM-DD", help="Datum van het besluit (standaard vandaag).")
@click.option("--note", default="", help="Toelichting.")
@_one_format
@common_options()
def case_zorgplicht(case_id: int, decision: str, on: str | None, note: str, fmt: str, **o: Any) -> None:
    """Besluit op een aanmelding; de zorgplichttermijn stopt."""
    _write(o, fmt,
           lambda s, a: s.decide_zorgplicht(a, case_id, decision, on=on, note=note),
           lambda d: f"Casus {case_id}: besluit '{decision}' op {nl_date(d)}; zorgplichttermijn gestopt.",
           lambda d: {"case_id": case_id, "decision": decision, "on": d.isoformat()})


@click.command("period")
@click.argument("case_id", type=int, metavar="ID")
@click.option("--kind", required=True, metavar="BESLUIT",
              help="Het besluit met een einddatum in de route: arrangement of tlv.")
@click.option("--start", required=True, metavar="JJJJ-MM-DD")
@click.option("--end", required=True, metavar="JJJJ-MM-DD")
@click.option("--support", default="", help="Arrangement: uren of soort ondersteuning (veld vorm).")
@click.option("--type", "tlv_type", type=click.Choice(["sbo", "so"]), help="TLV: sbo of so.")
@click.option("--category", type=click.Choice(["laag", "midden", "hoog"]), help="TLV voor het SO: categorie.")
@click.option("--year", "school_year", metavar="2026-2027", help="TLV: schooljaar waarin te gebruiken.")
@click.option("--bezwaar-until", metavar="JJJJ-MM-DD",
              help="Laatste dag voor bezwaar (standaard besluit + 6 weken).")
@_one_format
@common_options()
def case_period(case_id: int, kind: str, start: str, end: str, support: str, tlv_type: str | None,
                category: str | None, school_year: str | None, bezwaar_until: str | None,
                fmt: str, **o: Any) -> None:
    """Leg een toegekend arrangement of een TLV met zijn looptijd vast (het einde telt als termijn).

    Kort voor: case decide ID arrangement|tlv toegekend --field start=… --field einde=… (zie
    'workflow show' voor de velden)."""
    _write(o, fmt,
           lambda s, a: s.record_period(a, case_id, kind=kind, start=start, end=end, support=support,
                                        tlv_type=tlv_type, tlv_category=category, school_year=school_year,
                                        bezwaar_until=bezwaar_until),
           lambda r: f"Casus {case_id}: {kind} '{r.outcome}' vastgelegd (#{r.id}); loopt van {start} "
                     f"tot en met {end}.",
           lambda r: {"case_id": case_id, "document_id": r.id, "kind": kind, "outcome": r.outcome,
                      "fields": r.fields})


@click.command("clocks")
@click.argument("case_id", type=int, metavar="ID")
@click.option("--format", "fmt", type=FORMATS_ONE, default="text", show_default=True)
@common_options()
def case_clocks(case_id: int, fmt: str, db: str | None, as_: str | None, route: str | None) -> None:
    """Alle termijnen van een casus, de eerstvolgende eerst."""
    run = Run(db, as_, route)
    try:
        clocks = run.services.case_clocks(run.actor(write=False), case_id)
        if fmt == "json":
            emit_json([c.to_json() for c in clocks])
            return
        if not clocks:
            click.echo(f"Casus {case_id}: geen lopende termijnen.")
        for c in clocks:
            mark = "  TE LAAT" if c.overdue else ""
            click.echo(f"{nl_date(c.due):>11}  {c.label}{mark}")
    finally:
        run.close()


def plan_text(svc: Any, plan: Any) -> list[str]:
    """The plan's lines for ``case show``."""
    lines: list[str] = []
    if plan.goals:
        lines += ["", "Doelen:"]
        for g in plan.goals:
            state = g.result or ("TE LAAT" if g.overdue else "loopt")
            lines.append(f"  #{g.id} [{g.area}] {g.goal} — {g.who or '—'}, evalueren {nl_date(g.evaluate_on)}"
                         f" [{state}]")
    if plan.opp is not None:
        o = plan.opp
        lines += ["", f"OPP versie {o.version} ({o.status}"
                  + (f", vastgesteld {nl_date(o.adopted)})" if o.adopted else ")")]
        lines.append(f"  Uitstroomprofiel: {o.uitstroomprofiel or '—'}")
        agreed = (f"{o.instemming.outcome} ({o.instemming.by}, {nl_date(o.instemming.on)})"
                  if o.instemming else "nog niet")
        lines.append(f"  Instemming ouders: {agreed}")
        lines.append("  Leerling gehoord: " + (nl_date(o.hoorrecht.on) if o.hoorrecht else "nog niet"))
    if plan.clocks:
        lines += ["", "Termijnen:"]
        lines += [f"  {nl_date(c.due)}  {c.label}" + ("  TE LAAT" if c.overdue else "") for c in plan.clocks]
    return lines


def register(main: click.Group) -> None:
    case = main.commands["case"]
    assert isinstance(case, click.Group)
    for command in (goal_group, case_opp, case_instemming, case_hoorrecht, case_zorgplicht, case_period,
                    case_clocks):
        case.add_command(command)
