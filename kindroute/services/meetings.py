"""Meetings (besprekingen) as a record: create, build the agenda, walk it, record, close.

A meeting has a kind, a moment, a chair (who opened it), attendees (people, and parents by
name) and an agenda of cases in the chair's order. Each item keeps a conclusion, notes, the
parents' and the pupil's view, whether it was discussed, and links to the agreements made
and the steps taken for it. Open -> closed; a closed meeting changes only by its addendum.

Who sees what: the meeting itself is seen by its chair, its attendees and the school's IB or
director; each item by whom the case's own rules let see that case (consent for an outside
role). An item a viewer may not see is marked and shows neither the pupil nor its content.

Every function takes the :class:`~kindroute.services.core.Services` object and runs its
writes as one unit of work.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime, time
from typing import TYPE_CHECKING

from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import Session

from kindroute.errors import AccessDenied, InvalidInput, NotFound
from kindroute.services import access
from kindroute.services.case_filter import CaseFilter
from kindroute.services.dto import Actor, AgreementInfo, StepResult
from kindroute.services.meeting_dto import (
    KINDS,
    PARENTS,
    MeetingSummary,
)
from kindroute.services.text import check_name, check_text, parse_date
from kindroute.store.hmac_chain import SCHEME_KEYED
from kindroute.store.models import (
    Case,
    CaseEvent,
    Meeting,
    MeetingAttendee,
    MeetingItem,
    MeetingRecord,
    Person,
    School,
)
from kindroute.workflow import Route

if TYPE_CHECKING:
    from kindroute.services.core import Services

CHUNK = 500  # ids per IN (...) list
PAGE = 2000  # cases per page when a set is added to an agenda
ITEM_FIELDS = {"conclusion": "Conclusie", "notes": "Notities", "parents_view": "Visie van de ouders",
               "pupil_view": "Visie van de leerling"}


def parse_moment(value: str | date | datetime | None, today: date) -> datetime:
    """'2026-11-23', '23-11-2026', '2026-11-23 14:30' or '2026-11-23T14:30'; a date alone is 09:00."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return datetime.combine(today, time(9, 0))
    if isinstance(value, datetime):
        return value
    if isinstance(value, date):
        return datetime.combine(value, time(9, 0))
    text = value.strip().replace("T", " ")
    day, _, clock = text.partition(" ")
    d = parse_date(day, "Datum")
    if not clock:
        return datetime.combine(d, time(9, 0))
    try:
        hh, mm = clock.strip().split(":")[:2]
        return datetime.combine(d, time(int(hh), int(mm)))
    except ValueError:
        raise InvalidInput(f"Tijd '{clock}' is geen tijd (UU:MM).") from None


def chunks(ids: Sequence[int]) -> Iterable[Sequence[int]]:
    for i in range(0, len(ids), CHUNK):
        yield ids[i:i + CHUNK]


def _school(session: Session, school: str | int) -> School:
    key = str(school).strip()
    found = session.get(School, int(key)) if key.isdigit() else None
    if found is None:
        found = session.scalar(select(School).where(or_(School.brin == key.upper(),
                                                        func.lower(School.name) == key.lower())))
    if found is None:
        raise NotFound(f"School '{school}' is niet bekend (geef naam, BRIN of nummer).")
    return found


def get_meeting(session: Session, meeting_id: int) -> Meeting:
    m = session.get(Meeting, meeting_id)
    if m is None:
        raise NotFound(f"Bespreking {meeting_id} bestaat niet.")
    return m


def _may_see_meeting(route: Route, session: Session, actor: Actor | None, m: Meeting) -> bool:
    if actor is None or m.chair_id == actor.id:
        return True
    if m.school_id is not None and access.manages_school(actor, m.school_id, route):
        return True
    return session.scalar(select(MeetingAttendee.id).where(
        MeetingAttendee.meeting_id == m.id, MeetingAttendee.person_id == actor.id).limit(1)) is not None


def seen_by(route: Route, session: Session, actor: Actor | None, m: Meeting) -> Meeting:
    if not _may_see_meeting(route, session, actor, m):
        raise AccessDenied(f"U ({actor.name if actor else '?'}) was niet bij bespreking {m.id}.")
    return m


