"""The ``kindroute`` command (and ``python -m kindroute``): plain ``kindroute`` opens the app quickly.

Plain ``kindroute`` (no arguments) opens the app without importing click and the command line's
modules (about 10 ms of CPU of a start of some 200 ms): the database, the person and the route
come from ``KINDROUTE_DB``, ``KINDROUTE_USER`` and ``KINDROUTE_ROUTE``, as the command line's
defaults take them (an empty variable counts as unset). A failure the app does not show itself
(a bad ``KINDROUTE_NOW``, anything unexpected) is reported by the command line as for any command
(:func:`kindroute.cli.report_failure`). With arguments everything goes to the command line.
"""

from __future__ import annotations

import os
import sys


def open_app(db: str | None, who: str | None, route: str | None) -> int:
    """Open the app on ``db`` as ``who`` (``kindroute`` without a subcommand); the exit code.

    The garbage collector waits for the first frame, and the kept first page is read while
    Textual is imported (:mod:`kindroute.services.early_page`).
    """
    from kindroute.services.early_page import EarlyPage, pause_collector, resume_collector

    pause_collector()  # until the first frame is on screen (the app resumes it)
    try:
        early = EarlyPage.begin(db, route, who)  # the kept first page, read while Textual loads
        from kindroute.app import run_app

        return run_app(db=db, who=who, route=route, early=early)
    finally:
        resume_collector()  # (when the app did not get that far)


def run() -> None:
    """The console script."""
    if sys.argv[1:]:
        from kindroute.cli import main

        main(prog_name="kindroute")
        return
    env = {name: os.environ.get(f"KINDROUTE_{name.upper()}") or None for name in ("db", "user", "route")}
    try:
        code = open_app(env["db"], env["user"], env["route"])
    except (KeyboardInterrupt, Exception) as exc:
        from kindroute.cli import report_failure

        report_failure(exc)
    sys.exit(code)


if __name__ == "__main__":
    run()
