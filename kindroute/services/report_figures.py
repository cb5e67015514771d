"""Reading the figures kept on write (``report_counts``, ``report_now``; see
:mod:`kindroute.store.figures`): a few thousand summed rows, however many cases.

They answer for whole months and for everyone, or one school; the report and the stroomschema
fall back to counting the cases themselves otherwise (a person who sees only assigned cases,
a period starting or ending inside a month).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date, timedelta
from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from kindroute.services.dto import Actor
from kindroute.store import figures
from kindroute.store.models import Meta, ReportCount, ReportNow
from kindroute.workflow.model import SEES_SCHOOL, SEES_SWV, Route
from kindroute.workflow.vocabulary import STATUS_OPEN

#: Every case (the file's owner, the SWV).
EVERY = 0


def scope(actor: Actor | None, route: Route, *, swv_all: bool) -> int | None:
    """Which cases the kept figures must cover for ``actor``: :data:`EVERY`, a school id, or
    None when they cannot answer (roles that see only assigned cases, or a mix).

    ``swv_all``: the SWV counts every case (the monitor), else only what it may open."""
    if actor is None:
        return EVERY
    roles = [route.roles[r] for r in actor.roles if r in route.roles]
    if not roles or len(roles) != len(actor.roles):
        return None
    if swv_all and any(r.sees == SEES_SWV for r in roles):
        return EVERY
    if all(r.sees == SEES_SCHOOL for r in roles) and actor.school_id is not None:
        return actor.school_id
    return None


def whole_months(start: date, end: date, today: date) -> bool:
    """Whether the period is a run of whole months (the last may end today)."""
    return start.day == 1 and (end >= today or (end + timedelta(days=1)).day == 1)


def percentiles(hist: dict[int, int]) -> tuple[int, int | None, int | None]:
    """n, median and 90th percentile (nearest rank) of a histogram days -> count."""
    n = sum(hist.values())
    if n <= 0:
        return 0, None, None
    out: list[int | None] = []
    for p in (50, 90):
        rank, running, found = (n * p + 99) // 100, 0, None
        for days in sorted(hist):
            running += hist[days]
            if running >= rank:
                found = days
                break
        out.append(found)
    return n, out[0], out[1]


def _school(stmt: Any, column: Any, school_id: int) -> Any:
    return stmt if school_id == EVERY else stmt.where(column == school_id)


def now_rows(session: Session, school_id: int, today: date) -> list[tuple[int, str, str, str, int, int, int]]:
    """(school, track, step, status, turn, overdue, n) of the cases as they stand."""
    r = ReportNow
    late = case((r.deadline < today, 1), else_=0)
    stmt = (select(r.school_id, r.track, r.step, r.status, r.turn, late, func.sum(r.n))
            .group_by(r.school_id, r.track, r.step, r.status, r.turn, late))
    return [tuple(row) for row in session.execute(_school(stmt, r.school_id, school_id)) if row[6]]  # type: ignore[misc]


def step_counts(session: Session, school_id: int) -> dict[str, int]:
    """Cases in each step (every track), as ``CaseService.step_counts`` counts them."""
    r = ReportNow
    stmt = _school(select(r.step, func.sum(r.n)).group_by(r.step), r.school_id, school_id)
    return {step: int(n) for step, n in session.execute(stmt) if n}


def step_overdue_counts(session: Session, school_id: int, today: date) -> dict[str, int]:
    r = ReportNow
    stmt = _school(select(r.step, func.sum(r.n)).where(r.deadline < today, r.turn == 1).group_by(r.step),
                   r.school_id, school_id)
    return {step: int(n) for step, n in session.execute(stmt) if n}


def _counts(session: Session, kind: str, school_id: int, months: list[str], *cols: Any) -> list[Any]:
    c = ReportCount
    stmt = (select(*cols, func.sum(c.n)).where(c.kind == kind, c.month >= months[0], c.month <= months[-1])
            .group_by(*cols))
    return [row for row in session.execute(_school(stmt, c.school_id, school_id)) if row[-1]]


def _percentile_rows(rows: Iterable[Any]) -> list[tuple[str, int, int | None, int | None]]:
    hists: dict[str, dict[int, int]] = defaultdict(dict)
    for key, days, n in rows:
        hists[key][int(days)] = int(n)
    return [(key, *percentiles(h)) for key, h in hists.items()]


def history_rows(session: Session, school_id: int, months: list[str]) -> dict[str, list[Any]]:
    """The report's history figures for ``months``: ``moves`` (from, to, month, n), ``opened``
    (month, n), ``stays`` and ``leads`` (step, n, median, p90)."""
    c = ReportCount
    return {
        "moves": _counts(session, "move", school_id, months, c.step, c.to_step, c.month),
        "opened": _counts(session, "open", school_id, months, c.month),
        "stays": _percentile_rows(_counts(session, "stay", school_id, months, c.step, c.days)),
        "leads": _percentile_rows(_counts(session, "lead", school_id, months, c.step, c.days)),
    }


def now_figures(rows: list[tuple[int, str, str, str, int, int, int]], route: Route) -> dict[str, list[Any]]:
    """From :func:`now_rows`, the report's "now" figures in the shapes its direct queries give:
    ``tracks`` (track, step, n, overdue), ``school_open`` (school, n), ``school_late`` (school,
    track, n) and ``side_open`` (school, track, n)."""
    main = route.main_track.id
    final = {s.id for s in route.steps.values() if s.final}
    tracks: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0])
    school_open: dict[int, int] = defaultdict(int)
    school_late: dict[tuple[int, str], int] = defaultdict(int)
    side_open: dict[tuple[int, str], int] = defaultdict(int)
    for school, track, step, status, _turn, late, n in rows:
        n = int(n)
        tracks[(track, step)][0] += n
        if late:
            tracks[(track, step)][1] += n
            if track in route.tracks:
                school_late[(school, track)] += n
        if track == main and status == STATUS_OPEN:
            school_open[school] += n
        if track != main and track in route.tracks and step not in final:
            side_open[(school, track)] += n
    return {
        "tracks": [(t, s, v[0], v[1]) for (t, s), v in tracks.items() if v[0]],
        "school_open": [(k, v) for k, v in school_open.items() if v],
        "school_late": [(k[0], k[1], v) for k, v in school_late.items() if v],
        "side_open": [(k[0], k[1], v) for k, v in side_open.items() if v],
    }


# ----------------------------------------------------------------------------- folding
FOLDED_KEY = "figures_folded_at"


def _top(session: Session) -> int:
    return sum(session.scalar(select(func.coalesce(func.max(t.id), 0))) or 0
               for t in (ReportCount, ReportNow))


def needs_fold(session: Session) -> bool:
    """Whether the count rows grew by ``figures.FOLD_GROWTH`` since they were last folded."""
    noted = session.scalar(select(Meta.value).where(Meta.key == FOLDED_KEY))
    top = _top(session)
    return top > 0 and not (noted is not None and noted.isdigit() and top - int(noted) < figures.FOLD_GROWTH)


def fold(session: Session) -> None:
    """Fold the count rows (in the caller's writing transaction) and note where."""
    figures.fold(session.connection())
    top = str(_top(session))
    row = session.get(Meta, FOLDED_KEY)
    if row is None:
        session.add(Meta(key=FOLDED_KEY, value=top))
    else:
        row.value = top
