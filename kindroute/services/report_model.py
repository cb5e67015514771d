"""The monitor's read models: what ``kindroute report`` and the Inzicht screen show.

Counts are ``int``, or ``"<5"`` where a small count is hidden (see :mod:`services.report`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

#: A count shown instead of 1–4 to people outside the school.
SMALL = "<5"
SMALL_LIMIT = 5

Count = int | str


# ----------------------------------------------------------------------------- read models
@dataclass(frozen=True)
class StepFigure:
    step: str
    title: str
    track: str
    now: Count
    overdue: Count
    entered: Count
    left: Count
    median_days: int | None
    p90_days: int | None

    def to_json(self) -> dict[str, Any]:
        return {"step": self.step, "title": self.title, "now": self.now, "overdue": self.overdue,
                "entered": self.entered, "left": self.left, "median_days": self.median_days,
                "p90_days": self.p90_days}


@dataclass(frozen=True)
class SchoolFigure:
    school_id: int
    school: str
    open: Count
    overdue: Count
    tracks: dict[str, tuple[Count, Count]] = field(default_factory=dict)  # track -> (open, overdue)

    def to_json(self) -> dict[str, Any]:
        return {"school": self.school, "open": self.open, "overdue": self.overdue}


@dataclass(frozen=True)
class MonthFigure:
    month: str
    opened: Count
    closed: Count
    referred: Count
    stayed: Count

    def to_json(self) -> dict[str, Any]:
        return {"month": self.month, "opened": self.opened, "closed": self.closed,
                "referred": self.referred, "stayed": self.stayed}


@dataclass(frozen=True)
class LeadTime:
    from_: str
    to: str
    title: str
    median_days: int | None
    p90_days: int | None
    n: Count

    def to_json(self) -> dict[str, Any]:
        return {"from": self.from_, "to": self.to, "median_days": self.median_days,
                "p90_days": self.p90_days, "n": self.n}


@dataclass(frozen=True)
class PlusklasFigure:
    location: str
    places: int
    occupied: Count
    free: int
    waiting: Count
    median_wait_days: int | None

    def to_json(self) -> dict[str, Any]:
        return {"location": self.location, "places": self.places, "occupied": self.occupied,
                "free": self.free, "waiting": self.waiting, "median_wait_days": self.median_wait_days}


@dataclass(frozen=True)
class Report:
    """The monitor's figures for one person, one period and maybe one school."""

    period_from: date
    period_to: date
    school: str | None
    small_hidden: bool  # counts 1–4 shown as "<5"
    steps: list[StepFigure]
    schools: list[SchoolFigure]
    months: list[MonthFigure]
    lead_times: list[LeadTime]
    plusklas: list[PlusklasFigure]
    track_labels: dict[str, str] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {
            "period": {"from": self.period_from.isoformat(), "to": self.period_to.isoformat()},
            "school": self.school,
            "steps": [s.to_json() for s in self.steps],
            "schools": [s.to_json() for s in self.schools],
            "school_tracks": [
                {"school": s.school, "track": t, "open": o, "overdue": d}
                for s in self.schools for t, (o, d) in s.tracks.items()
            ],
            "months": [m.to_json() for m in self.months],
            "lead_times": [lt.to_json() for lt in self.lead_times],
            "plusklas": [p.to_json() for p in self.plusklas],
        }


def as_number(value: Count) -> int:
    """A count for a chart: ``"<5"`` drawn as 0 (its label says what it is)."""
    return value if isinstance(value, int) else 0


def months_between(start: date, end: date) -> list[str]:
    out: list[str] = []
    y, m = start.year, start.month
    while (y, m) <= (end.year, end.month):
        out.append(f"{y:04d}-{m:02d}")
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


def default_period(today: date) -> tuple[date, date]:
    """The last twelve months: from the first day of the month eleven months ago until today."""
    y, m = today.year, today.month - 11
    if m < 1:
        y, m = y - 1, m + 12
    return date(y, m, 1), today
