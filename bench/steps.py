"""P3 (and P9's P3): steps through the services against the same writes done bare.

The same code serves SQLite (``sqlite3``) and PostgreSQL (``psycopg``): the SQL is written with
``?`` marks and given to psycopg with ``%s``. ``prepare_steps`` picks open cases whose next step
is guarded by the checklist only and ticks that checklist (setup, not timed);
``steps_via_services`` times ``Services.advance_case``; ``steps_bare`` times the same writes
(SELECT the case, the global head and the track, INSERT the keyed event — HMAC-SHA256 with the
history key, as the services seal it — UPDATE the global head, ``case_tracks`` and ``cases …
WHERE version = ?``), one transaction per step.
"""

from __future__ import annotations

import time
from datetime import datetime, timedelta
from typing import Any

Work = list[tuple[int, str, int]]


class Bare:
    """A DB-API connection to ``url`` (a file path or a postgresql URL) with ``?`` marks."""

    def __init__(self, url: str) -> None:
        self.pg = url.startswith("postgresql")
        if self.pg:
            import psycopg

            self.con: Any = psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://"),
                                            autocommit=True)
        else:
            import sqlite3

            self.con = sqlite3.connect(url, isolation_level=None, timeout=5)
            for pragma in ("busy_timeout = 5000", "foreign_keys = ON", "journal_mode = WAL",
                           "synchronous = NORMAL"):
                self.con.execute(f"PRAGMA {pragma}")

    def run(self, sql: str, params: tuple[Any, ...] = ()) -> Any:
        return self.con.execute(sql.replace("?", "%s") if self.pg else sql, params)

    def many(self, sql: str, rows: list[tuple[Any, ...]]) -> None:
        if self.pg:
            with self.con.cursor() as cur:
                cur.executemany(sql.replace("?", "%s"), rows)
        else:
            self.con.executemany(sql, rows)

    def begin(self) -> None:
        self.run("BEGIN" if self.pg else "BEGIN IMMEDIATE")

    def close(self) -> None:
        self.con.close()


def prepare_steps(url: str, n: int) -> Work:
    """Choose ``n`` open cases that can take a step guarded by the checklist only, and tick it.

    Returns (case id, trigger, acting IB person id). One IB per school is added for the
    benchmark, so the data generator's people do not matter.
    """
    from kindroute.workflow import load_route

    route = load_route()
    main = route.main_track.id
    simple: dict[str, str] = {}
    for t in route.triggers.values():
        if t.track == main and all(g.name == "checklist_complete" for g in t.guards):
            for src in t.sources:
                simple.setdefault(src, t.id)
    db = Bare(url)
    try:
        marks = ",".join("?" * len(simple))
        rows = db.run(
            f"SELECT c.id, c.school_id, t.step, t.entered_seq FROM cases c JOIN case_tracks t "
            f"ON t.case_id = c.id AND t.track = ? WHERE c.status = 'open' AND t.step IN ({marks}) "
            f"ORDER BY c.id LIMIT ?", (main, *simple, n),
        ).fetchall()
        if len(rows) < n:
            raise RuntimeError(f"only {len(rows)} cases can take a checklist-only step; need {n}")
        db.begin()
        ib: dict[int, int] = {}
        for school_id in sorted({r[1] for r in rows}):
            ib[school_id] = int(db.run(
                "INSERT INTO people (name, organisation, roles, school_id, active, created_at) "
                "VALUES (?, NULL, 'ib', ?, TRUE, '2026-01-01 00:00:00.000000') RETURNING id",
                (f"Bench IB {school_id}", school_id),
            ).fetchone()[0])
        ticks = []
        for case_id, school_id, step, visit in rows:
            for item in route.steps[step].checklist:
                ticks.append((case_id, step, item.id, ib[school_id], visit))
        db.many(
            "INSERT INTO checklist_ticks (case_id, step, item, done_by_id, done_at, visit) "
            "VALUES (?, ?, ?, ?, '2026-01-01 00:00:00.000000', ?) ON CONFLICT DO NOTHING", ticks,
        )
        db.run("COMMIT")
    finally:
        db.close()
    return [(case_id, simple[step], ib[school_id]) for case_id, school_id, step, _v in rows]


def steps_via_services(url: str, work: Work) -> float:
    """Seconds for ``Services.advance_case`` over ``work``, each step its own unit of work."""
    from kindroute.services import Services
    from kindroute.store.db import open_database

    database = open_database(url)
    try:
        services = Services(database)
        actors = {pid: services.resolve_actor(pid) for pid in {w[2] for w in work}}
        started = time.perf_counter()
        for case_id, trigger, pid in work:
            services.advance_case(actors[pid], case_id, trigger)
        return time.perf_counter() - started
    finally:
        database.dispose()


