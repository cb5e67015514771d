"""What every command shares: --db/--as/--route, opening the services, identity, output.

Imports only click at module level; the rest is imported when a command runs.
"""

from __future__ import annotations

import sys
import unicodedata
from collections.abc import Callable, Sequence
from typing import Any

import click

F = Callable[..., Any]


def common_options(root: bool = False) -> Callable[[F], F]:
    """``--db``, ``--as`` and ``--route``; on the main group with their environment defaults."""

    def decorate(f: F) -> F:
        env = {"db": "KINDROUTE_DB", "as": "KINDROUTE_USER", "route": "KINDROUTE_ROUTE"} if root else {}
        f = click.option("--route", "route", default=None, metavar="BESTAND", envvar=env.get("route"),
                         help="Routebestand (TOML) in plaats van de standaardroute.")(f)
        f = click.option("--as", "as_", default=None, metavar="PERSOON", envvar=env.get("as"),
                         help="Wie u bent: naam of nummer (KINDROUTE_USER).")(f)
        f = click.option("--db", "db", default=None, metavar="DB", envvar=env.get("db"),
                         help="Databasebestand of URL (KINDROUTE_DB; standaard het eigen bestand).")(f)
        return f

    return decorate


def fail_with(ctx: click.Context, message: str, code: int) -> None:
    click.echo(message, err=True)
    ctx.exit(code)


def crash_log(exc: BaseException) -> str:
    """Write a redacted report of an unexpected error to the log file (see ``cli.crashlog``)."""
    from kindroute.cli.crashlog import write_crash_log

    ctx = click.get_current_context(silent=True)
    root = ctx.find_root().command if ctx is not None else None
    return write_crash_log(exc, root if isinstance(root, click.Group) else None,
                           getattr(root, "last_argv", None))


def _lookup(name: str) -> Any:
    """The value of ``name`` given on this command, else on a parent group, else the root's."""
    ctx = click.get_current_context(silent=True)
    while ctx is not None:
        value = ctx.params.get(name)
        if value is not None:
            return value
        ctx = ctx.parent
    return None


class Run:
    """One command's view of kindroute: the front door (database, route, services) and who acts.

    Everything is opened through :func:`kindroute.bootstrap.open_services` on first use.
    """

    def __init__(self, db: str | None = None, as_: str | None = None, route: str | None = None) -> None:
        self.db_arg = db if db is not None else _lookup("db")
        self.as_arg = as_ if as_ is not None else _lookup("as_")
        self.route_arg = route if route is not None else _lookup("route")
        #: a database without cases takes the ``--route`` file as its route (``kindroute demo``)
        self.adopt_route = False
        self._front: Any = None

    @property
    def front(self) -> Any:
        if self._front is None:
            from kindroute.bootstrap import open_services

            self._front = open_services(self.db_arg, self.route_arg, self.as_arg, None, ask_password(),
                                        adopt_route=self.adopt_route)
            from kindroute.services.head_check import check_case_heads
            from kindroute.services.history import check_heads

            # the newest change and every case's head, as far as the database can compare it
            # (one query); the app and 'audit verify' also check each head's content with the key
            db = self._front.db
            for warning in check_heads(db) + check_case_heads(db, content=False).warnings():
                click.echo(warning, err=True)
        return self._front

    @property
    def database(self) -> Any:
        return self.front.db

    def route(self) -> Any:
        if self._front is not None:
            return self._front.services.route
        from kindroute.workflow import load_route

        return load_route(self.route_arg) if self.route_arg else None

    @property
    def services(self) -> Any:
        return self.front.services

    def actor(self, *, write: bool) -> Any:
        """Who acts. Changes always need --as; reads on a local SQLite file may go without."""
        return self.front.identify(required=write)

    def now(self) -> Any:
        """The services' clock: ``KINDROUTE_NOW`` on a local file, the server's on a shared one."""
        return self.services.now()

    def close(self) -> None:
        if self._front is not None:
            self._front.close()


def ask_password() -> Callable[[str], str] | None:
    """A hidden prompt for a password when there is a terminal to ask at, else None."""
    if not sys.stdin.isatty():
        return None

    def prompt(text: str) -> str:
        return str(click.prompt(text, hide_input=True))

    return prompt


# ----------------------------------------------------------------------------- output


def emit_json(value: Any) -> None:
    import json

    click.echo(json.dumps(value, ensure_ascii=False, indent=2))


def width(text: str) -> int:
    """Columns a text takes in a terminal (wide characters such as emoji count double)."""
    n = 0
    for ch in text:
        if unicodedata.combining(ch):
            continue
        n += 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1
    return n


def table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """A plain aligned table; text is printed literally (no markup)."""
    widths = [width(h) for h in headers]
    for row in rows:
        for i, cell in enumerate(row):
            widths[i] = max(widths[i], width(cell))

    def line(cells: Sequence[str]) -> str:
        return "  ".join(c + " " * (widths[i] - width(c)) for i, c in enumerate(cells)).rstrip()

    out = [line(headers), "  ".join("-" * w for w in widths)]
    out += [line(r) for r in rows]
    return "\n".join(out)


def nl_date(value: Any) -> str:
    """A date as Dutch users write it: 3-9-2026 (ISO stays in JSON and CSV)."""
    if value is None:
        return "—"
    return f"{value.day}-{value.month}-{value.year}"


def nl_moment(value: Any) -> str:
    if value is None:
        return "—"
    return f"{nl_date(value)} {value.hour:02d}:{value.minute:02d}"


FORMATS_LIST = click.Choice(["table", "json", "csv"])
FORMATS_ONE = click.Choice(["text", "json"])
