"""A case's tijdlijn: every kind of event around a case in one list, newest first.

Steps, notes, agreements (made and done), consents (given and withdrawn), documents,
assignments (started and ended), checklist ticks and meeting items. It reads through
``case_detail`` first, so the same rules decide who may see it (and an outside role's
read is logged); the rest comes from the store in a few queries.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import TYPE_CHECKING

from sqlalchemy import select

from kindroute.errors import InvalidInput
from kindroute.services.dto import Actor, JsonMixin
from kindroute.services.meeting_dto import KINDS as MEETING_KINDS
from kindroute.store.models import Assignment, ChecklistTick, Meeting, MeetingItem, Person

if TYPE_CHECKING:
    from kindroute.services.core import Services

#: Kinds of event, with the word users read (the filter's choices, in this order).
KINDS: dict[str, str] = {
    "stap": "Stap",
    "notitie": "Notitie",
    "afspraak": "Afspraak",
    "toestemming": "Toestemming",
    "document": "Document",
    "toewijzing": "Toewijzing",
    "vinkje": "Checklist",
    "bespreking": "Bespreking",
}


@dataclass(frozen=True)
class TimelineEvent(JsonMixin):
    at: datetime
    kind: str
    kind_label: str
    title: str
    by: str
    text: str = ""


def _moment(value: date | datetime) -> datetime:
    return value if isinstance(value, datetime) else datetime.combine(value, time(0, 0))


def case_timeline(svc: Services, actor: Actor | None, case_id: int,
                  kinds: Sequence[str] | None = None) -> list[TimelineEvent]:
    """Every event of the case that ``actor`` may see, newest first; only ``kinds`` when given."""
    wanted = set(kinds or KINDS)
    unknown = wanted - set(KINDS)
    if unknown:
        raise InvalidInput(f"Onbekende soort(en): {', '.join(sorted(unknown))}. Bekend: {', '.join(KINDS)}.")
    d = svc.case_detail(actor, case_id)
    ev: list[TimelineEvent] = []

    def add(at: date | datetime, kind: str, title: str, by: str, text: str = "") -> None:
        if kind in wanted:
            ev.append(TimelineEvent(_moment(at), kind, KINDS[kind], title, by, text))

    add(d.opened_at, "stap", "Casus geopend", "")
    for h in d.history:
        add(h.at, "stap", f"{svc.step_title(h.from_)} → {svc.step_title(h.to)}", h.by, h.note)
    for n in d.notes:
        add(n.at, "notitie", "Notitie" + (f" ({svc.step_title(n.step)})" if n.step else ""), n.author, n.text)
    for g in d.agreements:
        who = g.who or (svc.role_label(g.who_role) if g.who_role else "niemand")
        due = f", vóór {g.due_on:%d-%m-%Y}" if g.due_on else ""
        add(g.created_at, "afspraak", f"Afspraak: {who}{due}", g.created_by, g.what)
        if g.done and g.done_at:
            add(g.done_at, "afspraak", "Afspraak gedaan", "", g.what)
    for c in d.consents:
        add(c.recorded_at, "toestemming", f"Toestemming {c.role_label}, gegeven door {c.given_by}",
            c.recorded_by, c.purpose)
        if c.withdrawn_on:
            add(c.withdrawn_on, "toestemming", f"Toestemming {c.role_label} ingetrokken", "", c.purpose)
    for doc in d.documents:
        add(doc.at, "document", f"{doc.kind}: {doc.outcome}", doc.author, doc.title)
    with svc._uow(write=False) as uow:
        s = uow.session
        names: dict[int, str] = {}

        def name(pid: int | None) -> str:
            if pid is None:
                return ""
            if pid not in names:
                p = s.get(Person, pid)
                names[pid] = p.name if p else "?"
            return names[pid]

        for a in s.scalars(select(Assignment).where(Assignment.case_id == case_id)):
            add(a.started_at, "toewijzing", f"{svc.role_label(a.role)}: {name(a.person_id)}",
                name(a.assigned_by_id))
            if a.ended_at:
                add(a.ended_at, "toewijzing", f"{svc.role_label(a.role)} {name(a.person_id)} beëindigd", "")
        for t in s.scalars(select(ChecklistTick).where(ChecklistTick.case_id == case_id)):
            step = svc.route.steps.get(t.step)
            label = next((c.label for c in step.checklist if c.id == t.item), t.item) if step else t.item
            add(t.done_at, "vinkje", f"Afgevinkt: {label}", name(t.done_by_id))
        items = select(MeetingItem, Meeting).join(Meeting, Meeting.id == MeetingItem.meeting_id)
        for item, m in s.execute(items.where(MeetingItem.case_id == case_id)):
            text = "\n".join(x for x in (item.conclusion, item.notes) if x)
            state = {True: "besproken", False: "niet aan toegekomen", None: "op de agenda"}[item.discussed]
            add(m.held_at, "bespreking", f"{MEETING_KINDS.get(m.kind, m.kind)} {m.id}: {state}",
                name(m.chair_id), text)
    ev.sort(key=lambda e: e.at, reverse=True)
    return ev
