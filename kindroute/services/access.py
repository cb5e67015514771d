"""Who may see and change what, as SQL and as checks, read from the route's ``[[roles]]``.

A role's ``sees`` says which cases it sees: ``"school"`` its own school's cases (such a role
runs them: it records consent and may act at any step), ``"assigned"`` the cases it is assigned
to, ``"swv"`` the cases that reached a step where an SWV role is at turn or R. An ``external``
role that sees its assigned cases sees them only with the parents' valid consent. No role id
is spelled here: renaming a role in the route keeps its rights.

Every list and every read goes through :func:`visible_clause`, so no screen or command can show
a case the rules forbid.
"""

from __future__ import annotations

from datetime import date
from typing import Any, NamedTuple

from sqlalchemy import ColumnElement, and_, exists, false, or_, select, true

from kindroute.services.dto import Actor
from kindroute.store.sql import unindexed
from kindroute.store.tables import assignments as ASSIGNMENTS
from kindroute.store.tables import case_events as EVENTS
from kindroute.store.tables import case_tracks as TRACKS
from kindroute.store.tables import cases as CASES
from kindroute.store.tables import consents as CONSENTS
from kindroute.workflow import Route
from kindroute.workflow.model import SEES_ASSIGNED, SEES_SCHOOL, SEES_SWV, Role


def swv_steps(route: Route) -> list[str]:
    """Steps in which an SWV role has a part (at turn or R): a case that reached one is the SWV's."""
    return route.swv_steps()


def _roles(actor: Actor, route: Route) -> list[Role]:
    """The actor's roles that the route knows."""
    return [role for r in actor.roles if (role := route.roles.get(r)) is not None]


def _assigned(actor: Actor, role: str) -> ColumnElement[bool]:
    return exists().where(
        ASSIGNMENTS.c.case_id == CASES.c.id,
        ASSIGNMENTS.c.person_id == actor.id,
        ASSIGNMENTS.c.role == role,
        ASSIGNMENTS.c.ended_at.is_(None),
    )


def _valid_consent(role: str, today: date, case_id: Any = CASES.c.id) -> ColumnElement[bool]:
    return exists().where(
        CONSENTS.c.case_id == case_id,
        CONSENTS.c.role == role,
        CONSENTS.c.valid_from <= today,
        or_(CONSENTS.c.valid_until.is_(None), CONSENTS.c.valid_until >= today),
        or_(CONSENTS.c.withdrawn_on.is_(None), CONSENTS.c.withdrawn_on > today),
    )


def visible_clause(actor: Actor | None, route: Route, today: date, *,
                   school_index: bool = True) -> ColumnElement[bool]:
    """A WHERE clause on ``cases`` (the Core table of :mod:`kindroute.store.tables`, which the
    ORM's ``Case`` maps) selecting what ``actor`` may see (None: the file's owner).

    ``school_index=False`` keeps SQLite from driving the query through the school index
    (for queries that start from a few pupils instead)."""
    if actor is None:
        return true()
    school = CASES.c.school_id if school_index else unindexed(CASES.c.school_id)
    parts: list[ColumnElement[bool]] = []
    for role in _roles(actor, route):
        if role.sees == SEES_SCHOOL:
            if actor.school_id is not None:
                parts.append(school == actor.school_id)
        elif role.sees == SEES_ASSIGNED:
            if role.external:
                parts.append(and_(_assigned(actor, role.id), _valid_consent(role.id, today)))
            else:
                parts.append(_assigned(actor, role.id))
        elif role.sees == SEES_SWV:
            steps = swv_steps(route)
            if steps:
                parts.append(
                    or_(
                        exists().where(EVENTS.c.case_id == CASES.c.id, EVENTS.c.to_step.in_(steps)),
                        exists().where(TRACKS.c.case_id == CASES.c.id, TRACKS.c.step.in_(steps)),
                    )
                )
    if not parts:
        return false()
    return or_(*parts)


class StartSets(NamedTuple):
    visible: Any  # select of every case id the actor may see (and maybe more)
    every: Any  # a superset, cheap to count
    assigned: bool  # the actor's assigned cases (else: a school's)


def start_cases(actor: Actor | None, today: date, route: Route) -> StartSets | None:
    """Where a list of what ``actor`` may see can start: (every visible case id, a superset
    that is cheap to count), as two selects. For roles that see their assigned cases those cases
    (with valid consent, for an external role); for roles that see their school the school's
    cases. None when no such set is known (the SWV, the file's owner, a mix of roles)."""
    if actor is None or not actor.roles:
        return None
    roles = _roles(actor, route)
    if len(roles) != len(actor.roles):
        return None
    if all(r.sees == SEES_ASSIGNED for r in roles):
        per_role = [
            and_(ASSIGNMENTS.c.role == r.id, _valid_consent(r.id, today, ASSIGNMENTS.c.case_id)) if r.external
            else ASSIGNMENTS.c.role == r.id
            for r in roles
        ]
        visible = select(ASSIGNMENTS.c.case_id).where(
            ASSIGNMENTS.c.person_id == actor.id, ASSIGNMENTS.c.ended_at.is_(None), or_(*per_role))
        # counted in ix_assignments_person_role alone (the row id is in every index)
        every = select(ASSIGNMENTS.c.id).where(ASSIGNMENTS.c.person_id == actor.id,
                                           ASSIGNMENTS.c.role.in_(actor.roles))
        return StartSets(visible, every, True)
    if all(r.sees == SEES_SCHOOL for r in roles) and actor.school_id is not None:
        school = select(CASES.c.id).where(CASES.c.school_id == actor.school_id)
        return StartSets(school, school, False)
    return None


def is_outside_reader(actor: Actor | None, route: Route) -> bool:
    """True when the actor sees cases only through external roles (their reads are logged)."""
    if actor is None:
        return False
    return not any(not r.external for r in _roles(actor, route))


def can_see(session, actor: Actor | None, case_id: int, route: Route, today: date) -> bool:  # type: ignore[no-untyped-def]
    stmt = select(CASES.c.id).where(CASES.c.id == case_id, visible_clause(actor, route, today))
    return session.scalar(stmt) is not None


def manages_school(actor: Actor, school_id: int, route: Route) -> bool:
    """A role that sees its school's cases runs them (consent, any step), on its own school."""
    return actor.school_id == school_id and any(r.sees == SEES_SCHOOL for r in _roles(actor, route))


def school_manager(actor: Actor, route: Route) -> bool:
    """The actor runs a school's cases (some school)."""
    return actor.school_id is not None and any(r.sees == SEES_SCHOOL for r in _roles(actor, route))


def sees_swv(actor: Actor, route: Route) -> bool:
    """The actor holds an SWV role (sees the cases that reached the SWV)."""
    return any(r.sees == SEES_SWV for r in _roles(actor, route))


def may_assign(actor: Actor, route: Route, role: str) -> bool:
    """One of the actor's roles may assign ``role`` (``[[roles]] assigns``)."""
    return any(role in r.assigns for r in _roles(actor, route))


def assigners(route: Route, role: str) -> str:
    """The roles that may assign ``role``, in words (for refusals)."""
    names = [r.label.lower() for r in route.roles.values() if role in r.assigns]
    if not names:
        return "niemand"
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " of " + names[-1]
