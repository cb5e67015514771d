"""Shared helpers for the TUI tests: a demo database (fixed seed, frozen clock) per test.

The demo data is generated once per test process into a template file and copied for each
test, so every test gets its own fresh SQLite file in ``tmp_path`` within milliseconds.
"""

from __future__ import annotations

import shutil
from datetime import datetime
from functools import lru_cache
from pathlib import Path

NOW = datetime(2026, 3, 2, 9, 0)
IB = "Ingrid Bakker"
TEACHER = "Tom de Wit"
DEMO_CASES = 60
DEMO_SEED = 1


def clock() -> datetime:
    return NOW


@lru_cache(maxsize=1)
def _template(directory: str) -> Path:
    from kindroute.demo import generate
    from kindroute.store.db import open_database

    path = Path(directory) / "template.sqlite"
    db = open_database(str(path))
    generate(db, cases=DEMO_CASES, seed=DEMO_SEED, now=NOW)
    with db.engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    db.dispose()
    # the history key the demo's keyed events were sealed with lives in this test's user dir: keep it
    from kindroute.store.history_key import keys_dir

    keys = Path(directory) / "template-keys"
    if keys_dir().is_dir():
        shutil.copytree(keys_dir(), keys, dirs_exist_ok=True)
    return path


def demo_db(tmp_path: Path, tmp_path_factory) -> Path:  # type: ignore[no-untyped-def]
    """A fresh copy of the demo database."""
    template = _template(str(tmp_path_factory.getbasetemp()))
    target = tmp_path / "kindroute.sqlite"
    shutil.copyfile(template, target)
    keys = template.parent / "template-keys"
    if keys.is_dir():  # the copy's history key, in this test's user dir (0600 like kindroute makes it)
        from kindroute.store.history_key import keys_dir

        keys_dir().mkdir(parents=True, exist_ok=True)
        for key in keys.iterdir():
            shutil.copyfile(key, keys_dir() / key.name)
            (keys_dir() / key.name).chmod(0o600)
    return target


def services_for(path: Path):  # type: ignore[no-untyped-def]
    from kindroute.services import Services
    from kindroute.store.db import open_database

    return Services(open_database(str(path)), clock=clock)


def make_app(services, who: str | None = IB):  # type: ignore[no-untyped-def]
    from kindroute.app import KindrouteApp

    return KindrouteApp(services=services, who=who, remember=False)


async def settle(pilot, rounds: int = 2) -> None:  # type: ignore[no-untyped-def]
    """Wait for every worker and the messages they posted (workers start workers: repeat until quiet)."""
    from textual.worker import WorkerState

    quiet = 0
    for _ in range(50):
        await pilot.pause()
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        busy = any(w.state in (WorkerState.PENDING, WorkerState.RUNNING) for w in pilot.app.workers)
        quiet = 0 if busy else quiet + 1
        if quiet >= rounds:
            return


async def type_text(pilot, text: str) -> None:  # type: ignore[no-untyped-def]
    """Type into the focused Input in one go (each pilot.press costs a screen refresh)."""
    pilot.app.focused.insert_text_at_cursor(text)
    await pilot.pause()
