"""The crash log: what a developer needs to find a bug, and no pupil data.

A command line is logged as its command words and option names only (every value becomes
``…``); the traceback as exception types and code locations only (an exception's message can
hold names, birth dates or notes, e.g. the parameters of a failed SQL statement). The file is
readable by its owner only (0600), also when it already existed.
"""

from __future__ import annotations

import os
import sys
import traceback
from collections.abc import Sequence
from pathlib import Path

import click

HIDDEN = "…"


def redacted_command(argv: Sequence[str], group: click.Group | None) -> str:
    """``case note 7 --text 'Sanne…'`` → ``case note … --text …``: command words and option names."""
    out: list[str] = []
    current: click.Command | None = group
    for arg in argv:
        if arg.startswith("-"):
            name = arg.split("=", 1)[0]
            out.append(name + ("=" + HIDDEN if "=" in arg else ""))
            continue
        if isinstance(current, click.Group) and arg in current.commands:
            current = current.commands[arg]
            out.append(arg)
            continue
        out.append(HIDDEN)
    return " ".join(_printable(a) for a in out)


def _printable(text: str) -> str:
    return text.encode("utf-8", "backslashreplace").decode("utf-8")


def redacted_traceback(exc: BaseException) -> str:
    """Exception types and where they were raised; no messages."""
    lines: list[str] = []
    chain: list[BaseException] = []
    seen: set[int] = set()
    e: BaseException | None = exc
    while e is not None and id(e) not in seen:
        seen.add(id(e))
        chain.append(e)
        e = e.__cause__ or e.__context__
    for item in reversed(chain):
        lines.append("Traceback (most recent call last):\n")
        for frame in traceback.extract_tb(item.__traceback__):
            lines.append(f'  File "{frame.filename}", line {frame.lineno}, in {frame.name}\n')
        lines.append(f"{type(item).__module__}.{type(item).__qualname__} (bericht weggelaten)\n")
    return "".join(lines)


def log_folder() -> Path:
    from platformdirs import user_log_dir

    return Path(user_log_dir("kindroute", appauthor=False))


def write_crash_log(exc: BaseException, group: click.Group | None = None,
                    argv: Sequence[str] | None = None) -> str:
    """Append a redacted report of an unexpected error to the log file; return where it is."""
    import logging
    from datetime import datetime

    try:
        folder = log_folder()
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        path = folder / "kindroute.log"
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        os.fchmod(fd, 0o600)
        with os.fdopen(fd, "a", encoding="utf-8", errors="backslashreplace") as fh:
            stamp = datetime.now().isoformat(timespec="seconds")
            args = sys.argv[1:] if argv is None else argv
            fh.write(f"--- {stamp} kindroute {redacted_command(args, group)}\n")
            fh.write(redacted_traceback(exc))
        return str(path)
    except OSError:
        logging.getLogger("kindroute").error("unexpected error: %s", type(exc).__name__)
        return "(het logbestand kon niet worden geschreven)"


def bad_argument(argv: Sequence[str]) -> int | None:
    """The position (1-based) of the first argument that is not valid UTF-8 text, if any."""
    for i, arg in enumerate(argv, 1):
        if any("\udc80" <= ch <= "\udcff" for ch in arg):
            return i
    return None
