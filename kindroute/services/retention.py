"""Retention (domain.md): a closed case is kept for 2 years after the pupil left the school,
3 years when the pupil was referred to special education; then it is removed completely.

What remains is an anonymous line in ``purge_log``: how many cases, per school, per final
step and per year closed — no names, no dates of birth, no ids. The purge is the one code
path that deletes history, and it records itself. It runs as one transaction: all
expired cases go, or none.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import delete, select, text

from kindroute.errors import AccessDenied, InvalidInput, NotFound
from kindroute.services import access
from kindroute.services.core import Services
from kindroute.services.dto import Actor
from kindroute.services.history import history_key_for
from kindroute.services.text import parse_date
from kindroute.store import figures
from kindroute.store.hmac_chain import purge_mac
from kindroute.store.models import (
    AccessLog,
    Agreement,
    Assignment,
    Case,
    CaseEvent,
    CaseRoute,
    CaseTrack,
    ChecklistTick,
    ConsentRecord,
    Document,
    Note,
    Pupil,
    PurgeLog,
    School,
    TurnConfirmation,
)
from kindroute.store.uow import UnitOfWork
from kindroute.workflow.vocabulary import ENDED_STATUSES, STATUS_REFERRED

KEEP_YEARS = 2
KEEP_YEARS_REFERRED = 3
CHUNK = 500


def add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def purge_after(status: str, left_on: date, closed_on: date | None) -> date:
    """The first day on which a closed case may be removed."""
    start = max(left_on, closed_on) if closed_on else left_on
    return add_years(start, KEEP_YEARS_REFERRED if status == STATUS_REFERRED else KEEP_YEARS)


@dataclass(frozen=True)
class ExpiredCase:
    case_id: int
    pupil: str
    school: str
    status: str
    final_step: str
    closed_on: date | None
    left_on: date
    purge_from: date


@dataclass
class PurgeResult:
    dry_run: bool
    cases: list[ExpiredCase] = field(default_factory=list)
    pupils_removed: int = 0
    counts: dict[str, dict[str, int]] = field(default_factory=dict)

    @property
    def cases_removed(self) -> int:
        return 0 if self.dry_run else len(self.cases)


def _require_purger(svc: Services, actor: Actor) -> None:
    if access.sees_swv(actor, svc.route) or access.school_manager(actor, svc.route):
        return
    raise AccessDenied(
        "Alleen de intern begeleider of directeur (voor de eigen school) of het SWV mag "
        "verlopen casussen verwijderen."
    )


def set_pupil_left(svc: Services, actor: Actor, pupil_id: int, on: str | date | None) -> date | None:
    """Record (or with ``None`` clear) the day a pupil left the school: starts the retention clock."""
    day = parse_date(on, "Datum van vertrek") if on is not None else None
    with UnitOfWork(svc.db) as uow:
        s = uow.session
        pupil = s.get(Pupil, pupil_id)
        if pupil is None:
            raise NotFound(f"Leerling {pupil_id} bestaat niet.")
        if not access.manages_school(actor, pupil.school_id, svc.route):
            raise AccessDenied(
                "Alleen de intern begeleider of directeur van de school mag de vertrekdatum vastleggen."
            )
        if day is not None:
            if day > svc.today():
                raise InvalidInput(f"Datum van vertrek {day.isoformat()} ligt in de toekomst.")
            if day < pupil.date_of_birth:
                raise InvalidInput(f"Datum van vertrek {day.isoformat()} ligt vóór de geboortedatum.")
        pupil.left_school_on = day
        # every case of the pupil changes with it, so a concurrent editor sees a new version
        # lock the pupil's cases before the history's head (the order every writer keeps)
        for case in s.scalars(select(Case).where(Case.pupil_id == pupil_id).order_by(Case.id)
                              .with_for_update()).all():
            svc._touch(case)
            svc._seal(s, case, "pupil", actor, [("pupils", pupil_id)])
        uow.commit()
        return day


def pupil_of_case(svc: Services, actor: Actor, case_id: int) -> int:
    with UnitOfWork(svc.db, write=False) as uow:
        case = uow.session.get(Case, case_id)
        if case is None:
            raise NotFound(f"Casus {case_id} bestaat niet.")
        if not access.can_see(uow.session, actor, case_id, svc.route, svc.today()):
            raise AccessDenied(f"U ({actor.name}) heeft geen toegang tot casus {case_id}.")
        return case.pupil_id


def _expired(svc: Services, s, actor: Actor) -> list[ExpiredCase]:  # type: ignore[no-untyped-def]
    today = svc.today()
    main = svc.route.main_track.id
    stmt = (
        select(Case.id, Pupil.name, School.name, Case.status, CaseTrack.step, Case.closed_at,
               Pupil.left_school_on)
        .join(Pupil, Pupil.id == Case.pupil_id)
        .join(School, School.id == Case.school_id)
        .outerjoin(CaseTrack, (CaseTrack.case_id == Case.id) & (CaseTrack.track == main))
        .where(Case.status.in_(ENDED_STATUSES), Pupil.left_school_on.is_not(None))
        .order_by(Case.id)
    )
    if not access.sees_swv(actor, svc.route):
        stmt = stmt.where(Case.school_id == actor.school_id)
    out = []
    for cid, pupil, school, status, step, closed_at, left_on in s.execute(stmt):
        closed_on = closed_at.date() if closed_at else None
        when = purge_after(status, left_on, closed_on)
        if when <= today:
            out.append(ExpiredCase(cid, pupil, school, status, step or "", closed_on, left_on, when))
    return out


def purge_expired(svc: Services, actor: Actor, *, dry_run: bool = False) -> PurgeResult:
    """Remove every case whose retention term has passed (or, dry run, list them)."""
    _require_purger(svc, actor)
    with UnitOfWork(svc.db) as uow:
        s = uow.session
        expired = _expired(svc, s, actor)
        counts = {
            "per_school": dict(Counter(e.school for e in expired)),
            "per_final_step": dict(Counter(e.final_step for e in expired)),
            "per_year_closed": dict(Counter(str(e.closed_on.year) if e.closed_on else "?" for e in expired)),
        }
        result = PurgeResult(dry_run=dry_run, cases=expired, counts=counts)
        if dry_run or not expired:
            return result
        ids = [e.case_id for e in expired]
        pupil_ids: set[int] = set()
        if not svc.db.is_sqlite:  # the history tables refuse DELETE outside a purge (trigger)
            s.execute(text("SET LOCAL kindroute.purge = 'on'"))
        for i in range(0, len(ids), CHUNK):
            part = ids[i:i + CHUNK]
            pupil_ids.update(s.scalars(select(Case.pupil_id).where(Case.id.in_(part))))
            figures.forget_history(s.connection(), part)  # the monitor no longer counts them
            for model in (AccessLog, ChecklistTick, Document, Agreement, Note, ConsentRecord, Assignment,
                          CaseEvent, CaseTrack, CaseRoute, TurnConfirmation):
                s.execute(delete(model).where(model.case_id.in_(part)), execution_options={
                    "synchronize_session": False})
            s.execute(delete(Case).where(Case.id.in_(part)), execution_options={"synchronize_session": False})
        remaining = set(s.scalars(select(Case.pupil_id).where(Case.pupil_id.in_(pupil_ids)).distinct())) \
            if pupil_ids else set()
        orphans = sorted(pupil_ids - remaining)
        for i in range(0, len(orphans), CHUNK):
            s.execute(delete(Pupil).where(Pupil.id.in_(orphans[i:i + CHUNK])),
                      execution_options={"synchronize_session": False})
        result.pupils_removed = len(orphans)
        key = history_key_for(svc.db, s.connection(), write=True)
        at = svc.now()
        case_ids = json.dumps(sorted(ids))
        s.add(PurgeLog(at=at, by_id=actor.id, cases_removed=len(ids),
                       counts_json=json.dumps(counts, ensure_ascii=False, sort_keys=True),
                       case_ids=case_ids, mac=purge_mac(key, at=at, by_id=actor.id, case_ids=case_ids)))
        uow.commit()
        return result


def purge_history(svc: Services) -> list[tuple[date, int, dict[str, dict[str, int]]]]:
    """Earlier purges: when, how many cases, the anonymous counts."""
    with UnitOfWork(svc.db, write=False) as uow:
        return [
            (p.at.date(), p.cases_removed, json.loads(p.counts_json or "{}"))
            for p in uow.session.scalars(select(PurgeLog).order_by(PurgeLog.id))
        ]
