"""The monitor: where cases pile up, how long steps take, throughput and lead times.

The figures are kept on write (:mod:`kindroute.store.figures`, read by
:mod:`services.report_figures`) for the file's owner, the SWV (every case) and a school's IB,
over whole months; otherwise — a person who sees only assigned cases (:func:`access.visible_clause`,
as every list), a period starting or ending inside a month — the database counts them from the
cases and the history (GROUP BY, window functions for the percentiles). For a person outside the
school every count from 1 to 4 is shown as ``"<5"`` — and a median or 90th percentile over fewer
than 5 cases is left out — so no child is recognisable.

Percentiles are *nearest rank*: of ``n`` values sorted, the ``ceil(n * p / 100)``-th.
Days are calendar days between two dates.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import Integer, and_, case, cast, exists, func, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import aliased
from sqlalchemy.sql.functions import FunctionElement

from kindroute.errors import InvalidInput
from kindroute.services import access, report_figures
from kindroute.services.dto import Actor
from kindroute.services.report_model import (
    SMALL,
    SMALL_LIMIT,
    Count,
    LeadTime,
    MonthFigure,
    PlusklasFigure,
    Report,
    SchoolFigure,
    StepFigure,
    default_period,
    months_between,
)
from kindroute.services.text import parse_date
from kindroute.store.figures import LEAD_TARGETS
from kindroute.store.models import (
    Case,
    CaseEvent,
    CaseTrack,
    PlusklasLocation,
    PlusklasPlacement,
    School,
)
from kindroute.workflow.model import NOT_STARTED
from kindroute.workflow.vocabulary import STATUS_OPEN, STEP_CLOSED

if TYPE_CHECKING:
    from kindroute.services.core import Services

#: Placement statuses (see services/plusklas.py).
WAITING, PLACED = "wachtend", "geplaatst"

# ----------------------------------------------------------------------------- SQL per dialect
class days_between(FunctionElement[int]):  # noqa: N801 - used like a SQL function
    """Whole calendar days from the date of ``start`` to the date of ``end``."""

    type = Integer()
    inherit_cache = True
    name = "days_between"


@compiles(days_between, "sqlite")
def _days_sqlite(element: days_between, compiler: Any, **kw: Any) -> str:
    end, start = (compiler.process(c, **kw) for c in element.clauses)
    return f"CAST(julianday(date({end})) - julianday(date({start})) AS INTEGER)"


@compiles(days_between)
def _days_pg(element: days_between, compiler: Any, **kw: Any) -> str:
    end, start = (compiler.process(c, **kw) for c in element.clauses)
    return f"(CAST({end} AS DATE) - CAST({start} AS DATE))"


class month_of(FunctionElement[str]):  # noqa: N801 - used like a SQL function
    """The month of a moment as ``YYYY-MM``."""

    inherit_cache = True
    name = "month_of"


@compiles(month_of, "sqlite")
def _month_sqlite(element: month_of, compiler: Any, **kw: Any) -> str:
    return f"strftime('%Y-%m', {compiler.process(element.clauses, **kw)})"


@compiles(month_of)
def _month_pg(element: month_of, compiler: Any, **kw: Any) -> str:
    return f"to_char({compiler.process(element.clauses, **kw)}, 'YYYY-MM')"


# ----------------------------------------------------------------------------- the queries
#: The history and the tracks as the report reads them: aliases, so that the EXISTS of
#: ``visible_clause`` (which names the plain tables) is not correlated to them.
E = aliased(CaseEvent, name="e")
T = aliased(CaseTrack, name="t")

class ReportService:
    """Builds :class:`Report` for the facade (``Services.report``)."""

    def __init__(self, services: Services) -> None:
        self.s = services

    def report(self, actor: Actor | None, *, school: str | int | None = None,
               from_: str | date | None = None, to: str | date | None = None) -> Report:
        today = self.s.today()
        start, end = default_period(today)
        if from_ is not None and from_ != "":
            start = parse_date(from_, "Van")
        if to is not None and to != "":
            end = parse_date(to, "Tot")
        if end < start:
            raise InvalidInput(f"De periode eindigt ({end.isoformat()}) voordat ze begint "
                               f"({start.isoformat()}).")
        # roles outside the school (external, or the SWV's) see small counts as "<5"
        inside = {r.id for r in self.s.route.roles.values() if not r.external and r.sees != "swv"}
        hide = actor is not None and any(r not in inside for r in actor.roles)
        lo = datetime.combine(start, time.min)
        hi = datetime.combine(end + timedelta(days=1), time.min)
        route = self.s.route
        school_id: int | None = None
        school_name = None
        with self.s._uow(write=False) as uow:
            session = uow.session
            if school is not None and str(school).strip():
                row = self.s._school(session, school)
                school_id, school_name = row.id, row.name
            kept = report_figures.scope(actor, route, swv_all=True)
            if kept is not None and school_id is not None:
                kept = school_id if kept in (report_figures.EVERY, school_id) else None
            if kept is not None and report_figures.whole_months(start, end, today):
                if report_figures.needs_fold(session):
                    self._fold()
                tracks, school_open, school_late, side_open = report_figures.now_figures(
                    report_figures.now_rows(session, kept, today), route).values()
                moves, opened, stays, leads = report_figures.history_rows(
                    session, kept, months_between(start, end)).values()
            else:
                tracks, school_open, school_late, side_open, moves, opened, stays, leads = self._direct(
                    session, actor, school_id, today, lo, hi)
            names = dict(session.execute(select(School.id, School.name)).all())
            visible = access.visible_clause(actor, route, today)
            if school_id is not None:
                visible = and_(visible, Case.school_id == school_id)
            plusklas = self._plusklas(session, visible, start, end + timedelta(days=1))

        def shown(n: int | None) -> Count:
            n = int(n or 0)
            return SMALL if hide and 0 < n < SMALL_LIMIT else n

        def pct(n: int, value: int | None) -> int | None:
            return None if value is None or (hide and n < SMALL_LIMIT) else int(value)

        main = route.main_track.id
        start_step = route.main_track.start
        final = {s.id for s in route.steps.values() if s.final}
        # steps: now/overdue from the tracks, entered/left from the history (+ cases opened)
        now = {step: (n, int(late or 0)) for _track, step, n, late in tracks}
        per_school: dict[int, dict[str, list[int]]] = {}
        for school_id, n in school_open:
            per_school.setdefault(school_id, {})[main] = [n, 0]
        for school_id, track, n in side_open:
            per_school.setdefault(school_id, {})[track] = [n, 0]
        for school_id, track, n in school_late:
            per_school.setdefault(school_id, {}).setdefault(track, [0, 0])[1] = n
        entered: dict[str, int] = {}
        left: dict[str, int] = {}
        ended: dict[str, dict[str, int]] = {}  # month -> final step -> n
        for source, dest, month, n in moves:
            entered[dest] = entered.get(dest, 0) + n
            left[source] = left.get(source, 0) + n
            if dest in final and route.steps[dest].track == main:
                done = ended.setdefault(month, {})
                done[dest] = done.get(dest, 0) + n
        opened_by_month = {month: n for month, n in opened}
        entered[start_step] = entered.get(start_step, 0) + sum(opened_by_month.values())
        stay = {step: (n, med, p90) for step, n, med, p90 in stays}
        steps = []
        for s in route.steps.values():
            if s.final:
                continue
            n_now, n_late = now.get(s.id, (0, 0))
            n_stay, med, p90 = stay.get(s.id, (0, None, None))
            steps.append(StepFigure(
                step=s.id, title=s.title, track=s.track, now=shown(n_now), overdue=shown(n_late),
                entered=shown(entered.get(s.id, 0)), left=shown(left.get(s.id, 0)),
                median_days=pct(n_stay, med), p90_days=pct(n_stay, p90)))
        schools = []
        for school_id, by_track in sorted(per_school.items(), key=lambda kv: names.get(kv[0], "")):
            o, d = by_track.get(main, [0, 0])
            schools.append(SchoolFigure(
                school_id=school_id, school=names.get(school_id, str(school_id)), open=shown(o),
                overdue=shown(d),
                tracks={t: (shown(v[0]), shown(v[1])) for t, v in sorted(by_track.items())}))
        months = []
        for month in months_between(start, end):
            done = ended.get(month, {})
            stayed = done.get(STEP_CLOSED, 0)
            total = sum(done.values())
            months.append(MonthFigure(month=month, opened=shown(opened_by_month.get(month, 0)),
                                      closed=shown(total), referred=shown(total - stayed),
                                      stayed=shown(stayed)))
        lead = {to_step: (n, med, p90) for to_step, n, med, p90 in leads}
        lead_times = []
        for target in LEAD_TARGETS:
            if target not in route.steps:
                continue
            n, med, p90 = lead.get(target, (0, None, None))
            lead_times.append(LeadTime(
                from_=start_step, to=target,
                title=f"{route.steps[start_step].title} → {route.steps[target].title}",
                median_days=pct(n, med), p90_days=pct(n, p90), n=shown(n)))
        places = [
            PlusklasFigure(location=name, places=total, occupied=shown(busy),
                           free=max(0, total - all_busy), waiting=shown(wait),
                           median_wait_days=pct(n_wait, med))
            for name, total, busy, all_busy, wait, n_wait, med in plusklas
        ]
        return Report(period_from=start, period_to=end, school=school_name, small_hidden=hide,
                      steps=steps, schools=schools, months=months, lead_times=lead_times,
                      plusklas=places, track_labels={t.id: t.label for t in route.tracks.values()})

    def _fold(self) -> None:
        """Sum the kept count rows (they grew since the last fold), in a transaction of its own."""
        with self.s._uow() as uow:
            if report_figures.needs_fold(uow.session):
                report_figures.fold(uow.session)
                uow.commit()

    def _direct(self, session: Any, actor: Actor | None, school_id: int | None, today: date,
                lo: datetime, hi: datetime) -> list[Sequence[Any]]:
        """Every figure counted from the cases, the tracks and the history themselves (for a
        person who sees only assigned cases, or a period that starts or ends inside a month)."""
        route = self.s.route
        where = [access.visible_clause(actor, route, today)]
        if school_id is not None:
            where.append(Case.school_id == school_id)
        visible = and_(*where)

        def run(stmt: Any) -> Sequence[Any]:
            return session.execute(stmt).all()

        everything = actor is None and school_id is None  # no need to read the cases
        final = [st.id for st in route.steps.values() if st.final]
        others = [t for t in route.tracks if t != route.main_track.id]
        return [
            run(self._tracks(visible, today, everything)),
            run(self._school_open(visible)),
            run(self._school_late(visible, today, list(route.tracks))),
            run(self._side_open(visible, others, final)) if others else [],
            run(self._moves(visible, lo, hi, everything)),
            run(self._opened(visible, lo, hi)),
            run(self._stays(visible, lo, hi, everything)),
            run(self._lead_times(visible, lo, hi, everything)),
        ]

    # Each statement below is grouped in the database.
    @staticmethod
    def _tracks(visible: Any, today: date, everything: bool) -> Any:
        """Cases now in each step and how many of them are overdue (one pass over the index
        ``ix_case_tracks_track_step`` (track, step, deadline) when every case counts)."""
        late = func.sum(case((T.deadline < today, 1), else_=0))
        stmt = select(T.track, T.step, func.count(), late).group_by(T.track, T.step)
        return stmt if everything else stmt.join(Case, Case.id == T.case_id).where(visible)

    @staticmethod
    def _school_open(visible: Any) -> Any:
        """Open cases per school (from ``ix_cases_school_status``)."""
        return (select(Case.school_id, func.count()).where(Case.status == STATUS_OPEN, visible)
                .group_by(Case.school_id))

    @staticmethod
    def _side_open(visible: Any, tracks: list[str], final: list[str]) -> Any:
        """Cases running on the other tracks (jeugdhulp) per school."""
        return (select(Case.school_id, T.track, func.count()).join(Case, Case.id == T.case_id)
                .where(T.track.in_(tracks), T.step.not_in(final), visible)
                .group_by(Case.school_id, T.track))

    @staticmethod
    def _school_late(visible: Any, today: date, tracks: list[str]) -> Any:
        """Overdue cases per school and track (a range of ``ix_case_tracks_track_deadline``)."""
        return (select(Case.school_id, T.track, func.count()).join(Case, Case.id == T.case_id)
                .where(T.track.in_(tracks), T.deadline < today, visible)
                .group_by(Case.school_id, T.track))

    @staticmethod
    def _moves(visible: Any, lo: datetime, hi: datetime, everything: bool) -> Any:
        """Steps left and entered in the period, per month: one pass over the history's
        ``ix_case_events_at`` index (at, from_step, to_step, …) when every case counts."""
        month = month_of(E.at)
        stmt = (select(E.from_step, E.to_step, month, func.count())
                .where(E.at >= lo, E.at < hi).group_by(E.from_step, E.to_step, month))
        return stmt if everything else stmt.join(Case, Case.id == E.case_id).where(visible)

    @staticmethod
    def _opened(visible: Any, lo: datetime, hi: datetime) -> Any:
        month = month_of(Case.opened_at)
        return (select(month, func.count())
                .where(Case.opened_at >= lo, Case.opened_at < hi, visible).group_by(month))

    @staticmethod
    def _percentiles(rows: Any) -> Any:
        """Per ``key`` of ``rows(key, days)``: n, median and 90th percentile (nearest rank).

        Counted as a histogram first (cases per key and number of days: a few thousand groups
        however many rows), then the running total per key finds the rank: the smallest number
        of days whose running total reaches ``ceil(n * p / 100)``."""
        sub = rows.subquery()
        hist = (select(sub.c.key, sub.c.days, func.count().label("c"))
                .group_by(sub.c.key, sub.c.days).subquery())
        # integers on every backend (PostgreSQL's sum() is numeric: its division would not floor)
        running = cast(func.sum(hist.c.c).over(partition_by=hist.c.key, order_by=hist.c.days),
                       Integer).label("cum")
        total = cast(func.sum(hist.c.c).over(partition_by=hist.c.key), Integer).label("n")
        ranked = select(hist.c.key, hist.c.days, running, total).subquery()

        def at_rank(p: int) -> Any:
            rank = (ranked.c.n * p + 99) // 100
            return func.min(case((ranked.c.cum >= rank, ranked.c.days)))

        return (select(ranked.c.key.label("key"), func.max(ranked.c.n).label("n"),
                       at_rank(50).label("median"), at_rank(90).label("p90"))
                .group_by(ranked.c.key))

    def _stays(self, visible: Any, lo: datetime, hi: datetime, everything: bool) -> Any:
        """Days spent in each step, over the stays that ended in the period.

        A stay ends with an event leaving the step and began with the previous event on the same
        track: within the period that is ``lag()`` over the period's events; for the first event
        of a case and track in the period, the previous one found by walking the unique
        (case_id, seq) index back; before any event, when the case opened."""
        prev = aliased(CaseEvent)
        period = (select(E.case_id, E.track, E.seq, E.from_step, E.at,
                         func.lag(E.at).over(partition_by=(E.case_id, E.track), order_by=E.seq).label("prev"))
                  .where(E.at >= lo, E.at < hi))
        if not everything:
            period = period.join(Case, Case.id == E.case_id).where(visible)
        ev = period.subquery("ev")
        before = (select(prev.at)
                  .where(prev.case_id == ev.c.case_id, prev.seq < ev.c.seq, prev.track == ev.c.track)
                  .order_by(prev.seq.desc()).limit(1).scalar_subquery())
        opened = select(Case.opened_at).where(Case.id == ev.c.case_id).scalar_subquery()
        began = func.coalesce(ev.c.prev, before, opened)
        return self._percentiles(
            select(ev.c.from_step.label("key"), days_between(ev.c.at, began).label("days"))
            .where(ev.c.from_step != NOT_STARTED))

    def _lead_times(self, visible: Any, lo: datetime, hi: datetime, everything: bool) -> Any:
        """Days from opening to the first arrival in each target step, arrivals in the period."""
        targets = [t for t in LEAD_TARGETS if t in self.s.route.steps]
        earlier = aliased(CaseEvent)
        first = ~exists().where(earlier.case_id == E.case_id, earlier.seq < E.seq,
                                earlier.to_step == E.to_step)
        where = [E.at >= lo, E.at < hi, E.to_step.in_(targets), first]
        if everything:
            opened: Any = select(Case.opened_at).where(Case.id == E.case_id).scalar_subquery()
            stmt = select(E.to_step.label("key"), days_between(E.at, opened).label("days")).where(*where)
        else:
            stmt = (select(E.to_step.label("key"), days_between(E.at, Case.opened_at).label("days"))
                    .join(Case, Case.id == E.case_id).where(*where, visible))
        return self._percentiles(stmt)

    def _plusklas(self, session: Any, visible: Any, lo: date, hi: date) -> list[tuple[Any, ...]]:
        """Per location: places, placed (visible cases), placed (all, for the free places),
        waiting (visible), and the wait of placements that started in the period."""
        p = PlusklasPlacement
        counts = (
            select(p.location_id.label("loc"),
                   func.sum(case((and_(p.status == PLACED, visible), 1), else_=0)).label("busy"),
                   func.sum(case((p.status == PLACED, 1), else_=0)).label("all_busy"),
                   func.sum(case((and_(p.status == WAITING, visible), 1), else_=0)).label("wait"))
            .join(Case, Case.id == p.case_id)
            .group_by(p.location_id)
            .subquery()
        )
        waits = self._percentiles(
            select(p.location_id.label("key"), days_between(p.start_on, p.requested_on).label("days"))
            .join(Case, Case.id == p.case_id)
            .where(p.start_on.is_not(None), p.start_on >= lo, p.start_on < hi, visible)
        ).subquery()
        loc = PlusklasLocation
        stmt = (
            select(loc.name, loc.places, func.coalesce(counts.c.busy, 0), func.coalesce(counts.c.all_busy, 0),
                   func.coalesce(counts.c.wait, 0), func.coalesce(waits.c.n, 0), waits.c.median)
            .outerjoin(counts, counts.c.loc == loc.id)
            .outerjoin(waits, waits.c.key == loc.id)
            .order_by(loc.name)
        )
        return [tuple(r) for r in session.execute(stmt).all()]


