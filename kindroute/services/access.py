"""Who may see and change what (domain.md, "Who sees what"), as SQL and as checks.

Every list and every read goes through :func:`visible_clause`, so no screen or
command can show a case the rules forbid.
"""

from __future__ import annotations

from datetime import date
from typing import Any, NamedTuple

from sqlalchemy import ColumnElement, and_, exists, false, or_, select, true

from kindroute.services.dto import Actor
from kindroute.store.models import Assignment, Case, CaseEvent, CaseTrack, ConsentRecord
from kindroute.store.sql import unindexed
from kindroute.workflow import Route
from kindroute.workflow.vocabulary import OUTSIDE_ROLES, ROLE_SWV, ROLE_TEACHER, SCHOOL_MANAGER_ROLES


def swv_steps(route: Route) -> list[str]:
    """Steps in which the SWV has a part (at turn or R): a case that reached one is the SWV's."""
    return [
        s.id
        for s in route.steps.values()
        if s.at_turn == ROLE_SWV or s.involved.get(ROLE_SWV) == "R"
    ]


def _assigned(actor: Actor, role: str) -> ColumnElement[bool]:
    return exists().where(
        Assignment.case_id == Case.id,
        Assignment.person_id == actor.id,
        Assignment.role == role,
        Assignment.ended_at.is_(None),
    )


def _valid_consent(role: str, today: date, case_id: Any = Case.id) -> ColumnElement[bool]:
    return exists().where(
        ConsentRecord.case_id == case_id,
        ConsentRecord.role == role,
        ConsentRecord.valid_from <= today,
        or_(ConsentRecord.valid_until.is_(None), ConsentRecord.valid_until >= today),
        or_(ConsentRecord.withdrawn_on.is_(None), ConsentRecord.withdrawn_on > today),
    )


def visible_clause(actor: Actor | None, route: Route, today: date, *,
                   school_index: bool = True) -> ColumnElement[bool]:
    """A WHERE clause on ``Case`` selecting what ``actor`` may see (None: the file's owner).

    ``school_index=False`` keeps SQLite from driving the query through the school index
    (for queries that start from a few pupils instead)."""
    if actor is None:
        return true()
    school = Case.school_id if school_index else unindexed(Case.school_id)
    parts: list[ColumnElement[bool]] = []
    for role in actor.roles:
        if role in SCHOOL_MANAGER_ROLES and actor.school_id is not None:
            parts.append(school == actor.school_id)
        elif role == ROLE_TEACHER:
            parts.append(_assigned(actor, ROLE_TEACHER))
        elif role in OUTSIDE_ROLES:
            parts.append(and_(_assigned(actor, role), _valid_consent(role, today)))
        elif role == ROLE_SWV:
            steps = swv_steps(route)
            if steps:
                parts.append(
                    or_(
                        exists().where(CaseEvent.case_id == Case.id, CaseEvent.to_step.in_(steps)),
                        exists().where(CaseTrack.case_id == Case.id, CaseTrack.step.in_(steps)),
                    )
                )
    if not parts:
        return false()
    return or_(*parts)


class StartSets(NamedTuple):
    visible: Any  # select of every case id the actor may see (and maybe more)
    every: Any  # a superset, cheap to count
    assigned: bool  # the actor's assigned cases (else: a school's)


def start_cases(actor: Actor | None, today: date) -> StartSets | None:
    """Where a list of what ``actor`` may see can start: (every visible case id, a superset
    that is cheap to count), as two selects. For a teacher or an outside role their assigned
    cases (with valid consent, for an outside role); for an IB or director their school's
    cases. None when no such set is known (the SWV, the file's owner, a mix of roles)."""
    if actor is None or not actor.roles:
        return None
    if all(r == ROLE_TEACHER or r in OUTSIDE_ROLES for r in actor.roles):
        per_role = [
            and_(Assignment.role == r, _valid_consent(r, today, Assignment.case_id)) if r in OUTSIDE_ROLES
            else Assignment.role == r
            for r in actor.roles
        ]
        visible = select(Assignment.case_id).where(
            Assignment.person_id == actor.id, Assignment.ended_at.is_(None), or_(*per_role))
        # counted in ix_assignments_person_role alone (the row id is in every index)
        every = select(Assignment.id).where(Assignment.person_id == actor.id,
                                           Assignment.role.in_(actor.roles))
        return StartSets(visible, every, True)
    if all(r in SCHOOL_MANAGER_ROLES for r in actor.roles) and actor.school_id is not None:
        school = select(Case.id).where(Case.school_id == actor.school_id)
        return StartSets(school, school, False)
    return None


def is_outside_reader(actor: Actor | None) -> bool:
    """True when the actor sees cases only as an outside role (reads are logged)."""
    if actor is None:
        return False
    return not any(r in SCHOOL_MANAGER_ROLES or r == ROLE_TEACHER for r in actor.roles)


def can_see(session, actor: Actor | None, case_id: int, route: Route, today: date) -> bool:  # type: ignore[no-untyped-def]
    stmt = select(Case.id).where(Case.id == case_id, visible_clause(actor, route, today))
    return session.scalar(stmt) is not None


def manages_school(actor: Actor, school_id: int) -> bool:
    """IB and director manage their school's cases (assign, consent, any step)."""
    return actor.school_id == school_id and any(r in SCHOOL_MANAGER_ROLES for r in actor.roles)
