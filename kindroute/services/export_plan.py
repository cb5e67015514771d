"""The parts of the parents' export (AVG art. 15) about the plan and the file itself: goals with
their evaluations, every OPP version with instemming and hoorrecht, SWV decision periods, the
zorgplicht decision, every checklist tick, and the log of who read the file."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from kindroute.services.plan_dto import PlanInfo
from kindroute.services.plan_view import read_plan
from kindroute.store.models import AccessLog, Case, ChecklistTick, Person
from kindroute.workflow import Route
from kindroute.workflow.vocabulary import ZORGPLICHT_DECISIONS

Section = tuple[str, list[tuple[str, list[tuple[str, str]]]]]


def _when(value: date | datetime | None) -> str:
    if value is None:
        return "—"
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    return value.isoformat()


def plan_sections(s: Session, case: Case, route: Route, today: date) -> list[Section]:
    """The plan and file sections of the export of ``case`` (access checked by the caller)."""
    plan: PlanInfo = read_plan(s, case, route, today)
    goals = []
    for g in plan.goals:
        fields = [("Gebied", g.area), ("Doel", g.goal), ("Aanpak", g.approach), ("Wie", g.who or "—"),
                  ("Start", _when(g.start)), ("Evalueren op", _when(g.evaluate_on))]
        fields += [(f"Evaluatie {_when(e.on)}", f"{e.result} — {e.by}" + (f": {e.note}" if e.note else ""))
                   for e in g.evaluations]
        goals.append((f"Doel {g.id}", fields))
    opp = []
    for v in plan.opp_versions:
        fields = [
            ("Status", v.status), ("Opgesteld", f"{_when(v.created_at)} door {v.created_by}"),
            ("Vastgesteld", f"{_when(v.adopted)} door {v.adopted_by}" if v.adopted else "nee"),
            ("Uitstroomprofiel", v.uitstroomprofiel), ("Onderbouwing", v.reasons),
            ("Stimulerende factoren", v.stimulerend), ("Belemmerende factoren", v.belemmerend),
            ("Ondersteuning", v.support), ("Door wie", v.support_who), ("Duur", v.duration),
            ("Doelen in het handelingsdeel", ", ".join(str(g) for g in v.goals) or "—"),
        ]
        fields += [(f"Instemming ouders {_when(i.on)}",
                    f"{i.outcome} — {i.by}" + (f"; wat volgt: {i.note}" if i.note else "")
                    + f" (vastgelegd door {i.recorded_by})") for i in v.instemming]
        fields += [(f"Leerling gehoord {_when(h.on)}",
                    f"{h.view}" + (f" — meegewogen: {h.weighed}" if h.weighed else "")
                    + f" (vastgelegd door {h.recorded_by})") for h in v.hoorrecht]
        opp.append((f"OPP versie {v.version}", fields))
    periods = [(f"{p.label} (besluit {p.document_id})", list(p.fields)) for p in plan.periods]
    if plan.zorgplicht is not None:
        z = plan.zorgplicht
        periods.append(("Zorgplicht (aanmelding)", [
            ("Aanmelding ontvangen", _when(z.registered_on)), ("Plaats bieden vóór", _when(z.deadline)),
            ("Verlengd", "ja" if z.extended else "nee"),
            ("Besluit", f"{ZORGPLICHT_DECISIONS.get(z.decision, z.decision)} op {_when(z.decided_on)}"
             if z.decision else "nog niet"),
        ]))
    names: dict[int, str] = {}

    def name(pid: int) -> str:
        if pid not in names:
            p = s.get(Person, pid)
            names[pid] = p.name if p else "?"
        return names[pid]

    ticks = []
    for t in s.scalars(select(ChecklistTick).where(ChecklistTick.case_id == case.id)
                       .order_by(ChecklistTick.done_at, ChecklistTick.id)):
        step = route.steps.get(t.step)
        label = next((c.label for c in step.checklist if c.id == t.item), t.item) if step else t.item
        ticks.append((f"{_when(t.done_at)} — {label}", [
            ("Stap", step.title if step else t.step), ("Afgevinkt door", name(t.done_by_id))]))
    reads = [
        (f"{_when(r.at)} — {name(r.person_id)}", [("Handeling", {"read": "gelezen"}.get(r.action, r.action))])
        for r in s.scalars(select(AccessLog).where(AccessLog.case_id == case.id)
                           .order_by(AccessLog.at, AccessLog.id))
    ]
    return [
        ("Doelen", goals), ("OPP (alle versies, met instemming en hoorrecht)", opp),
        ("Besluiten: looptijd en zorgplicht", periods), ("Checklist (elk vinkje)", ticks),
        ("Wie heeft het dossier gelezen", reads),
    ]
