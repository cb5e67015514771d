"""Demo data for the plan of each demo case: goals with evaluations, OPPs with versions,
instemming and hoorrecht, the periods of granted SWV decisions, and every case's earliest clock.

Runs after the demo cases are written (:func:`add_plans`), from what they hold: a case that got
further than its first step has goals; a case with an adopted OPP document gets OPP versions
(some adjusted, with a new concept waiting for instemming); a granted SWV decision gets a period.
Deterministic for a seed and a clock.
"""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta
from typing import Any

AREAS: dict[str, list[tuple[str, str]]] = {
    "lezen": [
        ("Leest AVI E4 vloeiend en met begrip", "Dagelijks 15 minuten duolezen en herhaald lezen"),
        ("Haalt bij technisch lezen (DMT) een score van 45 woorden per minuut", "Ralfi-lezen, 4x per week"),
    ],
    "rekenen": [
        ("Beheerst de tafels van 1 tot en met 5 automatisch", "Tafeltraining met concreet materiaal"),
        ("Lost optel- en aftreksommen tot 100 op met de getallenlijn",
         "Verlengde instructie in kleine kring"),
    ],
    "spelling": [("Past de regels voor verlengingswoorden toe in dictees", "Extra oefening met Taalzee")],
    "sociaal-emotioneel": [
        ("Vraagt zelf om hulp als het niet lukt", "Afspraakkaart op tafel; dagelijks kort nagesprek"),
        ("Speelt in de pauze samen met minstens twee klasgenoten", "Pauzemaatje en spelletjesclub"),
    ],
    "werkhouding": [
        ("Werkt 20 minuten zelfstandig aan een taak", "Time-timer, taakkaart met stappen"),
        ("Begint binnen 2 minuten na de instructie aan het werk", "Startsignaal en vaste werkplek"),
    ],
    "thuis": [("Leest thuis vijf keer per week 10 minuten voor",
               "Ouders lezen samen; leesrooster mee naar huis")],
}
WHO = ("leerkracht", "ouders", "ib", "leerkracht", "so_expert")
VIEWS = (
    "Ik vind lezen moeilijk als het druk is in de klas. Met de koptelefoon op gaat het beter.",
    "Ik wil wel op deze school blijven, want hier zijn mijn vrienden.",
    "Rekenen met blokjes helpt mij. Ik schaam me als ik als enige iets anders krijg.",
    "Ik word boos als ik niet weet wat er gaat gebeuren. Een dagplanning op mijn tafel helpt.",
    "Ik wil graag naar een school waar de klassen kleiner zijn.",
    "Ik vind het fijn om bij juf Sanne in het groepje te werken.",
)
WEIGHED = (
    "Koptelefoon en rustige werkplek opgenomen in het handelingsdeel.",
    "De leerling blijft op de eigen school, met ondersteuning in de klas.",
    "Besproken met de leerling; extra materiaal wordt ook aan andere kinderen aangeboden.",
    "Dagplanning toegevoegd aan de aanpak; evaluatie na 6 weken.",
)
PROFILES = (
    ("vmbo basis/kader", "Capaciteiten (IQ 85) en leerrendement rekenen en lezen rond 60%."),
    ("vmbo kader/gemengde leerweg", "Leerrendement voldoende bij extra instructie; werkhouding wisselend."),
    ("praktijkonderwijs", "Leerachterstand van meer dan drie jaar; sterk in praktische vaardigheden."),
    ("vmbo-tl", "Capaciteiten gemiddeld; sociaal-emotionele problematiek remt de ontwikkeling."),
)
STIMULEREND = ("Gemotiveerd, betrokken ouders, goede band met de leerkracht.",
               "Sportief, behulpzaam, werkt graag met de handen.")
BELEMMEREND = ("Snel afgeleid, faalangst bij toetsen.", "Wisselende thuissituatie, concentratie laag.")


def _d(value: Any) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


def _at(day: date, hour: int) -> datetime:
    return datetime.combine(day, datetime.min.time()).replace(hour=hour)


