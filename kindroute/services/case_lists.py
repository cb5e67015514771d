"""Lists of cases: filters, where a list starts, counts, the worklist, cases per step.

The queries are shaped for large databases: see README "Speed at scale". They are Core
queries on the tables of :mod:`kindroute.store.tables` (the same tables the ORM models map),
run on a unit of work's bare connection: the app's first page reads through this module
before the ORM is loaded (:mod:`kindroute.services.first_page`).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Hashable
from typing import Any, NamedTuple

from sqlalchemy import Connection, Table, and_, bindparam, exists, func, or_, select

from kindroute.services import access
from kindroute.services.dto import Actor, CaseFilter, CaseRow
from kindroute.services.ground import ServiceGround
from kindroute.services.list_rows import case_rows
from kindroute.services.text import search_words
from kindroute.store import tables
from kindroute.store.sql import interruptible, unindexed

CASES = tables.cases
TRACKS = tables.case_tracks
ASSIGNMENTS = tables.assignments
PEOPLE = tables.people
PUPILS = tables.pupils
WORDS = tables.pupil_words
SCHOOLS = tables.schools
# Aliases made once: making one sets up its column collection (about half the cost of
# building a list's statement). Each use site has its own, so a subquery never correlates
# with the outer query's alias by accident.
_LIST_TRACK, _LIST_HOLDER, _LIST_PERSON = TRACKS.alias(), ASSIGNMENTS.alias(), PEOPLE.alias()
#: The clock the kept figures are timed by (``CaseLists._figure``).
figure_clock: Callable[[], float] = time.monotonic
_SHARED_TRACK, _TURN_TRACK, _TURN_HOLDER = TRACKS.alias(), TRACKS.alias(), ASSIGNMENTS.alias()


class Start(NamedTuple):
    """A small set a case list starts from: ``column IN (ids)``, about ``matched`` of them;
    ``word`` when the set is a name filter word's pupils (its own filter is then implied);
    ``named`` when every case of the set already passed the whole name filter (a page's ids)."""

    column: Any
    ids: Any
    matched: int
    word: str | None = None
    named: bool = False


class CaseLists(ServiceGround):
    """Filtered, paged and counted lists of the cases an actor may see."""

    def _list_stmt(self, actor: Actor | None, f: CaseFilter, *, count: bool = False,  # type: ignore[no-untyped-def]
                   start: Start | None = None, keys: bool = False):
        """The filtered cases; ``count=True`` selects only ids and joins only what a filter needs.

        ``start`` (see ``_start``) makes the query start from that small set of cases: the
        school, status and track terms then must not drive it. ``keys`` (with ``count``): the
        ids of a page by the earliest clock, which shows a case whether or not it has the
        track (an outer join): without a step filter, the track is not joined at all.
        """
        today = self.today()
        few = start is not None
        ct, a, p = _LIST_TRACK, _LIST_HOLDER, _LIST_PERSON
        at_turn = and_(a.c.case_id == CASES.c.id, a.c.role == ct.c.at_turn_role, a.c.ended_at.is_(None))
        # the filter's default track is the default route's; another route lists its own main track
        track = f.track if f.track in self.route.tracks else self.route.main_track.id
        # A list by the earliest clock walks ix_cases_next_due: the track then only picks the row
        # to show, and must not make the query start from case_tracks (a step filter still does).
        by_due = not count and not f.step and f.sort in ("", "deadline")
        # a deep page's ids (``keys`` without a step filter) walk the same index as its page would
        walk = few or by_due or (keys and not f.step)
        on_track = and_(ct.c.case_id == CASES.c.id, (unindexed(ct.c.track) if walk else ct.c.track) == track)
        if count:
            stmt = select(CASES.c.id)
            if not keys or f.step:
                stmt = stmt.join(ct, on_track)
            if f.group is not None:
                stmt = stmt.join(PUPILS, PUPILS.c.id == CASES.c.pupil_id)
            if f.school_id is None and f.school:
                stmt = stmt.join(SCHOOLS, SCHOOLS.c.id == CASES.c.school_id)
            stmt = stmt.where(access.visible_clause(actor, self.route, today, school_index=not walk))
        else:
            stmt = (
                select(CASES.c.id, PUPILS.c.name, PUPILS.c.group, SCHOOLS.c.name, ct.c.step,
                       ct.c.at_turn_role, p.c.name, ct.c.deadline, CASES.c.status, CASES.c.version,
                       PUPILS.c.sort_name, CASES.c.next_due)
                .join(PUPILS, PUPILS.c.id == CASES.c.pupil_id)
                .join(SCHOOLS, SCHOOLS.c.id == CASES.c.school_id)
                # every case has its main track: an outer join gives the same rows and keeps the
                # cases (walking ix_cases_next_due) the outer loop of a list by the earliest clock
                .join(ct, on_track, isouter=by_due)
                .outerjoin(a, at_turn)
                .outerjoin(p, p.c.id == a.c.person_id)
                # walking by the earliest clock, the school's index must not drive the query: SQLite
                # (without statistics) would read all the school's cases and sort them for one page
                .where(access.visible_clause(actor, self.route, today, school_index=not walk))
            )
        if start is not None:
            stmt = stmt.where(start.column.in_(start.ids))
        for word in search_words(f.text):  # every typed word starts a word of the name
            if start is not None and (start.named or word == start.word):
                continue  # the query starts from exactly the pupils with this word (or a page's ids)
            stmt = stmt.where(self._word_exists(word))
        if f.step:
            stmt = stmt.where(ct.c.step == f.step)
        if f.school_id is not None:
            stmt = stmt.where((unindexed(CASES.c.school_id) if few else CASES.c.school_id) == f.school_id)
        elif f.school:
            key = f.school.strip()
            cond = [func.lower(SCHOOLS.c.name) == key.lower(), SCHOOLS.c.brin == key.upper()]
            if key.isdigit():
                cond.append(SCHOOLS.c.id == int(key))
            stmt = stmt.where(or_(*cond))
        if f.at_turn_role:  # at turn in any running track
            stmt = stmt.where(self._at_turn_anywhere(role=f.at_turn_role))
        if f.at_turn_person_id is not None:  # e.g. a jeugdhulp worker in the jeugdhulp track
            stmt = stmt.where(self._at_turn_person(f.at_turn_person_id))
        if f.overdue:  # any clock (services.clocks) is overdue
            stmt = stmt.where(CASES.c.next_due < today)
        if f.group is not None:
            stmt = stmt.where(PUPILS.c.group == f.group)
        if f.status:
            stmt = stmt.where((unindexed(CASES.c.status) if walk else CASES.c.status) == f.status)
        return stmt, ct

    def _shared_turns(self) -> dict[str, tuple[str, ...]]:
        """Steps where more than one role is at turn and any of them may act."""
        steps = self.route.steps.values()
        return {s.id: s.turn_roles for s in steps if len(s.turn_roles) > 1 and not s.turn_all}

    def _at_turn_person(self, person_id: int) -> Any:
        """``person_id`` is at turn in any running track: holds the stored role at turn, or (in a step
        where any of several roles may act) one of those roles."""
        cond = self._at_turn_anywhere(person_id=person_id)
        shared = self._shared_turns()
        if not shared:
            return cond
        t = _SHARED_TRACK
        other = exists().where(
            t.c.case_id == CASES.c.id, ASSIGNMENTS.c.case_id == CASES.c.id,
            ASSIGNMENTS.c.person_id == person_id, ASSIGNMENTS.c.ended_at.is_(None),
            or_(*[and_(t.c.step == step, ASSIGNMENTS.c.role.in_(roles)) for step, roles in shared.items()]),
        )
        return or_(cond, other)

    def list_cases(self, actor: Actor | None, f: CaseFilter | None = None, *,
                   limit: int | None = None, offset: int = 0, purpose: str = "list") -> list[CaseRow]:
        """A page of the cases ``actor`` may see. An outside role's view is in the access log
        (``purpose``: "list", or "export" for a whole export)."""
        rows = self._list_cases(actor, f, limit=limit, offset=offset)
        if rows and access.is_outside_reader(actor, self.route):
            assert actor is not None
            with self._uow() as uow:
                for r in rows:
                    self._log_access(uow.connection, actor, r.id, purpose)
                uow.commit()
        return rows

    def _list_cases(self, actor: Actor | None, f: CaseFilter | None = None, *,
                    limit: int | None = None, offset: int = 0) -> list[CaseRow]:
        f = f or CaseFilter()
        with self._uow(write=False) as uow:
            stmt, _two_step = self._page_stmt(uow.connection, actor, f, limit, offset)
            rows = uow.connection.execute(stmt).all()
            ids = [r[0] for r in rows]
            tracks = [t for chunk in range(0, len(ids), 500)
                      for t in uow.connection.execute(self._tracks_stmt(), {"ids": ids[chunk:chunk + 500]})]
        return case_rows(rows, tracks, self.today(), self.step_title)

    def _page_stmt(self, conn: Connection, actor: Actor | None, f: CaseFilter, limit: int | None,
                   offset: int) -> tuple[Any, bool]:
        """The statement of one page of a list, and whether it was made in two steps (its case
        ids then come from a first query, run here)."""
        start = self._start(conn, actor, f, limit)
        two_step = (start is not None and start.matched > self.TWO_STEP_FROM and limit is not None
                    and f.sort in ("", "deadline"))
        if two_step:
            assert start is not None and limit is not None
            # Sort the candidates on what the order needs alone, then join the page's rows:
            # thousands of candidates cost a sort of (deadline, id), not thousands of joins.
            keys, _kct = self._list_stmt(actor, f, count=True, start=start, keys=True)
            page_ids = list(conn.scalars(keys.order_by(*self._key_order(f)).limit(limit).offset(offset)))
            # the page's rows start from their ids, not again from the candidates: a start set of
            # thousands (a name word's pupils) would be built again for 50 rows. The ids passed the
            # name filter already: testing it again only tempts a planner (PostgreSQL) to start there.
            start = Start(CASES.c.id, page_ids, len(page_ids), named=True)
        elif (start is None and offset and limit is not None and not f.step
              and f.sort in ("", "deadline")):
            # A deep page walking by the earliest clock: its ids first, in the same statement,
            # from the cases alone. Joined before the OFFSET, every skipped row would cost its
            # pupil, track and holder (950 joins for rows 900–949).
            keys, _kct = self._list_stmt(actor, f, count=True, keys=True)
            due = CASES.c.next_due  # in the order of ix_cases_next_due, as the page's own walk
            walk = due.desc().nulls_first() if f.descending else due.asc().nulls_last()
            page_ids = keys.order_by(walk, CASES.c.id).limit(limit).offset(offset)
            start, offset = Start(CASES.c.id, page_ids, limit, named=True), 0
        few = start is not None
        stmt, ct = self._list_stmt(actor, f, start=start)
        order = {
            "pupil": [PUPILS.c.sort_name],
            "step": [ct.c.step],
            "school": [SCHOOLS.c.name],
            "group": [PUPILS.c.group],
            "id": [CASES.c.id],
        }.get(f.sort)
        due = CASES.c.next_due  # the earliest clock of the case
        if order is None and few:  # a handful of rows: sort them, do not walk the index
            order = [due.is_(None), due]
            order = [o.desc() for o in order] if f.descending else order
        elif order is None:  # by the earliest clock, empty ones last: walks ix_cases_next_due
            order = [due.desc().nulls_first() if f.descending else due.asc().nulls_last()]
        elif f.descending:
            order = [o.desc() for o in order]
        # CASES.c.id last: lets a page come straight from the index
        order = [*order, CASES.c.id]
        if two_step:  # the page's ids, in order
            return stmt.order_by(*order), True
        stmt = stmt.order_by(*order)
        if limit is not None:
            stmt = stmt.limit(limit).offset(offset)
        return stmt, False

    @staticmethod
    def _key_order(f: CaseFilter) -> list[Any]:
        """A page's order by the earliest clock (empty ones last), on the cases alone."""
        order = [CASES.c.next_due.is_(None), CASES.c.next_due]
        return [*([o.desc() for o in order] if f.descending else order), CASES.c.id]

    @staticmethod
    def _tracks_stmt():  # type: ignore[no-untyped-def]
        """Every track of the cases ``:ids`` (an expanding parameter): step and who is at turn."""
        holder = and_(ASSIGNMENTS.c.case_id == TRACKS.c.case_id,
                      ASSIGNMENTS.c.role == TRACKS.c.at_turn_role, ASSIGNMENTS.c.ended_at.is_(None))
        return (select(TRACKS.c.case_id, TRACKS.c.track, TRACKS.c.step, TRACKS.c.at_turn_role, PEOPLE.c.name)
                .outerjoin(ASSIGNMENTS, holder)
                .outerjoin(PEOPLE, PEOPLE.c.id == ASSIGNMENTS.c.person_id)
                .where(TRACKS.c.case_id.in_(bindparam("ids", expanding=True))))

    def count_cases(self, actor: Actor | None, f: CaseFilter | None = None, *,
                    cap: int | None = None, stop: Callable[[], bool] | None = None) -> int:
        """How many cases ``list_cases`` would give. With ``cap``, counting stops after
        ``cap + 1``: a result above ``cap`` means "more than cap", and the cost no longer
        grows with the number of cases. ``stop``: checked while counting (SQLite); once it
        is true the count ends with :class:`~kindroute.errors.Cancelled`."""
        f = f or CaseFilter()
        with self._uow(write=False) as uow, interruptible(uow.connection, stop):
            return uow.connection.scalar(self._count_stmt(uow.connection, actor, f, cap)) or 0

    def _count_stmt(self, conn: Connection, actor: Actor | None, f: CaseFilter, cap: int | None):  # type: ignore[no-untyped-def]
        """The statement that counts a list (see :meth:`count_cases`)."""
        stmt, _ = self._list_stmt(actor, f, count=True, start=self._start(conn, actor, f, cap))
        if cap is not None:
            stmt = stmt.limit(cap + 1)
        return select(func.count()).select_from(stmt.subquery())

    #: A set of at most this many cases (or pupils) is always where a list starts; above
    #: it, only while starting there is the cheaper of the two ways (see ``_start``).
    FEW_PUPILS = 1000
    #: From this many candidates, a page is sorted on its keys first and joined after.
    TWO_STEP_FROM = 300

    @staticmethod
    def _at_turn_anywhere(*, role: str | None = None, person_id: int | None = None):  # type: ignore[no-untyped-def]
        """The case stands, in any of its tracks, in a step where ``role`` (or the role that
        ``person_id`` holds on the case) is at turn."""
        t = _TURN_TRACK
        stmt = select(t.c.case_id).where(t.c.case_id == CASES.c.id)
        if role is not None:
            stmt = stmt.where(t.c.at_turn_role == role)
        if person_id is not None:
            a = _TURN_HOLDER
            stmt = stmt.join(a, and_(a.c.case_id == t.c.case_id, a.c.role == t.c.at_turn_role,
                                     a.c.ended_at.is_(None), a.c.person_id == person_id))
        return stmt.exists()

    @staticmethod
    def _word_range(word: str, w: Table = WORDS):  # type: ignore[no-untyped-def]
        """``pupil_words.word`` starting with ``word``, as a range of the word index."""
        cond = w.c.word >= word
        last = ord(word[-1])
        if last < 0x10FFFF:
            cond = and_(cond, w.c.word < word[:-1] + chr(last + 1))
        return cond

    def _word_exists(self, word: str):  # type: ignore[no-untyped-def]
        w = WORDS.alias()
        return (select(w.c.pupil_id)
                .where(w.c.pupil_id == CASES.c.pupil_id, self._word_range(word, w)).exists())

    def _start(self, session: Connection, actor: Actor | None, f: CaseFilter,
               rows: int | None) -> Start | None:
        """The smallest of the sets a list can start from, when starting there is cheapest.

        Without one, a list walks the cases in its order (the deadline index) and stops once
        ``rows`` rows passed the filters: about rows × cases / matches steps. That is right
        for a one-letter name filter or an IB of a large school, and wrong for a rare name
        ('jans'), a teacher's or an outside role's few assigned cases, or a small school
        among many: those are cheapest found from their own index, one step per candidate,
        and sorted. Both cost the same at about √(rows × cases) candidates; below that (and
        always below FEW_PUPILS) the list starts from the set. Each set's size is counted in
        its index only up to that threshold, and the number of cases is the highest case id:
        deciding never costs more than the cheaper way, and its figures are kept for a minute
        (``_figure``). Counting (``rows`` None) always starts from a set smaller than all cases.
        """
        if not self.FEW_PUPILS:
            return None
        cases = self._figure(("cases",), lambda: session.scalar(select(func.max(CASES.c.id))) or 0)
        threshold = cases if rows is None else max(self.FEW_PUPILS, math.isqrt(rows * cases))
        candidates: list[Start] = []
        for word in search_words(f.text):
            ids = select(WORDS.c.pupil_id).where(self._word_range(word))
            n = self._figure(("word", word, threshold), self._size, session, ids, threshold)
            candidates.append(Start(CASES.c.pupil_id, ids, n, word))
        today = self.today()
        sets = access.start_cases(actor, today, self.route)
        if sets is not None and (rows is not None or sets.assigned):
            # (a count has no order to walk: the school's own index serves it directly)
            visible, every, _assigned = sets
            n = self._figure(("every", actor, today, threshold), self._size, session, every, threshold)
            if n > threshold and rows is not None and visible is not every:
                # Many assigned cases, but may few of them be seen (consent)? Fewer than a page
                # would make the walk read every case before it stops; the set is cheaper then.
                n = self._figure(("visible", actor, today, rows), self._size, session, visible, rows)
                n = n if n <= rows else threshold + 1
            candidates.append(Start(CASES.c.id, visible, n))
        best = min(candidates, key=lambda c: c.matched, default=None)
        if best is None or best.matched > threshold:
            return None
        return best

    #: How long the figures a list chose its start by are kept, in seconds (see ``_figure``).
    FIGURES_KEPT_S = 60.0

    def _figure(self, key: Hashable, count: Callable[..., int], *args: Any) -> int:
        """``count(*args)``, or what it gave for ``key`` less than FIGURES_KEPT_S ago. The figures
        ``_start`` counts (the number of cases, a start set's size up to its threshold) choose
        the way to a list's rows, never the rows: a figure a minute old can at worst make one
        list take the slower way. Kept, a page of a shared database is two round trips (its
        rows and their tracks), not four."""
        kept: dict[Hashable, tuple[float, int]] = self.__dict__.setdefault("_list_figures", {})
        now = figure_clock()
        hit = kept.get(key)
        if hit is not None and now - hit[0] < self.FIGURES_KEPT_S:
            return hit[1]
        if len(kept) >= 256:
            kept.clear()
        value = count(*args)
        kept[key] = (now, value)
        return value

    @staticmethod
    def _size(session: Connection, ids, limit: int) -> int:  # type: ignore[no-untyped-def]
        """How many rows ``ids`` gives, counting no further than ``limit + 1``."""
        return session.scalar(select(func.count()).select_from(ids.limit(limit + 1).subquery())) or 0

    def worklist(self, actor: Actor, *, mine: bool = True, limit: int | None = 200,
                 offset: int = 0, f: CaseFilter | None = None) -> list[CaseRow]:
        """Cases at my turn (or all I may see), overdue first, then by deadline."""
        base = f or CaseFilter()
        from dataclasses import replace

        base = replace(base, sort="deadline", at_turn_person_id=actor.id if mine else None)
        return self.list_cases(actor, base, limit=limit, offset=offset)

    def step_counts(self, actor: Actor | None = None, *, school_id: int | None = None) -> dict[str, int]:
        """How many open cases stand in each step (all tracks)."""
        from kindroute.services import report_figures  # the ORM: not on the first page's path

        kept = report_figures.scope(actor, self.route, swv_all=False)
        if kept is not None and school_id is not None:
            kept = school_id if kept in (report_figures.EVERY, school_id) else None
        if kept is not None:  # from the counts kept on write
            with self._uow(write=False) as uow:
                return report_figures.step_counts(uow.session, kept)
        stmt = (
            select(TRACKS.c.step, func.count())
            .join(CASES, CASES.c.id == TRACKS.c.case_id)
            .where(access.visible_clause(actor, self.route, self.today()))
            .group_by(TRACKS.c.step)
        )
        if school_id is not None:
            stmt = stmt.where(CASES.c.school_id == school_id)
        with self._uow(write=False) as uow:
            return {step: n for step, n in uow.connection.execute(stmt)}

    def step_overdue_counts(self, actor: Actor | None = None) -> dict[str, int]:
        """How many cases stand past their deadline in each step (any deadline: entered, from an
        event, or set per case) with someone at turn."""
        from kindroute.services import report_figures

        kept = report_figures.scope(actor, self.route, swv_all=False)
        if kept is not None:  # from the counts kept on write
            with self._uow(write=False) as uow:
                return report_figures.step_overdue_counts(uow.session, kept, self.today())
        stmt = (
            select(TRACKS.c.step, func.count())
            .join(CASES, CASES.c.id == TRACKS.c.case_id)
            .where(access.visible_clause(actor, self.route, self.today()),
                   TRACKS.c.deadline < self.today(), TRACKS.c.at_turn_role.is_not(None))
            .group_by(TRACKS.c.step)
        )
        with self._uow(write=False) as uow:
            return {step: n for step, n in uow.connection.execute(stmt)}

    def case_count(self) -> int:
        with self._uow(write=False) as uow:
            return uow.connection.scalar(select(func.count(CASES.c.id))) or 0
