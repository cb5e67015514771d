"""The read models of the worklist's first page: who is acting and a case list's rows.

Apart from the other read models (:mod:`kindroute.services.dto`, which re-exports these) because
the app's start builds them before anything else is loaded: a dataclass costs about 2 ms to
define, and the first page needs only these two.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from typing import Any


def _jsonable(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat(timespec="seconds")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    return value


class JsonMixin:
    def to_json(self) -> dict[str, Any]:
        return _jsonable(asdict(self))  # type: ignore[call-overload]


@dataclass(frozen=True)
class Actor(JsonMixin):
    """The person acting, with what they may do."""

    id: int
    name: str
    roles: tuple[str, ...]
    school_id: int | None
    organisation: str | None = None

    @classmethod
    def of(cls, person: Any) -> Actor:
        """The actor for a stored person (anything with the Person attributes)."""
        return cls(
            id=person.id,
            name=person.name,
            roles=tuple(person.role_ids),
            school_id=person.school_id,
            organisation=person.organisation,
        )


@dataclass(frozen=True)
class CaseRow(JsonMixin):
    """One line of a case list: the JSON contract of ``kindroute cases --format json``."""

    id: int
    pupil: str
    group: int
    school: str
    step: str
    step_title: str
    steps: dict[str, str]
    at_turn_role: str | None
    at_turn: str | None
    deadline: date | None
    overdue: bool  # any clock of the case is overdue (``next_due`` before today)
    status: str
    version: int
    #: the earliest due date of all the case's clocks (``services.clocks``)
    next_due: date | None = None
    #: every running track: track -> {step, step_title, at_turn_role, at_turn}
    turns: dict[str, dict[str, Any]] = field(default_factory=dict)
