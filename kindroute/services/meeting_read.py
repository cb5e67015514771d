"""Reading meetings: the walk (one item by its position), the agenda, the list, the verslag.

Every item is shown as the viewer may see it (see :mod:`kindroute.services.meetings`):
an item of a case the viewer may not see is marked hidden and carries no pupil and no
content. Reads by an outside role are logged like every other read of a case.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from kindroute.services import access
from kindroute.services.dto import Actor, CaseDetail
from kindroute.services.meeting_dto import (
    AttendeeInfo,
    ItemAgreement,
    ItemStep,
    ItemView,
    MeetingSummary,
    MeetingView,
)
from kindroute.services.meetings import (
    CHUNK,
    chunks,
    get_meeting,
    is_editor,
    item_count,
    seen_by,
    summarise,
    visible_ids,
)
from kindroute.store.models import (
    AccessLog,
    Agreement,
    Case,
    CaseEvent,
    Meeting,
    MeetingAttendee,
    MeetingItem,
    MeetingRecord,
    Person,
    Pupil,
)

if TYPE_CHECKING:
    from kindroute.services.core import Services


def agenda_page(svc: Services, actor: Actor | None, meeting_id: int, offset: int = 0,
                limit: int = 200) -> list[tuple[int, int, str | None]]:
    """(position, case id, pupil or None when hidden) of a page of the agenda, in order."""
    with svc._uow(write=False) as uow:
        s = uow.session
        seen_by(svc.route, s, actor, get_meeting(s, meeting_id))
        rows = s.execute(
            select(MeetingItem.position, MeetingItem.case_id, Pupil.name)
            .join(Case, Case.id == MeetingItem.case_id).join(Pupil, Pupil.id == Case.pupil_id)
            .where(MeetingItem.meeting_id == meeting_id, MeetingItem.position >= offset)
            .order_by(MeetingItem.position).limit(limit)).all()
        visible = visible_ids(svc, s, actor, [r[1] for r in rows])
        return [(p, c, name if c in visible else None) for p, c, name in rows]


def item_at(svc: Services, actor: Actor | None, meeting_id: int, position: int, *,
            remember: bool = True) -> tuple[ItemView | None, int]:
    """The item at ``position`` and the number of items; the meeting remembers where it was.

    One read by (meeting, position) and a count by the same index: as quick for an agenda of
    10,000 items as for one of 10.
    """
    # an outside role's read is logged
    logged = actor is not None and access.is_outside_reader(actor, svc.route)
    with svc._uow(write=(remember or logged) and actor is not None) as uow:
        s = uow.session
        m = seen_by(svc.route, s, actor, get_meeting(s, meeting_id))
        total = item_count(s, meeting_id)
        if total == 0:
            return None, 0
        position = max(0, min(position, total - 1))
        item = s.scalar(select(MeetingItem).where(MeetingItem.meeting_id == meeting_id,
                                                  MeetingItem.position == position))
        if item is None:
            return None, total
        view = _views(svc, s, actor, [item])[0]
        moved = remember and actor is not None and m.status == "open" and m.position != position \
            and is_editor(svc.route, actor, m)
        if moved:
            m.position = position
        if moved or (logged and not view.hidden):
            uow.commit()
        return view, total


def _views(svc: Services, s: Session, viewer: Actor | None, items: Sequence[MeetingItem]) -> list[ItemView]:
    """Items as ``viewer`` may see them, with their agreements and steps."""
    case_ids = [i.case_id for i in items]
    visible = visible_ids(svc, s, viewer, case_ids)
    pupils: dict[int, str] = {}
    for part in chunks(case_ids):
        names_q = select(Case.id, Pupil.name).join(Pupil, Pupil.id == Case.pupil_id)
        pupils.update((cid, nm) for cid, nm in s.execute(names_q.where(Case.id.in_(part))))
    records: dict[int, list[MeetingRecord]] = {}
    item_ids = [i.id for i in items if i.case_id in visible]
    for part in chunks(item_ids):
        for r in s.scalars(select(MeetingRecord).where(MeetingRecord.item_id.in_(part))
                           .order_by(MeetingRecord.id)):
            records.setdefault(r.item_id, []).append(r)
    names: dict[int, str] = {}

    def name(pid: int | None) -> str:
        if pid is None:
            return ""
        if pid not in names:
            p = s.get(Person, pid)
            names[pid] = p.name if p else "?"
        return names[pid]

    out = []
    for i in items:
        if i.case_id not in visible:
            out.append(ItemView(i.id, i.position, i.case_id, None, True, "", "", "", "", i.discussed))
            continue
        agreements, steps = [], []
        for r in records.get(i.id, []):
            if r.kind == "agreement":
                g = s.get(Agreement, r.ref_id)
                if g is not None:
                    who = name(g.who_id) or (svc.role_label(g.who_role) if g.who_role else "niemand")
                    agreements.append(ItemAgreement(g.id, g.what, who, g.due_on, g.done_at is not None))
            elif r.kind == "step":
                e = s.scalar(select(CaseEvent).where(CaseEvent.case_id == i.case_id,
                                                     CaseEvent.seq == r.ref_id))
                if e is not None:
                    steps.append(ItemStep(e.seq, svc.step_title(e.from_step), svc.step_title(e.to_step),
                                          e.actor_name, e.note))
        out.append(ItemView(i.id, i.position, i.case_id, pupils.get(i.case_id), False, i.conclusion, i.notes,
                            i.parents_view, i.pupil_view, i.discussed, tuple(agreements), tuple(steps)))
    if viewer is not None and access.is_outside_reader(viewer, svc.route) and item_ids:
        now = svc.now()
        for i in items:
            if i.case_id in visible:
                s.add(AccessLog(person_id=viewer.id, case_id=i.case_id, at=now, action="bespreking"))
        s.flush()
    return out


def list_meetings(svc: Services, actor: Actor | None, *, open_only: bool = False) -> list[MeetingSummary]:
    """Meetings ``actor`` may see: open ones first, then the newest."""
    with svc._uow(write=False) as uow:
        s = uow.session
        stmt = select(Meeting)
        if open_only:
            stmt = stmt.where(Meeting.status == "open")
        if actor is not None:
            attended = select(MeetingAttendee.meeting_id).where(MeetingAttendee.person_id == actor.id)
            cond = [Meeting.chair_id == actor.id, Meeting.id.in_(attended)]
            if actor.school_id is not None and access.school_manager(actor, svc.route):
                cond.append(Meeting.school_id == actor.school_id)
            stmt = stmt.where(or_(*cond))
        stmt = stmt.order_by((Meeting.status == "open").desc(), Meeting.held_at.desc(), Meeting.id.desc())
        return [summarise(svc, s, m) for m in s.scalars(stmt)]


def meeting_summary(svc: Services, actor: Actor | None, meeting_id: int) -> MeetingSummary:
    with svc._uow(write=False) as uow:
        s = uow.session
        return summarise(svc, s, seen_by(svc.route, s, actor, get_meeting(s, meeting_id)))


def attendees(svc: Services, actor: Actor | None, meeting_id: int) -> list[AttendeeInfo]:
    with svc._uow(write=False) as uow:
        s = uow.session
        seen_by(svc.route, s, actor, get_meeting(s, meeting_id))
        return [AttendeeInfo(a.name, a.role, svc.role_label(a.role), a.person_id)
                for a in s.scalars(select(MeetingAttendee).where(MeetingAttendee.meeting_id == meeting_id)
                                   .order_by(MeetingAttendee.id))]


def meeting_view(svc: Services, viewer: Actor | None, meeting_id: int) -> MeetingView:
    """The whole meeting as ``viewer`` may see it (the verslag)."""
    people = attendees(svc, viewer, meeting_id)
    with svc._uow(write=viewer is not None and access.is_outside_reader(viewer, svc.route)) as uow:
        s = uow.session
        m = seen_by(svc.route, s, viewer, get_meeting(s, meeting_id))
        summary = summarise(svc, s, m)
        items = list(s.scalars(select(MeetingItem).where(MeetingItem.meeting_id == meeting_id)
                               .order_by(MeetingItem.position)))
        views: list[ItemView] = []
        for start in range(0, len(items), CHUNK):
            views.extend(_views(svc, s, viewer, items[start:start + CHUNK]))
        if viewer is not None and access.is_outside_reader(viewer, svc.route):
            uow.commit()
        return MeetingView(summary, tuple(people), tuple(views), m.addendum,
                           viewer.name if viewer else "beheerder van het bestand", svc.now())


def item_counts(view: MeetingView) -> dict[str, Any]:
    """How many items were discussed, not reached, hidden (the verslag's first line)."""
    return {
        "total": len(view.items),
        "discussed": sum(1 for i in view.items if i.discussed),
        "not_reached": sum(1 for i in view.items if i.discussed is False),
        "hidden": sum(1 for i in view.items if i.hidden),
    }


def walk_to(svc: Services, actor: Actor | None, meeting_id: int,
            position: int) -> tuple[ItemView | None, int, CaseDetail | None, MeetingSummary]:
    """Everything one move of the walk shows: the item at ``position`` (remembered), the number
    of items, the case's detail when the actor may see it, and the meeting's summary."""
    item, total = item_at(svc, actor, meeting_id, position)
    # the walk shows the case's goals (``screens/meeting_walk.py``): the detail with its plan
    detail = (svc.case_detail(actor, item.case_id, plan=True)
              if item is not None and not item.hidden else None)
    return item, total, detail, meeting_summary(svc, actor, meeting_id)
