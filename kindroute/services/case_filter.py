"""The filter behind every case list, on its own so a screen can hold one cheaply.

A screen builds its filter before the services are loaded (the worklist's first frame
comes before the database is open); importing this module costs one small dataclass.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class CaseFilter:
    """What a case list shows. Every field narrows the query in the database."""

    text: str = ""  # part of the pupil's name
    step: str | None = None
    track: str = "school"
    school: str | None = None  # name, BRIN or id
    school_id: int | None = None
    at_turn_role: str | None = None
    at_turn_person_id: int | None = None  # "aan mij"
    overdue: bool = False
    group: int | None = None
    status: str | None = "open"  # None = all
    sort: str = "deadline"  # deadline | pupil | step | school | group | id
    descending: bool = False


def worklist_filter(f: CaseFilter, actor_id: int, *, mine: bool = True) -> CaseFilter:
    """The worklist's filter: ``f`` by the earliest clock, and only the cases at ``actor_id``'s
    turn when ``mine`` (the filter of the app's first page, kept with it; see quick_page)."""
    from dataclasses import replace

    return replace(f, sort="deadline", descending=False, at_turn_person_id=actor_id if mine else None)
