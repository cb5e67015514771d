"""Raw rows of the first page's queries as read models: one mapping for every way they are read.

The case lists (:mod:`kindroute.services.case_lists`, SQLAlchemy Core) and the kept first page
(:mod:`kindroute.services.quick_page`, the standard library's ``sqlite3`` running the same
compiled statements) both turn their rows into :class:`CaseRow` and :class:`Actor` here. Rows
are plain sequences, in the order the statements select their columns. Standard library only.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import date
from typing import Any

from kindroute.services.dto_first import Actor, CaseRow

Row = Sequence[Any]

#: Rows in a page of every case list: the list widget reads pages of this size, and the first
#: page kept for the next start (:mod:`kindroute.services.quick_page`) is one of them.
PAGE_SIZE = 50


def person_key(who: str | int) -> tuple[bool, str | int]:
    """How a person named ``who`` is looked up: ``(by id, value)`` — an id, or a lower-cased name."""
    key = str(who).strip()
    return (True, int(key)) if key.isdigit() else (False, key.lower())


def actor_of(rows: Sequence[Row]) -> Actor | None:
    """The one active person among ``rows`` (id, name, roles, school_id, organisation, active);
    None for nobody, someone inactive, or several of that name."""
    if len(rows) != 1 or not rows[0][5]:
        return None
    r = rows[0]
    return Actor(id=r[0], name=r[1], roles=tuple(r[2].split()), school_id=r[3], organisation=r[4])


def case_rows(rows: Iterable[Row], tracks: Iterable[Row], today: date,
              step_title: Callable[[str], str]) -> list[CaseRow]:
    """A page's rows as :class:`CaseRow`.

    ``rows``: (id, pupil, group, school, step, role at turn, person at turn, deadline, status,
    version, sort name, next due) per case; ``tracks``: (case id, track, step, role at turn,
    person at turn) for every track of those cases.
    """
    rows = list(rows)
    steps: dict[int, dict[str, str]] = {r[0]: {} for r in rows}
    turns: dict[int, dict[str, dict[str, Any]]] = {r[0]: {} for r in rows}
    for cid, track, step, role, person in tracks:
        if cid in steps:
            steps[cid][track] = step
            turns[cid][track] = {"step": step, "step_title": step_title(step),
                                 "at_turn_role": role, "at_turn": person}
    return [
        CaseRow(
            id=r[0], pupil=r[1], group=r[2], school=r[3], step=r[4],
            step_title=step_title(r[4]), steps=steps.get(r[0], {}),
            at_turn_role=r[5], at_turn=r[6], deadline=r[7],
            overdue=bool(r[11] is not None and r[11] < today),
            status=r[8], version=r[9], next_due=r[11], turns=turns.get(r[0], {}),
        )
        for r in rows
    ]