def history_key(url: str) -> bytes:
    """The database's history key, as the services find it (setup, not timed)."""
    from kindroute.services import history
    from kindroute.store.db import open_database

    database = open_database(url)
    try:
        with database.engine.begin() as conn:
            key = history.history_key_for(database, conn, write=True)
    finally:
        database.dispose()
    assert key is not None
    return key


def _when(value: Any) -> Any:
    """A datetime or date as the driver gives it (sqlite3: text) turned into the object."""
    if isinstance(value, str):
        return (datetime.fromisoformat(value) if len(value) > 10
                else datetime.fromisoformat(value).date())
    return value


def steps_bare(url: str, work: Work) -> float:
    """The same writes with the bare driver, in the same per-step transactions: the keyed event
    (HMAC-SHA256 over the event, its case and global links and the digests of the case row and
    track it changes, as ``services/turns.record_step`` seals it) and the global head."""
    from kindroute.services.history import HEAD_HISTORY
    from kindroute.store.hmac_chain import event_mac, format_head, parse_head, record_digest, records_text
    from kindroute.workflow import load_route

    route = load_route()
    main = route.main_track.id
    key = history_key(url)
    db = Bare(url)
    names = dict(db.run("SELECT id, name FROM people").fetchall())
    lock = " FOR UPDATE" if db.pg else ""
    try:
        started = time.perf_counter()
        for case_id, trigger_id, pid in work:
            trigger = route.triggers[trigger_id]
            dest = route.steps[trigger.dest]
            now = datetime.now()
            db.begin()
            (version, head, count, pupil_id, school_id, opened_at, opened_by, registered_on, extended,
             route_version) = db.run(
                "SELECT version, history_head, history_count, pupil_id, school_id, opened_at, "
                "opened_by_id, registered_on, zorgplicht_extended, route_version FROM cases WHERE id = ?",
                (case_id,)).fetchone()
            (gvalue,) = db.run("SELECT value FROM kindroute_meta WHERE key = ?" + lock,
                               (HEAD_HISTORY,)).fetchone()
            (source,) = db.run(
                "SELECT step FROM case_tracks WHERE case_id = ? AND track = ?", (case_id, main)
            ).fetchone()
            gseq, gcase, gprev, _mac = parse_head(gvalue)
            gseq += 1
            seq = count + 1
            status = ("closed" if dest.id == "afgesloten" else "referred") if dest.final else "open"
            closed_at = now if dest.final else None
            deadline = now.date() + timedelta(days=dest.term_days) if dest.term_days else None
            records = records_text([
                ("cases", case_id, record_digest((pupil_id, school_id, status, _when(opened_at), opened_by,
                                                  closed_at, _when(registered_on), extended,
                                                  route_version))),
                ("case_tracks", main, record_digest((dest.id, now, deadline, dest.at_turn, seq))),
            ])
            h = event_mac(key, case_id=case_id, seq=seq, kind="step", track=main, from_step=source,
                          to_step=dest.id, trigger=trigger_id, actor_id=pid, actor_name=names[pid], at=now,
                          note="", records=records, prev_hash=head, gseq=gseq, gprev=gprev,
                          gprev_case=gcase)
            stamp = now.isoformat(" ", timespec="microseconds")
            db.run(
                "INSERT INTO case_events (case_id, seq, track, from_step, to_step, \"trigger\", actor_id, "
                "actor_name, at, note, prev_hash, hash, scheme, kind, records, gseq, gprev, gprev_case) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, '', ?, ?, 2, 'step', ?, ?, ?, ?)",
                (case_id, seq, main, source, dest.id, trigger_id, pid, names[pid], stamp, head, h, records,
                 gseq, gprev, gcase),
            )
            db.run("UPDATE kindroute_meta SET value = ? WHERE key = ?",
                   (format_head(key, HEAD_HISTORY, gseq, case_id, h), HEAD_HISTORY))
            db.run(
                "UPDATE case_tracks SET step = ?, entered_at = ?, deadline = ?, at_turn_role = ?, "
                "entered_seq = ? WHERE case_id = ? AND track = ?",
                (dest.id, stamp, deadline.isoformat() if deadline else None, dest.at_turn, seq, case_id,
                 main),
            )
            cur = db.run(
                "UPDATE cases SET history_head = ?, history_count = ?, updated_at = ?, version = ?, "
                "status = ?, closed_at = ? WHERE id = ? AND version = ?",
                (h, seq, stamp, version + 1, status, stamp if dest.final else None, case_id, version),
            )
            if cur.rowcount != 1:
                raise RuntimeError("version check failed")
            db.run("COMMIT")
        return time.perf_counter() - started
    finally:
        db.close()
