"""Who may add and change people, users and schools: the rules in one place.

Pure functions over :class:`~kindroute.services.dto.Actor` and plain facts about the
target (no database). Every face goes through them: the Mensen screen, ``people add``,
``schools add``, ``user add`` and ``user passwd``.

The rules (issue "privileges as rules"):

* ``None`` as actor is the owner of a local database file before anyone is named (or the
  very first administrator of a shared one): everything.
* The SWV's administrator (role ``swv``): everything, for every school.
* An IB or director: staff of their *own* school, in *school roles* only, and never a
  role ranked above their own (:data:`RANK`: leerkracht < ib < directeur < swv).
* Anyone else (a teacher, an outside role): nothing but their own password.
* Names of people are unique per database, case- and accent-insensitively
  (:func:`same_name`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import Enum

from kindroute.errors import AccessDenied, InvalidInput
from kindroute.services.dto import Actor
from kindroute.services.text import fold

#: Roles held by a school's own staff; an IB or director grants only these.
SCHOOL_STAFF_ROLES = ("leerkracht", "ib", "directeur")
#: How high a role reaches, for "nobody grants a role higher than their own".
#: Roles not listed (outside roles, ouders, leerling) are granted by the SWV alone.
RANK = {"leerkracht": 1, "ib": 2, "directeur": 3, "swv": 4}
ADMIN_ROLE = "swv"


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


def is_admin(actor: Actor | None) -> bool:
    return actor is None or ADMIN_ROLE in actor.roles


def rank(roles: Iterable[str]) -> int:
    """The highest rank among ``roles``; an unranked role counts as the SWV's (admin only)."""
    return max((RANK.get(r, RANK[ADMIN_ROLE]) for r in roles), default=0)


def _school_manager_rank(actor: Actor, school_id: int | None) -> int:
    """The rank with which ``actor`` manages staff of ``school_id`` (0: not at all)."""
    if school_id is None or actor.school_id != school_id:
        return 0
    return max((RANK[r] for r in actor.roles if r in ("ib", "directeur")), default=0)


def refusal(actor: Actor | None, action: Action, target: Target | None = None) -> str | None:
    """Why ``actor`` may not do ``action`` to ``target``, in Dutch; None when allowed."""
    if is_admin(actor):
        return None
    assert actor is not None
    if action is Action.ADD_SCHOOL:
        return "Alleen de beheerder van het SWV mag scholen toevoegen."
    assert target is not None, "a person action needs a target"
    if action is Action.SET_PASSWORD and target.person_id is not None and target.person_id == actor.id:
        return None
    own = _school_manager_rank(actor, target.school_id)
    if own == 0:
        if action is Action.SET_PASSWORD:
            return ("U mag dit wachtwoord niet wijzigen: dat mogen die persoon zelf, de beheerder van "
                    "het SWV en de intern begeleider of directeur van de eigen school.")
        return ("Alleen de beheerder van het SWV, of de intern begeleider of directeur van de eigen "
                "school, mag personen toevoegen of wijzigen.")
    outside = [r for r in target.roles if r not in SCHOOL_STAFF_ROLES]
    if outside:
        return (f"Rol(len) {', '.join(outside)} kan alleen de beheerder van het SWV toekennen; u kunt "
                f"collega's van uw school de rollen {', '.join(SCHOOL_STAFF_ROLES)} geven.")
    if rank(target.roles) > own:
        return "Niemand kan een rol toekennen of wijzigen die hoger is dan de eigen rol."
    return None


def may(actor: Actor | None, action: Action, target: Target | None = None) -> bool:
    return refusal(actor, action, target) is None


def require(actor: Actor | None, action: Action, target: Target | None = None) -> None:
    """Raise :class:`AccessDenied` with the reason when the rules forbid it."""
    reason = refusal(actor, action, target)
    if reason is not None:
        raise AccessDenied(reason)


def grantable_roles(actor: Actor | None, known: Iterable[str], school_id: int | None) -> list[str]:
    """The roles ``actor`` may give someone at ``school_id`` (in the order of ``known``)."""
    return [r for r in known if may(actor, Action.ADD_PERSON, Target(school_id, (r,)))]


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