def _editable(route: Route, session: Session, actor: Actor, meeting_id: int, *,
              closed_ok: bool = False) -> Meeting:
    """The meeting, if ``actor`` may change it: its chair or the school's IB/director, while open."""
    m = get_meeting(session, meeting_id)
    if not is_editor(route, actor, m):
        raise AccessDenied("Alleen de voorzitter of de intern begeleider van de school kan deze "
                           "bespreking bijwerken.")
    if m.status != "open" and not closed_ok:
        raise InvalidInput(f"Bespreking {m.id} is gesloten; alleen een aanvulling kan nog.")
    return m


def visible_ids(svc: Services, session: Session, actor: Actor | None, case_ids: Sequence[int]) -> set[int]:
    """Those of ``case_ids`` that ``actor`` may see (the case's own rules)."""
    out: set[int] = set()
    clause = access.visible_clause(actor, svc.route, svc.today())
    for part in chunks(list(case_ids)):
        out.update(session.scalars(select(Case.id).where(Case.id.in_(part), clause)))
    return out


def item_count(session: Session, meeting_id: int) -> int:
    """How many items a meeting has. Positions are kept dense (0 … n-1: adding appends,
    removing closes the gap, moving swaps), so this is the highest position plus one: one
    step in the (meeting, position) index, however long the agenda."""
    last = session.scalar(select(func.max(MeetingItem.position)).where(MeetingItem.meeting_id == meeting_id))
    return 0 if last is None else last + 1


def summarise(svc: Services, session: Session, m: Meeting) -> MeetingSummary:
    school = session.get(School, m.school_id) if m.school_id is not None else None
    chair = session.get(Person, m.chair_id)
    n = item_count(session, m.id)
    return MeetingSummary(m.id, m.kind, KINDS.get(m.kind, m.kind), m.held_at, school.name if school else None,
                          m.school_id, m.status, chair.name if chair else "?", m.chair_id, n, m.position)


# ---------------------------------------------------------------------------- creating


def create_meeting(svc: Services, actor: Actor, kind: str, when: str | date | datetime | None = None, *,
                   school: str | int | None = None, attendees: Sequence[str | int] = (),
                   parents: Sequence[str] = ()) -> int:
    """A new open meeting chaired by ``actor``; returns its id.

    ``attendees``: people by name or id ("ouders:Naam" is a parent by name); ``parents``:
    parents by name as given ("ouders van …").
    """
    if kind not in KINDS:
        raise InvalidInput(f"Onbekende soort bespreking '{kind}'. Bekend: {', '.join(KINDS)}.")
    held = parse_moment(when, svc.today())
    names = [str(p).strip() for p in parents if str(p).strip()]
    people: list[str | int] = []
    for a in attendees:
        text = str(a).strip()
        if text.lower().startswith(PARENTS + ":"):
            names.append(text.split(":", 1)[1].strip())
        elif text:
            people.append(a)
    for n in names:
        check_name(n, "Naam van de ouder")
    with svc._uow() as uow:
        s = uow.session
        school_id = _school(s, school).id if school is not None else actor.school_id
        m = Meeting(kind=kind, held_at=held, school_id=school_id, chair_id=actor.id, status="open",
                    created_at=svc.now(), position=0, addendum="")
        s.add(m)
        s.flush()
        seen: set[int] = {actor.id}
        s.add(MeetingAttendee(meeting_id=m.id, person_id=actor.id, name=actor.name,
                              role=actor.roles[0] if actor.roles else ""))
        for who in people:
            key = str(who).strip()
            person = s.get(Person, int(key)) if key.isdigit() else None
            if person is None:
                found = s.scalars(select(Person).where(func.lower(Person.name) == key.lower())).all()
                if len(found) > 1:
                    raise InvalidInput(f"Er zijn meerdere personen met de naam '{key}'. Gebruik het nummer.")
                person = found[0] if found else None
            if person is None or not person.active:
                raise NotFound(f"Persoon '{who}' is niet bekend in deze database.")
            if person.id in seen:
                continue
            seen.add(person.id)
            s.add(MeetingAttendee(meeting_id=m.id, person_id=person.id, name=person.name,
                                  role=person.role_ids[0] if person.role_ids else ""))
        for n in names:
            s.add(MeetingAttendee(meeting_id=m.id, person_id=None, name=n, role=PARENTS))
        meeting_id = m.id
        uow.commit()
        return meeting_id


