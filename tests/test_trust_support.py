"""Shared helpers for the trust tests (no tests of its own).

A populated database (two schools, every role), a hand-moved clock, a fresh PostgreSQL
database per test, and a way to run the real command line in a subprocess.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import uuid
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path

import pytest

from kindroute.services import Services
from kindroute.store.db import Database, open_database

NOW = datetime(2026, 11, 23, 9, 30)
PG_URL = os.environ.get("KINDROUTE_TEST_PG_URL")
ROOT = Path(__file__).resolve().parent.parent

needs_pg = pytest.mark.skipif(not PG_URL, reason="KINDROUTE_TEST_PG_URL is niet gezet")


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=[needs_pg, pytest.mark.pg])])
def svc_both(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Services]:
    """Services with a frozen clock on a fresh database: a SQLite file, and a PostgreSQL database
    when ``KINDROUTE_TEST_PG_URL`` is set (a module takes it as ``svc = svc_both``)."""
    if request.param == "sqlite":
        db = open_database(str(tmp_path / "kr.sqlite"))
        yield make_services(db, Clock())
        db.dispose()
        return
    assert PG_URL
    with pg_database() as url:
        db = open_database(url)
        yield make_services(db, Clock())
        db.dispose()


class Clock:
    """A clock the test moves by hand."""

    def __init__(self, now: datetime = NOW) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


PEOPLE = [
    ("Ingrid Bakker", ["ib"], "12AB", None),
    ("Tom de Wit", ["leerkracht"], "12AB", None),
    ("Lotte Jansen", ["leerkracht"], "12AB", None),
    ("Dirk Directeur", ["directeur"], "12AB", None),
    ("Anna Anker", ["ib"], "34CD", None),
    ("Sara Smit", ["so_expert"], None, "SWV Passend Primair"),
    ("Jeroen Wijk", ["jeugdhulp"], None, "Wijkteam Noord"),
    ("Petra Plus", ["plusklas"], None, "Plusklas De Brug"),
    ("Siem Smw", ["smw"], None, "SMW Noord"),
    ("Gerda GGD", ["ggd"], None, "GGD Regio"),
    ("Willem SWV", ["swv"], None, "SWV Passend Primair"),
    ("Paul Willems", ["deskundige"], None, "Orthopedagogenpraktijk Willems"),
]


def populate(svc: Services) -> Services:
    svc.add_school("OBS De Regenboog", "12AB")
    svc.add_school("CBS Het Anker", "34CD")
    for name, roles, school, org in PEOPLE:
        svc.add_person(name, roles, school=school, organisation=org)
    return svc


def make_services(db: Database, clock: Clock | None = None) -> Services:
    return populate(Services(db, clock=clock or Clock()))


def sqlite_services(path: Path, clock: Clock | None = None) -> Services:
    return make_services(open_database(str(path)), clock)


def actor(svc: Services, name: str = "Ingrid Bakker"):  # type: ignore[no-untyped-def]
    return svc.resolve_actor(name)


def open_case(svc: Services, name: str = "Sanne de Vries", **kw) -> int:  # type: ignore[no-untyped-def]
    return svc.open_case(
        actor(svc), pupil=name, school=kw.pop("school", "12AB"), group=kw.pop("group", 5),
        born=kw.pop("born", "2017-03-01"), teacher=kw.pop("teacher", "Tom de Wit"), **kw,
    )


def case_with_clocks(svc: Services):  # type: ignore[no-untyped-def]
    """(the IB, a case of hers) with a clock of every kind running: registered (zorgplicht), a goal
    to evaluate, an OPP and an agreement with a due date."""
    ib = actor(svc)
    cid = open_case(svc, registered_on="2026-11-01")
    svc.add_goal(ib, cid, area="lezen", goal="Leest AVI E4", approach="Duolezen", who="ouders",
                 evaluate_on="2026-12-01")
    svc.save_opp(ib, cid, uitstroomprofiel="vmbo basis", reasons="IQ 85")
    svc.add_agreement(ib, cid, "Ouders bellen", who="Dirk Directeur", due_on="2026-12-03")
    return ib, cid


def tick_all(svc: Services, case_id: int, track: str = "school") -> None:
    detail = svc.case_detail(None, case_id)
    for t in detail.tracks:
        if t.track != track:
            continue
        for item, _label, done in t.checklist:
            if not done:
                svc.tick_checklist(actor(svc), case_id, item, track=track)


def walk(svc: Services, case_id: int, *triggers: str) -> None:
    for trig in triggers:
        tick_all(svc, case_id)
        svc.advance_case(actor(svc), case_id, trig)


def to_ondersteuningsteam(svc: Services, case_id: int) -> None:
    walk(svc, case_id, "naar_aanpak_groep", "naar_leerlingbespreking", "naar_aanpak_school",
         "naar_ondersteuningsteam")


# ---------------------------------------------------------------------- PostgreSQL


@contextlib.contextmanager
def pg_database() -> Iterator[str]:
    """A fresh, empty PostgreSQL database for one test; dropped afterwards."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    assert PG_URL
    name = f"kr_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        url = make_url(PG_URL).set(database=name).render_as_string(hide_password=False)
        # the administrator's history key for this shared database (see store/history_key.py)
        key_file = Path(os.environ.get("XDG_CONFIG_HOME", "/tmp")) / f"{name}.key"
        before = os.environ.get("KINDROUTE_HISTORY_KEY_FILE")
        os.environ["KINDROUTE_HISTORY_KEY_FILE"] = str(key_file)
        try:
            yield url
        finally:
            if before is None:
                os.environ.pop("KINDROUTE_HISTORY_KEY_FILE", None)
            else:
                os.environ["KINDROUTE_HISTORY_KEY_FILE"] = before
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


