"""Who may add and change people, users and schools: the rules in one place, read from the route.

Pure functions over :class:`~kindroute.services.dto.Actor`, the route and plain facts about the
target (no database). Every face goes through them: the Mensen screen, ``people add``,
``schools add``, ``user add`` and ``user passwd``.

The rules (issue "privileges as rules"), with the roles and their rights from the route's
``[[roles]]`` (:func:`rights`):

* ``None`` as actor is the owner of a local database file before anyone is named (or the
  very first administrator of a shared one): everything.
* The SWV's administrator — a role that sees the SWV's cases (``sees = "swv"``): everything, for
  every school.
* A role that runs a school (``sees = "school"``): staff of its *own* school, in the roles it
  grants — its ``grants`` list when the route states one, else the roles it ``assigns`` that
  are not external and see less than it does (and itself, if it assigns itself). A role never
  grants a role that sees more than it does, nor an outside role (the route's check refuses such
  a ``grants``), so nobody grants a role higher than their own; the default route states that
  an IB grants teacher and IB, a director also director.
* Anyone else (a teacher, an outside role): nothing but their own password.
* Names of people are unique per database, case- and accent-insensitively
  (:func:`same_name`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import Enum
from functools import cache

from kindroute.errors import AccessDenied, InvalidInput
from kindroute.services.dto import Actor
from kindroute.services.text import fold
from kindroute.workflow import Route
from kindroute.workflow.model import SEES_ASSIGNED, SEES_SCHOOL, SEES_SWV


class Action(Enum):
    """What one person may do to another person or to the set of schools."""

    ADD_PERSON = "add_person"
    EDIT_PERSON = "edit_person"
    END_ROLE = "end_role"
    SET_PASSWORD = "set_password"
    ADD_SCHOOL = "add_school"


@dataclass(frozen=True)
class Target:
    """The person acted upon: their school and roles (after the change, for a grant)."""

    school_id: int | None
    roles: tuple[str, ...]
    person_id: int | None = None


@dataclass(frozen=True)
class Rights:
    """Who manages people, as the route says."""

    #: roles that see the SWV's cases: the administrator
    admins: frozenset[str]
    #: per role that runs a school: the roles it may give staff of its own school (route order)
    grants: dict[str, tuple[str, ...]]
    #: every role some school role grants: a school's own staff roles (route order)
    staff: tuple[str, ...]


def school_bound_roles(route: Route) -> set[str]:
    """Roles a person holds at one school: those that see the school, and the teacher (at turn in
    the first step, seeing their own cases, not external)."""
    roles = set(route.roles_seeing(SEES_SCHOOL))
    first = route.roles.get(route.steps[route.main_track.start].at_turn or "")
    if first is not None and not first.external and first.sees == SEES_ASSIGNED:
        roles.add(first.id)
    return roles


_RIGHTS: dict[int, tuple[Route, Rights]] = {}
#: How far a role sees: nobody grants a role that sees more than their own.
_REACH = {SEES_ASSIGNED: 0, SEES_SCHOOL: 1, SEES_SWV: 2}


def rights(route: Route | None = None) -> Rights:
    """The people rights of ``route`` (the default route when None), worked out once per route."""
    if route is None:
        route = _default_route()
    hit = _RIGHTS.get(id(route))
    if hit is not None and hit[0] is route:
        return hit[1]
    grants: dict[str, tuple[str, ...]] = {}
    for role in route.roles.values():
        if role.sees != SEES_SCHOOL:
            continue
        given = role.grants if role.grants is not None else tuple(
            r for r in role.assigns if r in route.roles and not route.roles[r].external
            and (r == role.id or _REACH[route.roles[r].sees] < _REACH[role.sees]))
        grants[role.id] = tuple(r for r in route.roles if r in given)
    staff = tuple(r for r in route.roles if any(r in g for g in grants.values()))
    found = Rights(frozenset(route.roles_seeing(SEES_SWV)), grants, staff)
    _RIGHTS[id(route)] = (route, found)
    return found


@cache
def _default_route() -> Route:
    from kindroute.workflow import load_route

    return load_route()


def is_admin(actor: Actor | None, route: Route | None = None) -> bool:
    return actor is None or any(r in rights(route).admins for r in actor.roles)


def _granted_by(actor: Actor, school_id: int | None, r: Rights) -> set[str] | None:
    """The roles ``actor`` may give staff of ``school_id`` (None: does not manage that school)."""
    if school_id is None or actor.school_id != school_id:
        return None
    mine = [r.grants[role] for role in actor.roles if role in r.grants]
    if not mine:
        return None
    return {g for given in mine for g in given}


def refusal(actor: Actor | None, action: Action, target: Target | None = None,
            route: Route | None = None) -> str | None:
    """Why ``actor`` may not do ``action`` to ``target``, in Dutch; None when allowed."""
    if is_admin(actor, route):
        return None
    assert actor is not None
    if action is Action.ADD_SCHOOL:
        return "Alleen de beheerder van het SWV mag scholen toevoegen."
    assert target is not None, "a person action needs a target"
    if action is Action.SET_PASSWORD and target.person_id is not None and target.person_id == actor.id:
        return None
    r = rights(route)
    own = _granted_by(actor, target.school_id, r)
    if own is None:
        if action is Action.SET_PASSWORD:
            return ("U mag dit wachtwoord niet wijzigen: dat mogen die persoon zelf, de beheerder van "
                    "het SWV en de intern begeleider of directeur van de eigen school.")
        return ("Alleen de beheerder van het SWV, of de intern begeleider of directeur van de eigen "
                "school, mag personen toevoegen of wijzigen.")
    outside = [x for x in target.roles if x not in r.staff]
    if outside:
        return (f"Rol(len) {', '.join(outside)} kan alleen de beheerder van het SWV toekennen; u kunt "
                f"collega's van uw school de rollen {', '.join(x for x in r.staff if x in own)} geven.")
    if any(x not in own for x in target.roles):
        return "Niemand kan een rol toekennen of wijzigen die hoger is dan de eigen rol."
    return None


def may(actor: Actor | None, action: Action, target: Target | None = None,
        route: Route | None = None) -> bool:
    return refusal(actor, action, target, route) is None


def require(actor: Actor | None, action: Action, target: Target | None = None,
            route: Route | None = None) -> None:
    """Raise :class:`AccessDenied` with the reason when the rules forbid it."""
    reason = refusal(actor, action, target, route)
    if reason is not None:
        raise AccessDenied(reason)


def grantable_roles(actor: Actor | None, known: Iterable[str], school_id: int | None,
                    route: Route | None = None) -> list[str]:
    """The roles ``actor`` may give someone at ``school_id`` (in the order of ``known``)."""
    return [r for r in known if may(actor, Action.ADD_PERSON, Target(school_id, (r,)), route)]


def same_name(a: str, b: str) -> bool:
    """Two names that people would read as the same: case, accents and spacing ignored."""
    return fold(a) == fold(b)


def require_unique_name(name: str, existing: Iterable[tuple[int, str]], *, own_id: int | None = None) -> None:
    """Refuse ``name`` when another person (id, name) has the same name, read loosely."""
    for pid, other in existing:
        if pid != own_id and same_name(name, other):
            raise InvalidInput(
                f"Er is al een persoon met de naam '{other}' (nummer {pid}); namen zijn uniek, "
                "ongeacht hoofdletters en accenten. Voeg bijvoorbeeld een tweede voornaam of "
                "initiaal toe."
            )