def add_cases(svc: Services, actor: Actor, meeting_id: int, case_ids: Sequence[int]) -> tuple[int, int]:
    """Put cases on the agenda, after what is there: (added, already there). All or nothing:
    a case that does not exist or that ``actor`` may not see stops the whole addition."""
    wanted = list(dict.fromkeys(int(c) for c in case_ids))
    with svc._uow() as uow:
        s = uow.session
        _editable(svc.route, s, actor, meeting_id)
        visible = visible_ids(svc, s, actor, wanted)
        missing = [c for c in wanted if c not in visible]
        if missing:
            existing = set()
            for part in chunks(missing):
                existing.update(s.scalars(select(Case.id).where(Case.id.in_(part))))
            unknown = [c for c in missing if c not in existing]
            if unknown:
                raise NotFound(f"Casus {unknown[0]} bestaat niet.")
            raise AccessDenied(f"U ({actor.name}) heeft geen toegang tot casus {missing[0]}.")
        there: set[int] = set()
        for part in chunks(wanted):
            there.update(s.scalars(select(MeetingItem.case_id).where(
                MeetingItem.meeting_id == meeting_id, MeetingItem.case_id.in_(part))))
        pos = s.scalar(select(func.max(MeetingItem.position)).where(MeetingItem.meeting_id == meeting_id))
        pos = -1 if pos is None else pos
        new = [c for c in wanted if c not in there]
        if new:
            s.execute(MeetingItem.__table__.insert(), [
                {"meeting_id": meeting_id, "case_id": c, "position": pos + i + 1, "conclusion": "",
                 "notes": "", "parents_view": "", "pupil_view": ""}
                for i, c in enumerate(new)])
            items: dict[int, list[tuple[str, int]]] = {}
            for part in chunks(new):
                for item_id, cid in s.execute(select(MeetingItem.id, MeetingItem.case_id).where(
                        MeetingItem.meeting_id == meeting_id, MeetingItem.case_id.in_(part))):
                    items[cid] = [("meeting_items", item_id)]
            _seal_items(svc, s, actor, items, bulk=True)
        uow.commit()
        return len(new), len(wanted) - len(new)


def add_set(svc: Services, actor: Actor, meeting_id: int, f: CaseFilter) -> tuple[int, int]:
    """Put every case of a set on the agenda (page by page, never cut off)."""
    ids: list[int] = []
    offset = 0
    while True:
        rows = svc.list_cases(actor, f, limit=PAGE, offset=offset)
        ids.extend(r.id for r in rows)
        if len(rows) < PAGE:
            break
        offset += PAGE
    if not ids:
        return 0, 0
    return add_cases(svc, actor, meeting_id, ids)


def changed_since_last(svc: Services, actor: Actor, meeting_id: int) -> list[int]:
    """Open cases (that ``actor`` sees, of the meeting's school) changed since the last earlier
    meeting of the same kind; every open case when there was none."""
    with svc._uow(write=False) as uow:
        s = uow.session
        m = seen_by(svc.route, s, actor, get_meeting(s, meeting_id))
        prev_q = select(func.max(Meeting.held_at)).where(Meeting.kind == m.kind, Meeting.id != m.id,
                                                         Meeting.held_at < m.held_at)
        if m.school_id is not None:
            prev_q = prev_q.where(Meeting.school_id == m.school_id)
        since = s.scalar(prev_q)
        stmt = select(Case.id).where(Case.status == "open",
                                     access.visible_clause(actor, svc.route, svc.today()))
        if m.school_id is not None:
            stmt = stmt.where(Case.school_id == m.school_id)
        if since is not None:
            stmt = stmt.where(or_(Case.updated_at >= since, Case.opened_at >= since))
        return list(s.scalars(stmt.order_by(Case.id)))


