"""Demo data for the plan of each demo case: goals with evaluations, OPPs with versions,
instemming and hoorrecht, the periods of granted SWV decisions, and every case's earliest clock.

:class:`PlanMaker` makes them with the cases (from the rows :class:`~kindroute.demo.rows.RowMaker`
just made for a case, before they go to the writer): a case that got further than its first step
has goals; a case with an adopted OPP document gets OPP versions (some adjusted, with a new concept
waiting for instemming). Its earliest clock (``cases.next_due``) is computed from the same rows by
the clocks' own :func:`~kindroute.services.clocks.earliest`, so nothing is read back. Only a case
with a decision that has a clock waits: the period of a granted decision is drawn after every plan
(:meth:`PlanMaker.finish`, once the rows are in), and its next_due with it.
Deterministic for a seed and a clock.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import date, datetime, timedelta
from functools import partial
from typing import Any

from kindroute.demo.data import ROLE_IB
from kindroute.services.clocks import ClockInputs, clock_kinds, earliest
from kindroute.workflow.vocabulary import STATUS_OPEN

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


AREA_NAMES = tuple(AREAS)
RESULTS = ("behaald", "deels", "niet")
RESULT_WEIGHTS = (5, 8, 9)  # cumulative: 5, 3 and 1 in 9
RESULT_NOTES = {"behaald": "Doel gehaald; aanpak afbouwen.",
                "deels": "Vooruitgang, maar nog niet stabiel; aanpak voortzetten.",
                "niet": "Geen groei; analyse in de leerlingbespreking."}
INSTEMMING_NOTES = {"eens": "",
                    "deels": "Ouders willen minder uren buiten de klas; gesprek op korte termijn, "
                    "handelingsdeel wordt aangepast.",
                    "oneens": "Ouders zijn het niet eens met het uitstroomprofiel; second opinion van de "
                    "SO-expert, daarna opnieuw in gesprek."}
SUPPORT = ("Verlengde instructie 3x per week; begeleiding door de SO-expert eens per maand.",
           "Als versie 1, plus twee uur per week in de Plus-klas.")


def _d(value: Any) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


def _moment(value: Any) -> datetime:
    """A moment as the generator's rows hold it (SQLite's text or a datetime)."""
    return value if isinstance(value, datetime) else datetime.fromisoformat(value)


def _same(value: Any) -> Any:
    return value


def _at(day: date, hour: int) -> datetime:
    return datetime.combine(day, datetime.min.time()).replace(hour=hour)


def _of_case(rows: list[dict[str, Any]], cid: int) -> list[dict[str, Any]]:
    """The rows of case ``cid`` at the end of ``rows`` (a case's rows are made together)."""
    i = len(rows)
    while i and rows[i - 1]["case_id"] == cid:
        i -= 1
    return rows[i:]


class PlanMaker:
    """The plans and the earliest clock of each demo case, made right after its other rows.

    ``next_ids``: the first free ids of ``goals`` and ``opp_versions`` (the generator hands them
    out). The plans' rows go into the same batch as the case's, in SQLite's storage form on SQLite
    (as :class:`~kindroute.demo.rows.RowMaker` makes them): ISO text, with C functions, no
    per-value Python call.
    """

    def __init__(self, route: Any, *, seed: int, now: datetime, sqlite: bool,
                 next_ids: dict[str, int]) -> None:
        self.route = route
        self.rng = random.Random(seed * 7919 + 12)
        self.now = now
        self.today = now.date()
        self.sqlite = sqlite
        self.ids = {"goals": next_ids["goals"] - 1, "opp": next_ids["opp_versions"] - 1}
        self.clocked = frozenset(clock_kinds(route))
        #: cases with a decision that has a clock: their inputs, until the periods are drawn
        self.waiting: dict[int, ClockInputs] = {}
        #: a date or a moment as stored, and a stored day back as a date
        self.day: Callable[[date], Any] = date.isoformat if sqlite else _same
        self.moment: Callable[[datetime], Any] = (
            partial(datetime.isoformat, sep=" ", timespec="microseconds") if sqlite else _same)
        self.parse_day: Callable[[Any], date] = date.fromisoformat if sqlite else _same

    def case(self, rows: dict[str, list[dict[str, Any]]], last_name: str) -> None:
        """The plan of the case whose rows were made last in ``rows`` (its goals, OPP versions,
        instemming and hoorrecht are added to ``rows``), and its ``next_due``."""
        parse = self.parse_day
        case = rows["cases"][-1]
        cid = case["id"]
        registered = case["registered_on"]
        inputs = ClockInputs(status=case["status"],
                             registered_on=None if registered is None else parse(registered),
                             zorgplicht_extended=bool(case["zorgplicht_extended"]))
        inputs.tracks = [(t["track"], t["step"], None if t["deadline"] is None else parse(t["deadline"]),
                          t["at_turn_role"]) for t in _of_case(rows["case_tracks"], cid)]
        inputs.agreements = [(a["what"], parse(a["due_on"])) for a in _of_case(rows["agreements"], cid)
                             if a["due_on"] is not None and a["done_at"] is None]
        docs = [(d["kind"], d["outcome"], d["at"]) for d in _of_case(rows["documents"], cid)]
        if case["history_count"]:
            author = case["opened_by_id"]
            for a in _of_case(rows["assignments"], cid):
                if a["role"] == ROLE_IB and a["ended_at"] is None:
                    author = a["person_id"]
            self._plan(rows, inputs, cid, _d(case["opened_at"]), author, last_name, docs)
        if any(kind in self.clocked for kind, _o, _a in docs):
            self.waiting[cid] = inputs  # its periods are drawn after every plan (finish)
            case["next_due"] = None
        else:
            due = earliest(inputs, self.route)
            case["next_due"] = None if due is None else self.day(due)

    def _plan(self, rows: dict[str, list[dict[str, Any]]], inputs: ClockInputs, cid: int, opened_d: date,
              author: int, last_name: str, docs: list[tuple[str, str, Any]]) -> None:
        rng, route, today, now, ids = self.rng, self.route, self.today, self.now, self.ids
        day, moment, sqlite = self.day, self.moment, self.sqlite
        randint, choice, rand = rng.randint, rng.choice, rng.random
        goal_rows, eval_rows = rows["goals"], rows["goal_evaluations"]
        case_goals: list[int] = []
        for area in rng.sample(AREA_NAMES, randint(1, 3)):
            goal, approach = choice(AREAS[area])
            start = opened_d + timedelta(days=randint(7, 21))
            evaluate = start + timedelta(weeks=choice((6, 8, 10)))
            ids["goals"] += 1
            gid = ids["goals"]
            case_goals.append(gid)
            who = choice(WHO) if area != "thuis" else "ouders"
            start_v, evaluate_v = day(start), day(evaluate)
            goal_rows.append({"id": gid, "case_id": cid, "area": area, "goal": goal, "approach": approach,
                              "who_role": who if who in route.roles else None, "who_id": None,
                              "start_on": start_v, "evaluate_on": evaluate_v, "created_by_id": author,
                              # the moments at 9:00 and 15:00 of a day (SQLite's text of them, as is)
                              "created_at": f"{start_v} 09:00:00.000000" if sqlite else _at(start, 9)})
            if evaluate < today - timedelta(days=10) or (evaluate < today and rand() < 0.5):
                result = rng.choices(RESULTS, cum_weights=RESULT_WEIGHTS)[0]
                eval_rows.append({"goal_id": gid, "case_id": cid, "evaluated_on": evaluate_v,
                                  "result": result, "note": RESULT_NOTES[result], "by_id": author,
                                  "at": f"{evaluate_v} 15:00:00.000000" if sqlite else _at(evaluate, 15)})
            else:
                inputs.goals.append((area, goal, evaluate))
        opp_docs = [d for d in docs if d[0] == "opp"]
        if not opp_docs:
            return
        adopted_doc = next((d for d in opp_docs if d[1] == "vastgesteld"), None)
        profile, reasons = choice(PROFILES)
        first_at = _moment(opp_docs[0][2])
        versions = 1 if adopted_doc is None else choice((1, 1, 2))
        parent = f"ouder van {last_name}" if rand() < 0.3 else f"mevrouw {last_name}"
        for v in range(1, versions + 1):
            ids["opp"] += 1
            vid = ids["opp"]
            created = (first_at - timedelta(days=randint(15, 30)) if v == 1
                       else first_at + timedelta(days=randint(60, 120)))
            if created.date() > today:
                created = now - timedelta(days=3)
            adopted = adopted_doc is not None and (v == 1 or rand() < 0.5)
            adopted_on = (_d(adopted_doc[2]) if v == 1 and adopted_doc else
                          (created + timedelta(days=14)).date()) if adopted else None
            if adopted_on is not None and adopted_on > today:
                adopted_on = today
            status = "vastgesteld" if adopted else "concept"
            inputs.opp.append((v, status, created.date(), adopted_on))
            rows["opp_versions"].append({
                "id": vid, "case_id": cid, "version": v, "status": status,
                "uitstroomprofiel": profile, "reasons": reasons, "stimulerend": choice(STIMULEREND),
                "belemmerend": choice(BELEMMEREND), "support": SUPPORT[v != 1],
                "support_who": "Leerkracht en onderwijsassistent; SO-expert", "duration": "één schooljaar",
                "created_by_id": author, "created_at": moment(created),
                "adopted_on": None if adopted_on is None else day(adopted_on),
                "adopted_by_id": author if adopted else None})
            rows["opp_goals"] += [{"opp_version_id": vid, "goal_id": g} for g in case_goals]
            heard_on = created.date() + timedelta(days=randint(1, 7))
            if heard_on <= today and (adopted or rand() < 0.6):
                rows["opp_hoorrecht"].append({
                    "opp_version_id": vid, "case_id": cid, "heard_on": day(heard_on), "view": choice(VIEWS),
                    "weighed": choice(WEIGHED), "recorded_by_id": author,
                    "recorded_at": moment(created + timedelta(days=7))})
            agreed_on = created.date() + timedelta(days=randint(7, 14))
            if adopted or (agreed_on <= today and rand() < 0.5):
                outcome = "eens" if adopted else choice(("eens", "deels", "oneens"))
                rows["opp_instemming"].append({
                    "opp_version_id": vid, "case_id": cid, "given_on": day(min(agreed_on, today)),
                    "given_by": parent, "outcome": outcome, "note": INSTEMMING_NOTES[outcome],
                    "recorded_by_id": author, "recorded_at": moment(created + timedelta(days=14))})

    def finish(self, conn: Any) -> None:
        """After the rows are in (on the load's connection, in its transaction): the periods of
        the granted decisions with a clock (drawn after every plan, as the seed always drew them),
        then the next_due of the cases that have them."""
        if not self.waiting:
            return
        from sqlalchemy import bindparam, select, update

        from kindroute.store.models import Case, Document

        docs: dict[int, list[tuple[str, str, datetime, int]]] = {}
        for cid, kind, outcome, at, did in conn.execute(
                select(Document.case_id, Document.kind, Document.outcome, Document.at, Document.id)
                .where(Document.case_id >= min(self.waiting), Document.kind.in_(sorted(self.clocked)))
                .order_by(Document.id)):
            docs.setdefault(cid, []).append((kind, outcome, at, did))
        running = {cid for cid, inputs in self.waiting.items() if inputs.status == STATUS_OPEN}
        fields = _periods(conn, docs, running, self.today, self.rng, self.route)
        due = []
        for cid, inputs in self.waiting.items():
            inputs.decisions = [(did, kind, outcome, fields.get(did, {}))
                                for kind, outcome, _at, did in docs.get(cid, [])]
            due.append({"i": cid, "d": earliest(inputs, self.route)})
        table = Case.__table__
        conn.execute(update(table).where(table.c.id == bindparam("i"))
                     .values(next_due=bindparam("d")), due)
        self.waiting.clear()


def _periods(conn: Any, docs: dict[int, list[tuple[str, str, datetime, int]]], running: set[int],
             today: date, rng: random.Random, route: Any) -> dict[int, dict[str, Any]]:
    """The fields of every granted decision whose end is a clock (the default route's arrangement
    and TLV): period, support or type and category, school year, bezwaar. The newest period of a
    running case mostly still runs (a few end soon or ended). Returns the fields by document id."""
    import json

    from sqlalchemy import bindparam, update

    from kindroute.store.models import Document

    clocked = {d.id: d for d in route.decisions.values() if d.clock_field is not None}
    rows = []
    written: dict[int, dict[str, Any]] = {}
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
            written[did] = values
    if rows:
        table = Document.__table__
        conn.execute(update(table).where(table.c.id == bindparam("i"))
                     .values(fields_json=bindparam("f")), rows)
    return written
