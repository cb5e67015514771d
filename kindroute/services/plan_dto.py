"""What the faces get about a case's plan: goals, OPP versions, instemming, hoorrecht, periods.

These are the JSON contract of ``case show --format json`` (keys ``goals``, ``opp``, ``clocks``)
and of ``case clocks``; the export for parents prints them all.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from kindroute.services.clocks import Clock
from kindroute.services.dto import JsonMixin


@dataclass(frozen=True)
class GoalEvaluationInfo(JsonMixin):
    id: int
    on: date
    result: str
    note: str
    by: str


@dataclass(frozen=True)
class GoalInfo(JsonMixin):
    id: int
    area: str
    goal: str
    approach: str
    who: str | None  # a person's name, or the role's label
    who_role: str | None
    start: date
    evaluate_on: date
    result: str | None  # of the latest evaluation
    overdue: bool
    evaluations: tuple[GoalEvaluationInfo, ...] = ()


@dataclass(frozen=True)
class InstemmingInfo(JsonMixin):
    id: int
    on: date
    by: str
    outcome: str
    note: str
    recorded_by: str


@dataclass(frozen=True)
class HoorrechtInfo(JsonMixin):
    id: int
    on: date
    view: str
    weighed: str
    recorded_by: str


@dataclass(frozen=True)
class OppVersionInfo(JsonMixin):
    version: int
    status: str
    created_at: datetime
    created_by: str
    adopted: date | None
    adopted_by: str | None
    uitstroomprofiel: str
    reasons: str
    stimulerend: str
    belemmerend: str
    support: str
    support_who: str
    duration: str
    goals: tuple[int, ...] = ()  # ids of the goals in its handelingsdeel
    instemming: tuple[InstemmingInfo, ...] = ()
    hoorrecht: tuple[HoorrechtInfo, ...] = ()


@dataclass(frozen=True)
class OppSummary(JsonMixin):
    """The current OPP version as ``case show --format json`` gives it under ``opp``."""

    version: int
    status: str
    adopted: date | None
    uitstroomprofiel: str
    instemming: InstemmingInfo | None  # the latest answer on this version
    hoorrecht: HoorrechtInfo | None  # the latest view recorded on this version
    next_evaluation: date | None


@dataclass(frozen=True)
class PeriodInfo(JsonMixin):
    """What an SWV decision granted for a period: a decision of the route with an end date that
    is a clock (``clock = "end"``: an arrangement, a TLV), with its recorded fields."""

    document_id: int
    kind: str  # the decision's id
    label: str  # the decision's label
    outcome: str
    end: date
    #: (label, value) of every field recorded, in the route's order
    fields: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class ZorgplichtInfo(JsonMixin):
    registered_on: date
    deadline: date
    extended: bool
    decision: str | None
    decided_on: date | None


@dataclass(frozen=True)
class PlanInfo(JsonMixin):
    """Everything the Plan tab shows."""

    case_id: int
    version: int
    goals: tuple[GoalInfo, ...]
    opp: OppSummary | None
    opp_versions: tuple[OppVersionInfo, ...]
    periods: tuple[PeriodInfo, ...]
    zorgplicht: ZorgplichtInfo | None
    clocks: tuple[Clock, ...]

    def to_json(self) -> dict[str, Any]:
        return super().to_json()
