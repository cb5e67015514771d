"""Answers the screens ask before they offer an action: may this person do it, and if not, why.

These are the same rules the use cases enforce (:func:`access.manages_school`, the turn rule
of ``advance_case``), asked ahead so a screen can hide a key, mark a step as not choosable
or say "not for you" before a form is filled in. The use cases still check everything; a
screen never relies on these alone. Pure functions over read models: no database.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from kindroute.services import access
from kindroute.workflow import NOT_STARTED

if TYPE_CHECKING:
    from kindroute.services.dto import Actor, CaseDetail, NextStepInfo
    from kindroute.workflow import Route

#: Actions only someone who runs the school's cases may take, with what the refusal names.
MANAGER_ACTIONS = {
    "consent": "toestemmingen vastleggen",
    "withdraw": "toestemmingen intrekken",
}


def is_manager(actor: Actor, route: Route) -> bool:
    """The actor runs a school's cases (a role of the route that sees the school)."""
    return access.school_manager(actor, route)


def _managers(route: Route) -> str:
    """The roles that run a school's cases, in words."""
    names = [r.label.lower() for r in route.roles.values() if r.sees == "school"]
    return " of ".join(names) or "niemand"


def refusal(actor: Actor, action: str, route: Route, school_id: int | None = None) -> str | None:
    """Why ``actor`` may not take ``action`` (on a case of ``school_id``); None when allowed.

    Without ``school_id`` (a list, before a case is chosen) the answer is whether the person
    could take it on any case of their own school.
    """
    manages = (is_manager(actor, route) if school_id is None
               else access.manages_school(actor, school_id, route))
    if action in MANAGER_ACTIONS:
        if not manages:
            return f"Alleen de {_managers(route)} van de school mag {MANAGER_ACTIONS[action]}."
        return None
    if action == "assign":
        if not any(route.roles[r].assigns for r in actor.roles if r in route.roles):
            return "U mag op een casus geen rollen toewijzen (de route geeft uw rol dat recht niet)."
        return None
    if action == "new_case":
        opener = route.steps[route.main_track.start].at_turn
        if actor.school_id is None or not (is_manager(actor, route) or opener in actor.roles):
            return (f"Alleen de {_managers(route)} of {route.roles[opener].label.lower() if opener else '—'} "
                    "van een school opent een casus.")
        return None
    if action == "mine":
        return None if is_manager(actor, route) else f"Alleen de {_managers(route)} ziet alle casussen."
    return None


def may_record(actor: Actor, route: Route, kind_id: str, school_id: int) -> bool:
    """Whether ``actor`` could record the route's decision or document ``kind_id`` on a case of
    ``school_id`` (a role in its ``recorded_by`` that they hold; the use case checks the rest)."""
    kind = route.recordable(kind_id)
    if kind is None:
        return False
    for role_id in kind.recorded_by:
        role = route.roles.get(role_id)
        if role is None or role_id not in actor.roles:
            continue
        if role.sees != "school" or access.manages_school(actor, school_id, route):
            return True
    return False


def turn_refusal(route: Route, actor: Actor, detail: CaseDetail, step: NextStepInfo) -> str | None:
    """Why ``actor`` may not take ``step`` on this case because it is not their turn; None if they may.

    The rule of ``advance_case``: who runs the school's cases may take any step; anyone else
    only a step out of a step where they hold a role at turn on this case.
    """
    if access.manages_school(actor, detail.school_id, route):
        return None
    if step.from_ == NOT_STARTED:
        return f"alleen de {_managers(route)} start dit traject"
    source = route.steps.get(step.from_)
    roles = source.turn_roles if source is not None else ()
    for role_id in roles:
        role = route.roles.get(role_id)
        if role_id not in actor.roles or role is None:
            continue
        if role.sees == "swv" or any(a.role == role_id and a.person_id == actor.id
                                     for a in detail.assignments):
            return None
    labels = " of ".join(route.roles[r].label.lower() for r in roles if r in route.roles) or "niemand"
    return f"u bent niet aan zet: dat is de {labels} (of wie de casussen van de school beheert)"


def age_on(born: date, today: date) -> int:
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


def group_age_warning(born: date, group: int, today: date) -> str | None:
    """A warning when a pupil's age does not fit the group (it may still be right: ask).

    In groep g a pupil is usually g + 3 or g + 4 years old; a year ahead or two behind is
    common enough (skipping, repeating a year). Outside that the date or the group is
    probably mistyped.
    """
    age = age_on(born, today)
    usual = group + 3
    if age < usual - 1 or age > usual + 3:
        return (f"Een leerling van {age} jaar in groep {group}? Meestal is een leerling in groep {group} "
                f"{usual} of {usual + 1} jaar; klopt de geboortedatum of de groep?")
    return None


def due_date_warning(due: date, today: date) -> str | None:
    """A warning for an agreement due before today (recording an old one is allowed)."""
    if due < today:
        return f"De datum {nl_date(due)} ligt in het verleden."
    return None


def nl_date(day: date) -> str:
    """The one date style of the screens: '3 mrt 2026'."""
    months = ("jan", "feb", "mrt", "apr", "mei", "jun", "jul", "aug", "sep", "okt", "nov", "dec")
    return f"{day.day} {months[day.month - 1]} {day.year}"


def step_choices(route: Route) -> list[tuple[str, str]]:
    """(title, id) of every step, in the route's order: for a choice list."""
    return [(s.title, s.id) for s in route.steps.values()]


def role_choices(route: Route, *, outside_only: bool = False) -> list[tuple[str, str]]:
    """(label, id) of the route's roles; ``outside_only``: those whose sharing needs consent."""
    return [(r.label, r.id) for r in route.roles.values() if r.external or not outside_only]


def involvement(route: Route, step_id: str) -> dict[str, str]:
    """Role id -> its part in a step: "aan zet (R)" for the role at turn, else R/A/C/I."""
    step = route.steps.get(step_id)
    parts: dict[str, str] = {}
    if step is not None:
        if step.at_turn:
            parts[step.at_turn] = "aan zet (R)"
        for role, letter in step.involved.items():
            parts.setdefault(role, letter)
    return parts


def side_track_label(route: Route, track: str) -> str | None:
    """The label of a track beside the main one (e.g. jeugdhulp); None for the main track."""
    if track == route.main_track.id or track not in route.tracks:
        return None
    return route.tracks[track].label