def remove_case(svc: Services, actor: Actor, meeting_id: int, case_id: int) -> None:
    with svc._uow() as uow:
        s = uow.session
        _editable(svc.route, s, actor, meeting_id)
        item = s.scalar(select(MeetingItem).where(MeetingItem.meeting_id == meeting_id,
                                                  MeetingItem.case_id == case_id))
        if item is None:
            raise NotFound(f"Casus {case_id} staat niet op de agenda van bespreking {meeting_id}.")
        pos = item.position
        gone = [("meeting_items", item.id)] + [("meeting_records", r) for r in s.scalars(
            select(MeetingRecord.id).where(MeetingRecord.item_id == item.id))]
        s.execute(MeetingRecord.__table__.delete().where(MeetingRecord.item_id == item.id))
        s.delete(item)
        s.flush()
        _seal_items(svc, s, actor, {case_id: gone})
        s.execute(update(MeetingItem).where(MeetingItem.meeting_id == meeting_id, MeetingItem.position > pos)
                  .values(position=MeetingItem.position - 1))
        uow.commit()


def move_item(svc: Services, actor: Actor, meeting_id: int, position: int, delta: int) -> int:
    """Swap the item at ``position`` with its neighbour ``delta`` (-1 up, +1 down); the new position."""
    with svc._uow() as uow:
        s = uow.session
        _editable(svc.route, s, actor, meeting_id)
        a = s.scalar(select(MeetingItem).where(MeetingItem.meeting_id == meeting_id,
                                               MeetingItem.position == position))
        b = s.scalar(select(MeetingItem).where(MeetingItem.meeting_id == meeting_id,
                                               MeetingItem.position == position + delta))
        if a is None or b is None:
            return position
        a.position, b.position = b.position, a.position
        uow.commit()
        return position + delta


# ---------------------------------------------------------------------------- recording


def is_editor(route: Route, actor: Actor, m: Meeting) -> bool:
    return m.chair_id == actor.id or (
        m.school_id is not None and access.manages_school(actor, m.school_id, route))


def _item(s: Session, meeting_id: int, case_id: int) -> MeetingItem:
    item = s.scalar(select(MeetingItem).where(MeetingItem.meeting_id == meeting_id,
                                              MeetingItem.case_id == case_id))
    if item is None:
        raise NotFound(f"Casus {case_id} staat niet op de agenda van bespreking {meeting_id}.")
    return item


def update_item(svc: Services, actor: Actor, meeting_id: int, case_id: int, *,
                discussed: bool | None = None, **texts: str | None) -> None:
    """Set an item's conclusion, notes, parents' or pupil's view (multi-line text) and/or whether
    it was discussed. Writing a conclusion marks the item discussed."""
    unknown = set(texts) - set(ITEM_FIELDS)
    if unknown:
        raise InvalidInput(f"Onbekend veld: {', '.join(sorted(unknown))}.")
    for key, value in texts.items():
        if value:
            check_text(value, ITEM_FIELDS[key], required=False)
    with svc._uow() as uow:
        s = uow.session
        _editable(svc.route, s, actor, meeting_id)
        if not visible_ids(svc, s, actor, [case_id]):
            raise AccessDenied(f"U ({actor.name}) heeft geen toegang tot casus {case_id}.")
        item = _item(s, meeting_id, case_id)
        for key, value in texts.items():
            if value is not None:
                setattr(item, key, value.strip("\n"))
        if discussed is not None:
            item.discussed = discussed
        elif texts.get("conclusion") and item.discussed is None:
            item.discussed = True
        item.updated_at = svc.now()
        item.updated_by_id = actor.id
        _seal_items(svc, s, actor, {case_id: [("meeting_items", item.id)]})
        uow.commit()


def _seal_items(svc: Services, s: Session, actor: Actor, touched: dict[int, list[tuple[str, int]]], *,
                bulk: bool = False) -> None:
    """Each case whose agenda item (or its records) changed gets an event in its keyed history.

    ``bulk`` (a whole agenda at once): a case from before the keyed history is left as it is (its
    first own change seals it whole, agenda items included) rather than sealed whole here."""
    for case_id, records in sorted(touched.items()):
        case = s.get(Case, case_id)
        if case is None or (bulk and case.history_scheme != SCHEME_KEYED):
            continue
        svc._touch(case)
        svc._seal(s, case, "bespreking", actor, records)


