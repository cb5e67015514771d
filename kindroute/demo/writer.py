"""The bulk writer: the demo's rows into the store's own tables, in one transaction, on a thread.

Rows are dicts keyed by column name. Each table's INSERT is the store's own
``Model.__table__.insert()``: on SQLite it is compiled once and run with the driver's
``executemany`` on values already in SQLite's storage form (no per-value conversion); on
other databases SQLAlchemy runs it with ``executemany`` as it is. Nothing is copied from
the schema by hand: tables, their order and their columns come from ``store.models``.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable
from operator import itemgetter
from typing import Any

from sqlalchemy import Table, func, select, text

from kindroute.errors import InvalidInput
from kindroute.store import figures
from kindroute.store.models import (
    Agreement,
    Assignment,
    Base,
    Case,
    CaseEvent,
    CaseTrack,
    ChecklistTick,
    ConsentRecord,
    Document,
    Goal,
    GoalEvaluation,
    Note,
    OppGoal,
    OppHoorrecht,
    OppInstemming,
    OppVersion,
    Person,
    Pupil,
    PupilWord,
    ReportCount,
    ReportNow,
    School,
)

#: The tables the demo fills, parents before children (the store's own dependency order); the
#: plans' (goals to hoorrecht) are made with the cases (``kindroute.demo_plan``).
_FILLED = {m.__table__ for m in (School, Person, Pupil, PupilWord, Case, CaseTrack, CaseEvent, Assignment,
                                 ConsentRecord, ChecklistTick, Document, Note, Agreement, ReportCount,
                                 ReportNow, Goal, GoalEvaluation, OppVersion, OppGoal, OppInstemming,
                                 OppHoorrecht)}
TABLES: dict[str, Table] = {t.name: t for t in Base.metadata.sorted_tables if t in _FILLED}
TABLE_ORDER = tuple(TABLES)
#: Tables whose ids the generator hands out (children leave ``id`` to the database).
OWN_IDS = tuple(m.__tablename__ for m in (School, Person, Pupil, Case, Goal, OppVersion))
BATCH = 20_000  # rows per executemany
#: A batch of rows: table name -> rows, each a dict keyed by column name.
Rows = dict[str, list[dict[str, Any]]]


def table_of(name: str) -> Table:
    """The store's table ``name`` (the demo's own, or any other the store maps, such as the plans')."""
    found = TABLES.get(name)
    return found if found is not None else Base.metadata.tables[name]


class RowWriter:
    """Bulk inserts through the tables' own INSERT, one executemany per batch."""

    def __init__(self, conn: Any) -> None:
        self.conn = conn
        self.sqlite = conn.dialect.name == "sqlite"
        self._compiled: dict[tuple[str, tuple[str, ...]], tuple[str, Any, list[tuple[int, Any]]]] = {}

    def _statement(self, name: str, keys: tuple[str, ...]) -> tuple[str, Any, list[tuple[int, Any]]]:
        """The table's INSERT for these columns as SQL text, what picks a row's values in order,
        and the columns' own bind processors (position, function) for rows of Python values."""
        found = self._compiled.get((name, keys))
        if found is None:
            _check_columns(name, keys)
            table = table_of(name)
            compiled = table.insert().compile(dialect=self.conn.dialect, column_keys=list(keys))
            order = compiled.positiontup or []
            missing = set(order) - set(keys)
            if missing:  # columns with a default in the model: the row has to give them itself
                raise ValueError(f"{name} rows lack column(s) {', '.join(sorted(missing))}")
            dialect = self.conn.dialect
            procs = [(i, proc) for i, col in enumerate(order)
                     if (proc := table.c[col].type.dialect_impl(dialect).bind_processor(dialect)) is not None]
            found = self._compiled[(name, keys)] = (str(compiled), itemgetter(*order), procs)
        return found

    def insert(self, name: str, rows: list[dict[str, Any]], *, stored: bool = True) -> None:
        """Insert ``rows``. ``stored=False``: their dates and moments are Python objects, which
        SQLite gets through the columns' own bind processors (the generator's rows come in
        SQLite's storage form already, so they skip that)."""
        if not rows:
            return
        if not self.sqlite:
            _check_columns(name, tuple(rows[0]))
            stmt = table_of(name).insert()
            for i in range(0, len(rows), BATCH):
                self.conn.execute(stmt, rows[i:i + BATCH])
            return
        sql, values, procs = self._statement(name, tuple(rows[0]))
        for i in range(0, len(rows), BATCH):
            # positional parameters bind faster than named ones (measured: 0.37 s vs 0.49 s per
            # 300,000 rows); itemgetter picks the values in the statement's order
            batch = list(map(values, rows[i:i + BATCH]))
            if not stored and procs:
                batch = [_processed(row, procs) for row in batch]
            self.conn.exec_driver_sql(sql, batch)


def _processed(row: tuple[Any, ...], procs: list[tuple[int, Any]]) -> tuple[Any, ...]:
    out = list(row)
    for i, proc in procs:
        out[i] = proc(out[i])
    return tuple(out)


def _check_columns(name: str, keys: tuple[str, ...]) -> None:
    """Refuse a row naming a column the table lacks (compiling would silently leave it out)."""
    unknown = set(keys) - set(table_of(name).c.keys())
    if unknown:
        raise ValueError(f"{name} has no column(s) {', '.join(sorted(unknown))}")


