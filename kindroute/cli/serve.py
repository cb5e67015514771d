"""``kindroute serve``: the same app in a browser, through textual-serve.

Every browser tab starts its own ``kindroute`` process with the same ``--db`` and ``--route``,
so each session passes the same front door as in a terminal: on a shared database the
person logs in; on a local SQLite file the file's owner (who runs ``serve``) is the user, and
chooses who they are as in the terminal. Nobody's identity or password is handed down from
the serving process: ``KINDROUTE_PASSWORD`` is never passed on, ``KINDROUTE_USER`` only for a
local file. It listens on 127.0.0.1 unless told otherwise; an SWV puts it behind its own
HTTPS reverse proxy (README, "In de browser").
"""

from __future__ import annotations

import os
import re
import shlex
import sys

import click

from kindroute.cli.common import common_options

LOCAL_HOSTS = ("127.0.0.1", "localhost", "::1")


def app_command(db: str | None, route: str | None) -> str:
    """The command each browser session runs: this Python, this kindroute, the same database."""
    parts = [sys.executable, "-m", "kindroute"]
    if db:
        parts += ["--db", db]
    if route:
        parts += ["--route", route]
    return " ".join(shlex.quote(p) for p in parts)


_EXTERNAL_FONT = re.compile(r'<link[^>]*href="https://fonts\.googleapis\.com[^"]*"[^>]*>', re.DOTALL)


def local_only(html: str) -> str:
    """The page without textual-serve's web-font link: a pupil file opens without a request to a
    third party (the terminal falls back to the browser's own monospace font)."""
    return _EXTERNAL_FONT.sub("", html)


def session_environment(environ: dict[str, str], *, sqlite: bool) -> dict[str, str]:
    """What a browser session's process inherits: never a password; a name only for a local file."""
    env = dict(environ)
    env.pop("KINDROUTE_PASSWORD", None)
    if not sqlite:
        env.pop("KINDROUTE_USER", None)
    return env


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Adres om op te luisteren (standaard alleen deze computer).")
@click.option("--port", type=click.IntRange(1, 65535), default=8000, show_default=True, help="Poort.")
@click.option("--public-url", default=None, metavar="URL",
              help="Adres zoals de browser het ziet achter een reverse proxy, bijv. https://kindroute.swv.nl.")
@common_options()
def serve(host: str, port: int, public_url: str | None, db: str | None, as_: str | None,
          route: str | None) -> None:
    """Open kindroute in de browser (via textual-serve); elke browsersessie meldt zich aan."""
    from textual_serve.server import Server

    from kindroute.cli.common import Run
    from kindroute.errors import InvalidInput

    if as_:
        raise InvalidInput("kindroute serve neemt geen --as: elke browsersessie meldt zich zelf aan.")
    run = Run(db, None, route)
    try:
        run.route()  # a broken route file is said here, not in every browser tab
        sqlite = run.database.is_sqlite  # opens, checks and migrates the database once
        where = run.database.display
    finally:
        run.close()
    keep = session_environment(dict(os.environ), sqlite=sqlite)
    for key in [k for k in os.environ if k not in keep]:
        del os.environ[key]  # textual-serve hands this process's environment to every session

    from aiohttp import web

    @web.middleware
    async def guard(request, handler):  # type: ignore[no-untyped-def]
        response = await handler(request)
        if response.prepared:  # the websocket and downloads: already under way
            return response
        if request.path == "/" and isinstance(response, web.Response) and response.text:
            response.text = local_only(response.text)
        response.headers["Referrer-Policy"] = "no-referrer"
        response.headers["X-Frame-Options"] = "DENY"
        response.headers["X-Content-Type-Options"] = "nosniff"
        return response

    class KindrouteServer(Server):
        async def _make_app(self) -> web.Application:
            app = await super()._make_app()
            app.middlewares.append(guard)
            return app

        async def on_startup(self, app) -> None:  # type: ignore[no-untyped-def]
            click.echo(f"kindroute in de browser: {self.public_url} (database {where}).")
            if host not in LOCAL_HOSTS:
                click.echo(f"Let op: kindroute luistert op {host}, niet alleen op deze computer. Zet er een "
                           "HTTPS-reverse-proxy voor (zie README, 'In de browser').")
            click.echo("Stoppen: ctrl+c.")

    server = KindrouteServer(app_command(run.db_arg, run.route_arg), host=host, port=port, title="kindroute",
                             public_url=public_url)
    server.serve()


def register(main: click.Group) -> None:
    main.add_command(serve)