# ---------------------------------------------------------------------- the command line

_CLI = """
import sys
from kindroute.cli import main
main.main(args=sys.argv[1:], prog_name="kindroute")
"""


def cli_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if k not in ("KINDROUTE_DB", "KINDROUTE_USER", "KINDROUTE_PASSWORD")}
    env["KINDROUTE_CONFIG"] = str(Path(os.environ.get("TMPDIR", "/tmp")) / f"kr-cfg-{uuid.uuid4().hex}.toml")
    env.update(extra)
    return env


def run_cli_process(*args: str, input: str | None = None, timeout: float = 60, **env: str) \
        -> subprocess.CompletedProcess[str]:
    """Run ``kindroute ARGS`` as a real process."""
    return subprocess.run(
        [sys.executable, "-c", _CLI, *args], input=input, capture_output=True, text=True,
        timeout=timeout, env=cli_env(**env), cwd=ROOT,
    )


def run_cli(*args: str, input: str | None = None, **env: str) -> subprocess.CompletedProcess[str]:
    """Run ``kindroute ARGS`` in this process (click's runner): same code, no start-up cost."""
    from click.testing import CliRunner

    full = cli_env(**env)
    unset = {k: None for k in ("KINDROUTE_DB", "KINDROUTE_USER", "KINDROUTE_PASSWORD", "KINDROUTE_ROUTE")
             if k not in env}
    from kindroute.cli import main

    result = CliRunner().invoke(main, list(args), input=input,
                                env={**unset, "KINDROUTE_CONFIG": full["KINDROUTE_CONFIG"], **env},
                                catch_exceptions=False)
    return subprocess.CompletedProcess(list(args), result.exit_code, result.stdout, result.stderr)


# ---------------------------------------------------------------------- concurrent workers


def race_worker(url: str, who: str, case_ids: list[int], trigger: str, versioned: list[int],
                barrier, results) -> None:  # type: ignore[no-untyped-def]
    """One process of a race: per case, load it, wait for the other, then take the same step
    (with ``expected_version`` for the cases in ``versioned``)."""
    from kindroute.errors import KindrouteError

    db = open_database(url)
    svc = Services(db)
    me = svc.resolve_actor(who)
    try:
        for case_id in case_ids:
            version = svc.case_detail(me, case_id).version
            barrier.wait(timeout=30)
            try:
                svc.advance_case(me, case_id, trigger,
                                 expected_version=version if case_id in versioned else None)
                results.put((case_id, "ok", ""))
            except KindrouteError as exc:
                results.put((case_id, type(exc).__name__, str(exc)))
            except Exception as exc:  # noqa: BLE001 - reported to the parent as a failure
                results.put((case_id, "crash", repr(exc)))
    finally:
        db.dispose()


def statements_of(svc: Services, call: Callable[[], object]) -> list[str]:
    """The SQL statements ``call()`` sends through ``svc``'s engine, whitespace collapsed."""
    from sqlalchemy import event

    seen: list[str] = []

    def record(conn, cursor, statement, params, context, executemany):  # type: ignore[no-untyped-def]
        seen.append(" ".join(statement.split()))

    event.listen(svc.db.engine, "before_cursor_execute", record)
    try:
        call()
    finally:
        event.remove(svc.db.engine, "before_cursor_execute", record)
    return seen