def _sqlite_indexes(conn: Any) -> list[tuple[str, str]]:
    """The explicit indexes of the tables the demo fills (name, CREATE statement)."""
    names = ", ".join(f"'{t}'" for t in TABLE_ORDER)
    return [(n, sql) for n, sql in conn.exec_driver_sql(
        f"SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL "
        f"AND tbl_name IN ({names})")]


class LoadThread:
    """Writes the rows in one transaction on its own thread, while the main thread generates.

    SQLite (and psycopg) release the GIL while they work, so generating the next batch in
    Python overlaps with storing the previous one. The thread owns its connection; nothing
    is committed unless :meth:`finish` is reached, so an error anywhere rolls everything back.
    """

    _DONE, _ABORT = object(), object()

    def __init__(self, db: Any, *, append: bool, big: bool) -> None:
        self.db, self.append, self.big = db, append, big
        self.batches: queue.Queue[Any] = queue.Queue(maxsize=2)
        self.ready: queue.Queue[Any] = queue.Queue()
        self.thread = threading.Thread(target=self._run, name="kindroute-demo-writer", daemon=True)
        self.error: BaseException | None = None
        self.events = 0
        self.closed = False
        self.last: Callable[[Any], None] | None = None

    def start(self) -> None:
        self.thread.start()

    def state(self) -> dict[str, Any]:
        state = self.ready.get()
        if isinstance(state, BaseException):
            self.thread.join()
            self.closed = True
            raise state
        return state

    def put(self, rows: Rows) -> int:
        self._check()
        self.events += len(rows["case_events"])
        self.batches.put(rows)
        return sum(len(r) for r in rows.values())

    def finish(self, last: Callable[[Any], None] | None = None) -> None:
        """Write what is queued, then ``last(conn)`` on the load's own connection (in its
        transaction, before the indexes are built again), and commit."""
        self._check()
        self.last = last
        self.batches.put(self._DONE)
        self.thread.join()
        self.closed = True
        self._check()

    def abort(self) -> None:
        if self.closed:
            return
        while self.thread.is_alive():
            try:
                self.batches.put(self._ABORT, timeout=0.1)
                break
            except queue.Full:
                continue
        self.thread.join()
        self.closed = True

    def _check(self) -> None:
        if self.error is not None:
            raise self.error

    def _run(self) -> None:
        sent = False
        try:
            with self.db.engine.connect() as conn:
                conn = conn.execution_options(kindroute_write=True)
                sqlite = conn.dialect.name == "sqlite"
                raw = conn.connection.driver_connection if sqlite else None
                if raw is not None:
                    # ids are made by the generator, so the foreign keys hold by construction
                    raw.execute("PRAGMA foreign_keys = OFF")
                    raw.execute("PRAGMA cache_size = -262144")
                try:
                    with conn.begin():
                        count = select(func.count()).select_from(Case.__table__)
                        existing = conn.execute(count).scalar() or 0
                        if existing and not self.append:
                            raise InvalidInput(
                                f"De database {self.db.display} bevat al {existing} casussen; demo-gegevens "
                                "vullen alleen een lege database. Gebruik --append om er demo-casussen bij "
                                "te zetten, of kies een ander bestand met --db."
                            )
                        state = {
                            "next_ids": {
                                t: (conn.execute(select(func.max(TABLES[t].c.id))).scalar() or 0) + 1
                                for t in OWN_IDS},
                            "schools": {b: i for i, b in conn.execute(select(School.id, School.brin)) if b},
                            "people": {(nm, sid): i for i, nm, sid in
                                       conn.execute(select(Person.id, Person.name, Person.school_id))},
                            # pupils already there (--append): a new one never has the same identity
                            "pupils": {tuple(r) for r in conn.execute(text(
                                "SELECT name, date_of_birth, school_id FROM pupils"))},
                        }
                        self.ready.put(state)
                        sent = True
                        indexes = _sqlite_indexes(conn) if sqlite and self.big else []
                        for name, _sql in indexes:
                            conn.exec_driver_sql(f'DROP INDEX "{name}"')
                        # the monitor's figures come tallied by the generator (demo.tally),
                        # not from the triggers row by row
                        figures.drop_triggers(conn)
                        writer = RowWriter(conn)
                        while True:
                            batch = self.batches.get()
                            if batch is self._ABORT:
                                raise _Aborted
                            if batch is self._DONE:
                                break
                            for table in TABLE_ORDER:
                                writer.insert(table, batch[table])
                        if self.last is not None:
                            self.last(conn)
                        for _name, sql in indexes:
                            conn.exec_driver_sql(sql)
                        figures.create_triggers(conn)
                        if conn.dialect.name == "postgresql":
                            for table in OWN_IDS:
                                conn.execute(text(
                                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                                    f"(SELECT COALESCE(MAX(id), 1) FROM {table}))"))
                            # a bulk load leaves the planner without statistics until autovacuum
                            # comes by: without them a Casussen page at 100,000 cases is ~5x slower
                            conn.exec_driver_sql("ANALYZE")
                finally:
                    if raw is not None:
                        raw.execute("PRAGMA cache_size = -2000")
                        raw.execute("PRAGMA foreign_keys = ON")
        except _Aborted:
            pass
        except BaseException as exc:  # handed to the main thread
            self.error = exc
            if not sent:
                self.ready.put(exc)
            else:  # unblock a producer waiting on a full queue
                while not self.batches.empty():
                    self.batches.get_nowait()


class _Aborted(Exception):
    """The main thread gave up: roll back."""


