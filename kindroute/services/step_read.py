"""What a step starts from, read in one statement: its case row, locked, and the guards' facts.

A step reads its case row locked (:func:`stepping.case_statement`: ``FOR UPDATE`` on
PostgreSQL; SQLite already holds the write lock from ``BEGIN IMMEDIATE``) and every fact the
guards and the clocks need (:func:`clocks.step_statement`). Both go in one statement here:

    WITH locked AS (<case row> FOR UPDATE OF cases)
    SELECT locked.*, seen.version AS seen_version, facts.*
    FROM locked JOIN (<the case's version, unlocked>) seen ON true
    LEFT OUTER JOIN (<the facts>) facts ON locked.visible

one row per fact, each carrying the case row (one row with no fact when the reader may not see
the case: nothing of it is sent). Under PostgreSQL's READ COMMITTED a statement reads one
snapshot, taken when it starts; a row it locks is read as committed when the lock is granted.
So when another writer held the case row and committed while this step waited for it, the
facts come from before that writer. Every change around a case moves its version on
(``ServiceContext._touch``, a step's own UPDATE), so the step sees that as ``seen_version`` (the
snapshot's) differing from ``version`` (the locked row's) and reads the facts again, after the
lock: :func:`read_step_start`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, Integer, bindparam, select, true

from kindroute.store import tables
from kindroute.store.psycopg_cache import PREPARE_AT_ONCE

CASES = tables.cases


def step_start_statement(case_row: Any, facts: Any) -> Any:
    """The one statement of the module docstring, from :func:`stepping.case_statement` (with
    ``visible``) and :func:`clocks.step_statement` (parameter ``case_id`` in both)."""
    locked = case_row.cte("locked")
    seen = (select(CASES.c.version.label("seen_version"))
            .where(CASES.c.id == bindparam("case_id", type_=Integer)).subquery("seen"))
    rows = facts.subquery("facts")
    return (select(locked, seen.c.seen_version, rows)
            .select_from(locked.join(seen, true()).outerjoin(rows, locked.c.visible))
            .execution_options(**{PREPARE_AT_ONCE: True}))  # see store/psycopg_cache.py


def read_step_start(conn: Connection, statement: Any, facts: Any, case_id: int
                    ) -> tuple[Any | None, Sequence[tuple[Any, ...]]]:
    """(the case row, or None when there is none; the fact rows, as ``facts`` gives them).

    The rows are read again with ``facts`` on its own when the case changed while the step
    waited for its lock (see the module docstring); none when the reader may not see the case.
    """
    result = conn.execute(statement, {"case_id": case_id}).all()
    if not result:
        return None, ()
    case = result[0]
    if not case.visible:
        return case, ()
    if case.seen_version != case.version:  # changed while waiting for the lock: read after it
        return case, [tuple(r) for r in conn.execute(facts, {"case_id": case_id})]
    width = len(facts.selected_columns)
    return case, [fact for r in result if (fact := tuple(r)[-width:])[0] is not None]