def add_plans(db: Any, route: Any, *, cases: int, seed: int, now: datetime) -> int:
    """Give the newest ``cases`` cases their plans and their earliest clock; returns goals added."""
    from sqlalchemy import func, select

    from kindroute.demo.writer import RowWriter
    from kindroute.services.clocks import BATCH, refresh_range
    from kindroute.store.models import (
        Assignment,
        Case,
        Document,
        Goal,
        GoalEvaluation,
        OppGoal,
        OppHoorrecht,
        OppInstemming,
        OppVersion,
        Pupil,
    )

    rng = random.Random(seed * 7919 + 12)
    today = now.date()
    goals_added = 0
    with db.engine.begin() as conn:
        top = conn.scalar(select(func.max(Case.id))) or 0
        lo = max(1, top - cases + 1)
        if cases <= 0:
            return 0
        ids = {"goals": conn.scalar(select(func.max(Goal.id))) or 0,
               "opp": conn.scalar(select(func.max(OppVersion.id))) or 0}
        docs: dict[int, list[tuple[str, str, datetime, int]]] = {}
        for cid, kind, outcome, at, did in conn.execute(
                select(Document.case_id, Document.kind, Document.outcome, Document.at, Document.id)
                .where(Document.case_id >= lo).order_by(Document.id)):
            docs.setdefault(cid, []).append((kind, outcome, at, did))
        ib_of = dict(conn.execute(select(Assignment.case_id, Assignment.person_id).where(
            Assignment.case_id >= lo, Assignment.role == "ib", Assignment.ended_at.is_(None))).all())
        rows: dict[str, list[dict[str, Any]]] = {k: [] for k in
                                                 ("goals", "evals", "opp", "links", "inst", "hoor")}
        for cid, opened, by, count, last_name in conn.execute(
                select(Case.id, Case.opened_at, Case.opened_by_id, Case.history_count,
                       Pupil.last_name).join(Pupil, Pupil.id == Case.pupil_id)
                .where(Case.id >= lo).order_by(Case.id)):
            author = ib_of.get(cid, by)
            opened_d = _d(opened)
            if not count:
                continue
            case_goals: list[int] = []
            for area in rng.sample(list(AREAS), rng.randint(1, 3)):
                goal, approach = rng.choice(AREAS[area])
                start = opened_d + timedelta(days=rng.randint(7, 21))
                evaluate = start + timedelta(weeks=rng.choice((6, 8, 10)))
                ids["goals"] += 1
                gid = ids["goals"]
                case_goals.append(gid)
                who = rng.choice(WHO) if area != "thuis" else "ouders"
                rows["goals"].append(dict(id=gid, case_id=cid, area=area, goal=goal, approach=approach,
                                          who_role=who if who in route.roles else None, who_id=None,
                                          start_on=start, evaluate_on=evaluate, created_by_id=author,
                                          created_at=_at(start, 9)))
                if evaluate < today - timedelta(days=10) or (evaluate < today and rng.random() < 0.5):
                    result = rng.choices(("behaald", "deels", "niet"), (5, 3, 1))[0]
                    note = {"behaald": "Doel gehaald; aanpak afbouwen.",
                            "deels": "Vooruitgang, maar nog niet stabiel; aanpak voortzetten.",
                            "niet": "Geen groei; analyse in de leerlingbespreking."}[result]
                    rows["evals"].append(dict(goal_id=gid, case_id=cid, evaluated_on=evaluate, result=result,
                                              note=note, by_id=author,
                                              at=_at(evaluate, 15)))
            goals_added += len(case_goals)
            opp_docs = [d for d in docs.get(cid, []) if d[0] == "opp"]
            if not opp_docs:
                continue
            adopted_doc = next((d for d in opp_docs if d[1] == "vastgesteld"), None)
            profile, reasons = rng.choice(PROFILES)
            first_at = opp_docs[0][2]
            versions = 1 if adopted_doc is None else rng.choice((1, 1, 2))
            parent = f"ouder van {last_name}" if rng.random() < 0.3 else f"mevrouw {last_name}"
            for v in range(1, versions + 1):
                ids["opp"] += 1
                vid = ids["opp"]
                created = (first_at - timedelta(days=rng.randint(15, 30)) if v == 1
                           else first_at + timedelta(days=rng.randint(60, 120)))
                if created.date() > today:
                    created = now - timedelta(days=3)
                adopted = adopted_doc is not None and (v == 1 or rng.random() < 0.5)
                adopted_on = (adopted_doc[2].date() if v == 1 and adopted_doc else
                              (created + timedelta(days=14)).date()) if adopted else None
                if adopted_on is not None and adopted_on > today:
                    adopted_on = today
                rows["opp"].append(dict(
                    id=vid, case_id=cid, version=v, status="vastgesteld" if adopted else "concept",
                    uitstroomprofiel=profile, reasons=reasons, stimulerend=rng.choice(STIMULEREND),
                    belemmerend=rng.choice(BELEMMEREND),
                    support="Verlengde instructie 3x per week; begeleiding door de SO-expert eens per maand."
                    if v == 1 else "Als versie 1, plus twee uur per week in de Plus-klas.",
                    support_who="Leerkracht en onderwijsassistent; SO-expert", duration="één schooljaar",
                    created_by_id=author, created_at=created, adopted_on=adopted_on,
                    adopted_by_id=author if adopted else None))
                rows["links"] += [dict(opp_version_id=vid, goal_id=g) for g in case_goals]
                heard_on = created.date() + timedelta(days=rng.randint(1, 7))
                if heard_on <= today and (adopted or rng.random() < 0.6):
                    rows["hoor"].append(dict(opp_version_id=vid, case_id=cid, heard_on=heard_on,
                                             view=rng.choice(VIEWS), weighed=rng.choice(WEIGHED),
                                             recorded_by_id=author, recorded_at=created + timedelta(days=7)))
                agreed_on = created.date() + timedelta(days=rng.randint(7, 14))
                if adopted or (agreed_on <= today and rng.random() < 0.5):
                    outcome = "eens" if adopted else rng.choice(("eens", "deels", "oneens"))
                    note = {"eens": "", "deels": "Ouders willen minder uren buiten de klas; gesprek op "
                            "korte termijn, handelingsdeel wordt aangepast.",
                            "oneens": "Ouders zijn het niet eens met het uitstroomprofiel; second opinion "
                            "van de SO-expert, daarna opnieuw in gesprek."}[outcome]
                    rows["inst"].append(dict(opp_version_id=vid, case_id=cid, given_on=min(agreed_on, today),
                                             given_by=parent, outcome=outcome, note=note,
                                             recorded_by_id=author, recorded_at=created + timedelta(days=14)))
        writer = RowWriter(conn)  # the bulk load's own positional executemany
        for table, key in ((Goal, "goals"), (GoalEvaluation, "evals"), (OppVersion, "opp"),
                           (OppGoal, "links"), (OppInstemming, "inst"), (OppHoorrecht, "hoor")):
            writer.insert(table.__tablename__, rows[key], stored=False)
        running = set(conn.scalars(select(Case.id).where(Case.id >= lo, Case.status == "open")))
        _periods(conn, docs, running, today, rng, route)
        for start in range(lo, top + 1, BATCH):
            refresh_range(conn, route, start, min(top, start + BATCH - 1))
    return goals_added


