"""The head of every case's chain, checked on open: each case's newest event is what kindroute wrote.

:func:`check_case_heads` reads, in one query, every keyed case with its newest event (the one
``cases.history_count`` points at) and the event after it, if any. A case fails when

* its newest event is gone (deleted outside kindroute, head left standing),
* that event's hash is not the case's head (head or event changed by SQL),
* the event's content does not match its HMAC (changed by SQL, even with its hash left alone),
* an event stands beyond the head (inserted outside kindroute).

It costs one indexed read per case and one HMAC per case: too much for the path to the first rows
at 100,000 cases, so the app runs it in a background worker after the worklist shows its rows, and
the command line runs it when a command opens the database (see README, Trust). What it cannot see
on its own — a case's newest event removed *and* its head set back to the event before — breaks
the links between all events, which ``kindroute audit verify`` follows.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, or_, select

from kindroute.services.history import EVENTS, history_key_for
from kindroute.store.db import Database
from kindroute.store.hmac_chain import SCHEME_KEYED
from kindroute.store.models import Case

#: How many case numbers a warning names before it only counts them.
NAMED = 10
BATCH = 5000

_COLS = ("case_id", "seq", "track", "from_step", "to_step", "trigger", "actor_id", "actor_name", "at",
         "note", "prev_hash", "hash", "scheme", "kind", "records", "gseq", "gprev", "gprev_case")


@dataclass(frozen=True)
class HeadCheck:
    """What the check found: how many case heads it read, and the cases whose head is wrong."""

    cases: int
    tampered: tuple[int, ...]
    #: the history is keyed but the key is missing: nothing could be checked
    no_key: bool = False

    @property
    def ok(self) -> bool:
        return not self.tampered and not self.no_key

    def warnings(self) -> list[str]:
        """Dutch sentences for the user (empty: in order)."""
        if self.no_key:
            return ["De geschiedenis kan niet worden gecontroleerd: de sleutel ontbreekt."]
        if not self.tampered:
            return []
        n = len(self.tampered)
        named = ", ".join(str(c) for c in self.tampered[:NAMED])
        if n == 1:
            which = f"casus {named}"
        elif n <= NAMED:
            which = f"{n} casussen ({named})"
        else:
            which = f"{n} casussen (onder meer {named})"
        return [f"Let op: de geschiedenis van {which} is buiten kindroute gewijzigd: de laatste "
                "gebeurtenis klopt niet met de kop. Voer 'kindroute audit verify' uit en meld dit "
                "bij de beheerder."]


def _statement(columns: Any) -> Any:
    c = Case.__table__.c
    last = EVENTS.alias("last")
    after = EVENTS.alias("after")
    stmt = (
        select(*columns(c, last, after))
        .select_from(Case.__table__)
        .outerjoin(last, and_(last.c.case_id == c.id, last.c.seq == c.history_count))
        .outerjoin(after, and_(after.c.case_id == c.id, after.c.seq == c.history_count + 1))
        .where(c.history_scheme == SCHEME_KEYED)
    )
    return stmt, c, last, after


def check_case_heads(db: Database, *, content: bool = True) -> HeadCheck:
    """Check the head of every keyed case (see the module docstring).

    ``content=False``: only what the database can compare itself (the newest event is there, its
    hash is the head, nothing stands beyond it), one query that returns the failing cases alone;
    an event whose content was changed with its hash left alone is then not seen.
    """
    from kindroute.services.audit import event_ok

    bad: list[int] = []
    n = 0
    with db.engine.connect() as conn, conn.begin():
        key = history_key_for(db, conn, write=False)
        if not content:
            stmt, c, last, after = _statement(lambda c, last, after: (c.id,))
            stmt = stmt.where(or_(after.c.seq.is_not(None), last.c.hash.is_(None),
                                  last.c.hash != c.history_head, last.c.scheme != SCHEME_KEYED))
            return HeadCheck(0, tuple(sorted(conn.execute(stmt).scalars())))
        stmt, _c, _l, _a = _statement(
            lambda c, last, after: (c.id, c.history_head, after.c.seq, *(last.c[n] for n in _COLS)))
        for row in conn.execution_options(yield_per=BATCH).execute(stmt):
            n += 1
            if n % 1000 == 0:
                time.sleep(0)  # in the app's background worker: let the screen have its turn
            case_id, head, beyond, event = row[0], row[1], row[2], row[3:]
            if key is None:
                return HeadCheck(n, (), no_key=True)
            if (beyond is not None or event[1] is None or event[11] != head
                    or event[12] != SCHEME_KEYED or event_ok(key, case_id, event) is not True):
                bad.append(case_id)
    return HeadCheck(n, tuple(sorted(bad)))