def _link(svc: Services, actor: Actor, meeting_id: int, case_id: int, kind: str, ref_id: int) -> None:
    with svc._uow() as uow:
        item = _item(uow.session, meeting_id, case_id)
        record = MeetingRecord(item_id=item.id, kind=kind, ref_id=ref_id, at=svc.now())
        uow.session.add(record)
        if item.discussed is None:
            item.discussed = True
        uow.session.flush()
        _seal_items(svc, uow.session, actor, {case_id: [("meeting_items", item.id),
                                                        ("meeting_records", record.id)]})
        uow.commit()


def _check_open(svc: Services, actor: Actor, meeting_id: int, case_id: int) -> None:
    with svc._uow(write=False) as uow:
        _editable(svc.route, uow.session, actor, meeting_id)
        _item(uow.session, meeting_id, case_id)


def add_agreement(svc: Services, actor: Actor, meeting_id: int, case_id: int, what: str, *,
                  who: str | int | None = None, due_on: str | date | None = None,
                  expected_version: int | None = None) -> AgreementInfo:
    """An agreement made in the meeting: ``who`` is a person (an attendee or anyone known) or
    ``"ouders"`` (the parents, who have no person record)."""
    _check_open(svc, actor, meeting_id, case_id)
    if who is not None and str(who).strip().lower() == PARENTS:
        info = svc.add_agreement(actor, case_id, what, who_role=PARENTS, due_on=due_on,
                                 expected_version=expected_version)
    else:
        info = svc.add_agreement(actor, case_id, what, who=who, due_on=due_on,
                                 expected_version=expected_version)
    _link(svc, actor, meeting_id, case_id, "agreement", info.id)
    return info


def take_step(svc: Services, actor: Actor, meeting_id: int, case_id: int, trigger: str, *,
              note: str = "", expected_version: int | None = None) -> StepResult:
    """A step taken in the meeting (the case's own rules), linked to the item."""
    _check_open(svc, actor, meeting_id, case_id)
    result = svc.advance_case(actor, case_id, trigger, note=note, expected_version=expected_version)
    with svc._uow(write=False) as uow:
        seq = uow.session.scalar(select(func.max(CaseEvent.seq)).where(
            CaseEvent.case_id == case_id, CaseEvent.kind == "step")) or 0
    _link(svc, actor, meeting_id, case_id, "step", seq)
    return result


def close_meeting(svc: Services, actor: Actor, meeting_id: int) -> MeetingSummary:
    """Close: items never reached are marked "niet aan toegekomen"; afterwards read-only."""
    with svc._uow() as uow:
        s = uow.session
        m = _editable(svc.route, s, actor, meeting_id)
        unreached = {cid: [("meeting_items", iid)] for iid, cid in s.execute(
            select(MeetingItem.id, MeetingItem.case_id).where(MeetingItem.meeting_id == meeting_id,
                                                              MeetingItem.discussed.is_(None)))}
        s.execute(update(MeetingItem).where(MeetingItem.meeting_id == meeting_id,
                                            MeetingItem.discussed.is_(None)).values(discussed=False))
        _seal_items(svc, s, actor, unreached, bulk=True)
        m.status = "closed"
        m.closed_at = svc.now()
        s.flush()
        summary = summarise(svc, s, m)
        uow.commit()
        return summary


def add_addendum(svc: Services, actor: Actor, meeting_id: int, text: str) -> None:
    """A closed meeting's only change: an addendum, appended with date and author."""
    check_text(text, "Aanvulling")
    with svc._uow() as uow:
        m = _editable(svc.route, uow.session, actor, meeting_id, closed_ok=True)
        stamp = f"{svc.now():%Y-%m-%d %H:%M} {actor.name}:\n{text.strip()}"
        m.addendum = f"{m.addendum}\n\n{stamp}" if m.addendum else stamp
        uow.commit()