def _periods(conn: Any, docs: dict[int, list[tuple[str, str, datetime, int]]], running: set[int],
             today: date, rng: random.Random, route: Any) -> None:
    """The fields of every granted decision whose end is a clock (the default route's arrangement
    and TLV): period, support or type and category, school year, bezwaar. The newest period of a
    running case mostly still runs (a few end soon or ended)."""
    import json

    from sqlalchemy import bindparam, update

    from kindroute.store.models import Document

    clocked = {d.id: d for d in route.decisions.values() if d.clock_field is not None}
    rows = []
    for cid, items in docs.items():
        for kind, outcome, at, did in items:
            decision = clocked.get(kind)
            if decision is None or not decision.clock_field.belongs_to(outcome):
                continue
            start = at.date() + timedelta(days=7)
            if kind == "tlv":
                tlv_type = rng.choice(("sbo", "so"))
                end = start + timedelta(days=rng.choice((365, 730)))
                extra = {"type": tlv_type, "schooljaar": f"{start.year}-{start.year + 1}"}
                if tlv_type == "so":
                    extra["categorie"] = rng.choice(("laag", "midden", "hoog"))
            else:
                end = start + timedelta(weeks=rng.choice((12, 20, 26)))
                if cid in running and end < today:
                    end = today + timedelta(days=rng.randint(-7, 150))
                extra = {"vorm": rng.choice(("4 uur per week onderwijsassistent",
                                             "Ambulante begeleiding SO-expert, 1 uur per week",
                                             "Plus-klas, 1 dagdeel per week"))}
            values = {"start": start.isoformat(), decision.clock_field.id: end.isoformat(), **extra,
                      "bezwaar_tot": (at.date() + timedelta(weeks=6)).isoformat()}
            values = {k: v for k, v in values.items() if decision.field(k) is not None}
            rows.append({"i": did, "f": json.dumps(values, ensure_ascii=False)})
    if rows:
        table = Document.__table__
        conn.execute(update(table).where(table.c.id == bindparam("i"))
                     .values(fields_json=bindparam("f")), rows)
