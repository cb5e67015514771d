"""Keeping the monitor's figures on write: triggers, bulk (re)counts and folding.

Two tables (:mod:`store.models_report`) hold insert-only count rows, summed when read:

* ``report_counts``, from the history, per school (the case's *current* school, as the report
  always counted) and month of the event: ``move`` (from step, to step), ``stay`` (the step
  left and the calendar days since the previous event on that track, or since the case
  opened), ``lead`` (the first arrival of a case in a lead-time target, days since it opened)
  and ``open`` (cases opened per month);
* ``report_now``, where cases stand: per school, track, step, deadline, case status and
  whether someone is at turn.

Database triggers add the rows in the writer's own transaction — whichever service, CLI
command or migration writes — so nothing can forget them. A writer only inserts (+1/-1), so
concurrent writers never wait on a shared counter row; :func:`fold` sums the rows now and
then. Bulk loads (the demo) drop the triggers, insert, count their new cases in one pass
(:func:`count_cases`) and put the triggers back.

Everything here is SQL for SQLite and PostgreSQL; migration 0011 carries a frozen copy.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import text

#: Lead times are measured to these steps (those the route has); kept for every route.
LEAD_TARGETS = ("arrangement_uitvoering", "plusklas", "tlv_aanvraag", "afgesloten")
#: ``from_step`` of a track's first event (``workflow.model.NOT_STARTED``).
NOT_STARTED = "-"

COUNTS_COLUMNS = "kind, school_id, track, step, to_step, month, days, n"
NOW_COLUMNS = "school_id, track, step, deadline, status, turn, n"
TRIGGERS = ("kr_fig_event", "kr_fig_track_in", "kr_fig_track_up", "kr_fig_track_out",
            "kr_fig_case_in", "kr_fig_case_state", "kr_fig_case_school", "kr_fig_case_out")
#: (trigger, table it sits on)
TRIGGER_TABLES = dict(zip(TRIGGERS, ("case_events", "case_tracks", "case_tracks", "case_tracks",
                                     "cases", "cases", "cases", "cases"), strict=True))


class _Sql:
    """The few expressions that differ between SQLite and PostgreSQL."""

    def __init__(self, dialect: str) -> None:
        self.sqlite = dialect == "sqlite"

    def month(self, x: str) -> str:
        return f"strftime('%Y-%m', {x})" if self.sqlite else f"to_char({x}, 'YYYY-MM')"

    def days(self, end: str, start: str) -> str:
        if self.sqlite:
            return f"CAST(julianday(date({end})) - julianday(date({start})) AS INTEGER)"
        return f"(CAST({end} AS DATE) - CAST({start} AS DATE))"

    def differs(self, a: str, b: str) -> str:
        return f"{a} IS NOT {b}" if self.sqlite else f"{a} IS DISTINCT FROM {b}"


def _targets() -> str:
    return ", ".join(f"'{t}'" for t in LEAD_TARGETS)


def history_counts(dialect: str, where: str, *, sign: int = 1, school: str = "c.school_id",
                   opens: bool = True) -> list[str]:
    """INSERTs adding (``sign`` 1) or taking away (-1) everything the history of the cases
    ``where`` (on ``cases c``) contributes, counted under ``school``."""
    q = _Sql(dialect)
    out = [
        f"INSERT INTO report_counts ({COUNTS_COLUMNS}) "
        f"SELECT 'move', {school}, e.track, e.from_step, e.to_step, {q.month('e.at')}, 0, {sign} * COUNT(*) "
        f"FROM case_events e JOIN cases c ON c.id = e.case_id "
        f"WHERE {where} AND (e.from_step <> '' OR e.to_step <> '') GROUP BY 2, 3, 4, 5, 6",
        f"INSERT INTO report_counts ({COUNTS_COLUMNS}) "
        f"SELECT 'stay', {school}, ev.track, ev.from_step, '', {q.month('ev.at')}, "
        f"{q.days('ev.at', 'COALESCE(ev.prev, c.opened_at)')}, {sign} * COUNT(*) "
        f"FROM (SELECT e.case_id, e.track, e.from_step, e.at, "
        f"LAG(e.at) OVER (PARTITION BY e.case_id, e.track ORDER BY e.seq) AS prev "
        f"FROM case_events e JOIN cases c ON c.id = e.case_id WHERE {where}) ev "
        f"JOIN cases c ON c.id = ev.case_id "
        f"WHERE ev.from_step NOT IN ('', '{NOT_STARTED}') GROUP BY 2, 3, 4, 6, 7",
        f"INSERT INTO report_counts ({COUNTS_COLUMNS}) "
        f"SELECT 'lead', {school}, '', ev.to_step, '', {q.month('ev.at')}, "
        f"{q.days('ev.at', 'c.opened_at')}, {sign} * COUNT(*) "
        f"FROM (SELECT e.case_id, e.to_step, e.at, "
        f"ROW_NUMBER() OVER (PARTITION BY e.case_id, e.to_step ORDER BY e.seq) AS rn "
        f"FROM case_events e JOIN cases c ON c.id = e.case_id "
        f"WHERE {where} AND e.to_step IN ({_targets()})) ev "
        f"JOIN cases c ON c.id = ev.case_id WHERE ev.rn = 1 GROUP BY 2, 4, 6, 7",
    ]
    if opens:
        out.append(
            f"INSERT INTO report_counts ({COUNTS_COLUMNS}) "
            f"SELECT 'open', {school}, '', '', '', {q.month('c.opened_at')}, 0, {sign} * COUNT(*) "
            f"FROM cases c WHERE {where} GROUP BY 2, 6")
    return out


def now_counts(dialect: str, where: str, *, sign: int = 1, school: str = "c.school_id",
               status: str = "c.status") -> str:
    """An INSERT adding (or taking away) where the cases ``where`` stand now."""
    return (f"INSERT INTO report_now ({NOW_COLUMNS}) "
            f"SELECT {school}, t.track, t.step, t.deadline, {status}, "
            f"CASE WHEN t.at_turn_role IS NULL THEN 0 ELSE 1 END, {sign} * COUNT(*) "
            f"FROM case_tracks t JOIN cases c ON c.id = t.case_id WHERE {where} GROUP BY 1, 2, 3, 4, 5, 6")


def _track_row(row: str, sign: int) -> str:
    return (f"INSERT INTO report_now ({NOW_COLUMNS}) "
            f"SELECT c.school_id, {row}.track, {row}.step, {row}.deadline, c.status, "
            f"CASE WHEN {row}.at_turn_role IS NULL THEN 0 ELSE 1 END, {sign} "
            f"FROM cases c WHERE c.id = {row}.case_id")


def _trigger_bodies(dialect: str) -> list[tuple[str, str, str, list[str]]]:
    """(name, event clause, WHEN condition or "", statements) of every trigger."""
    q = _Sql(dialect)
    event = [
        f"INSERT INTO report_counts ({COUNTS_COLUMNS}) "
        f"SELECT 'move', c.school_id, NEW.track, NEW.from_step, NEW.to_step, {q.month('NEW.at')}, 0, 1 "
        f"FROM cases c WHERE c.id = NEW.case_id AND (NEW.from_step <> '' OR NEW.to_step <> '')",
        f"INSERT INTO report_counts ({COUNTS_COLUMNS}) "
        f"SELECT 'stay', c.school_id, NEW.track, NEW.from_step, '', {q.month('NEW.at')}, "
        + q.days("NEW.at", "COALESCE((SELECT p.at FROM case_events p WHERE p.case_id = NEW.case_id "
                           "AND p.track = NEW.track AND p.seq < NEW.seq ORDER BY p.seq DESC LIMIT 1), "
                           "c.opened_at)")
        + f", 1 FROM cases c WHERE c.id = NEW.case_id AND NEW.from_step NOT IN ('', '{NOT_STARTED}')",
        f"INSERT INTO report_counts ({COUNTS_COLUMNS}) "
        f"SELECT 'lead', c.school_id, '', NEW.to_step, '', {q.month('NEW.at')}, "
        f"{q.days('NEW.at', 'c.opened_at')}, 1 FROM cases c WHERE c.id = NEW.case_id "
        f"AND NEW.to_step IN ({_targets()}) AND NOT EXISTS (SELECT 1 FROM case_events p "
        f"WHERE p.case_id = NEW.case_id AND p.to_step = NEW.to_step AND p.seq < NEW.seq)",
    ]
    moved = " OR ".join(q.differs(f"OLD.{c}", f"NEW.{c}")
                        for c in ("track", "step", "deadline", "at_turn_role"))
    state = " OR ".join(q.differs(f"OLD.{c}", f"NEW.{c}") for c in ("school_id", "status"))
    open_row = ("INSERT INTO report_counts (" + COUNTS_COLUMNS + ") VALUES "
                "('open', {row}.school_id, '', '', '', " + q.month("{row}.opened_at") + ", 0, {sign})")
    return [
        ("kr_fig_event", "AFTER INSERT ON case_events", "", event),
        ("kr_fig_track_in", "AFTER INSERT ON case_tracks", "", [_track_row("NEW", 1)]),
        ("kr_fig_track_up", "AFTER UPDATE OF track, step, deadline, at_turn_role ON case_tracks", moved,
         [_track_row("OLD", -1), _track_row("NEW", 1)]),
        ("kr_fig_track_out", "AFTER DELETE ON case_tracks", "", [_track_row("OLD", -1)]),
        ("kr_fig_case_in", "AFTER INSERT ON cases", "", [open_row.format(row="NEW", sign=1)]),
        ("kr_fig_case_state", "AFTER UPDATE OF school_id, status ON cases", state, [
            now_counts(dialect, "c.id = NEW.id", sign=-1, school="OLD.school_id", status="OLD.status"),
            now_counts(dialect, "c.id = NEW.id", sign=1, school="NEW.school_id", status="NEW.status"),
        ]),
        ("kr_fig_case_school", "AFTER UPDATE OF school_id ON cases",
         q.differs("OLD.school_id", "NEW.school_id"),
         history_counts(dialect, "c.id = NEW.id", sign=-1, school="OLD.school_id")
         + history_counts(dialect, "c.id = NEW.id", sign=1, school="NEW.school_id")),
        ("kr_fig_case_out", "AFTER DELETE ON cases", "", [open_row.format(row="OLD", sign=-1)]),
    ]


def create_triggers_sql(dialect: str) -> list[str]:
    """The statements that create every trigger."""
    out: list[str] = []
    for name, clause, when, body in _trigger_bodies(dialect):
        if dialect == "sqlite":
            cond = f" WHEN {when}" if when else ""
            out.append(f"CREATE TRIGGER {name} {clause} FOR EACH ROW{cond} BEGIN "
                       + "; ".join(body) + "; END")
        else:
            out.append(f"CREATE OR REPLACE FUNCTION {name}() RETURNS trigger AS $$ BEGIN "
                       + "; ".join(body) + "; RETURN NULL; END; $$ LANGUAGE plpgsql")
            cond = f" WHEN ({when})" if when else ""
            out.append(f"CREATE TRIGGER {name} {clause} FOR EACH ROW{cond} EXECUTE FUNCTION {name}()")
    return out


def drop_triggers_sql(dialect: str) -> list[str]:
    if dialect == "sqlite":
        return [f"DROP TRIGGER IF EXISTS {name}" for name in TRIGGERS]
    return [f"DROP TRIGGER IF EXISTS {name} ON {TRIGGER_TABLES[name]}" for name in TRIGGERS]


def _run(conn: Any, statements: list[str]) -> None:
    for sql in statements:
        conn.exec_driver_sql(sql)


def create_triggers(conn: Any) -> None:
    _run(conn, create_triggers_sql(conn.dialect.name))


def drop_triggers(conn: Any) -> None:
    _run(conn, drop_triggers_sql(conn.dialect.name))


def count_cases(conn: Any, first_case_id: int = 0) -> None:
    """Add the figures of every case with ``id >= first_case_id`` in one pass (a bulk load,
    with the triggers dropped)."""
    where = f"c.id >= {int(first_case_id)}"
    dialect = conn.dialect.name
    _run(conn, history_counts(dialect, where) + [now_counts(dialect, where)])


def forget_history(conn: Any, case_ids: list[int]) -> None:
    """Take away what the history of ``case_ids`` contributes, before it is deleted (a purge).
    Their tracks and the cases themselves take their own rows away (triggers)."""
    if not case_ids:
        return
    where = "c.id IN (" + ", ".join(str(int(i)) for i in case_ids) + ")"
    _run(conn, history_counts(conn.dialect.name, where, sign=-1, opens=False))


def recount(conn: Any) -> None:
    """Throw every figure away and count it again from the history and the tracks."""
    conn.exec_driver_sql("DELETE FROM report_counts")
    conn.exec_driver_sql("DELETE FROM report_now")
    count_cases(conn)


_FOLD_KEYS = {"report_counts": "kind, school_id, track, step, to_step, month, days",
              "report_now": "school_id, track, step, deadline, status, turn"}


def fold(conn: Any) -> None:
    """Sum the count rows into one row per key (dropping keys that sum to 0).

    PostgreSQL: one statement deletes the rows it sees and inserts their sums, so a row a
    concurrent writer commits meanwhile is neither summed nor deleted. SQLite: the writer
    holds the database's write lock for the whole transaction."""
    for table, keys in _FOLD_KEYS.items():
        if conn.dialect.name == "sqlite":
            top = conn.exec_driver_sql(f"SELECT MAX(id) FROM {table}").scalar()
            if top is None:
                continue
            conn.execute(text(f"INSERT INTO {table} ({keys}, n) SELECT {keys}, SUM(n) FROM {table} "
                              f"WHERE id <= :top GROUP BY {keys} HAVING SUM(n) <> 0"), {"top": top})
            conn.execute(text(f"DELETE FROM {table} WHERE id <= :top"), {"top": top})
        else:
            conn.exec_driver_sql(
                f"WITH gone AS (DELETE FROM {table} RETURNING {keys}, n) "
                f"INSERT INTO {table} ({keys}, n) SELECT {keys}, SUM(n) FROM gone "
                f"GROUP BY {keys} HAVING SUM(n) <> 0")


#: Fold when the rows have grown this much beyond the last fold (row ids, both tables).
FOLD_GROWTH = 20_000
