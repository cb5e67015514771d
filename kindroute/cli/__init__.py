"""kindroute on the command line: a thin face over the same services as the TUI.

``kindroute`` without a subcommand opens the TUI. Every subcommand accepts ``--db``,
``--as`` and ``--route`` itself as well as on the main group (the subcommand's value
wins; the main group's default comes from ``KINDROUTE_DB``, ``KINDROUTE_USER`` and
``KINDROUTE_ROUTE``).

Start-up speed matters: this module imports only click. The subcommands' modules are
imported the first time the group's commands are asked for (a subcommand is named, or
``--help``). Services, SQLAlchemy, Faker and Textual are imported inside the commands that
need them. Plain ``kindroute`` (no arguments) does not come here at all: the console script
(:mod:`kindroute.__main__`) opens the app without click, and hands a failure to
:func:`report_failure`.

All expected failures are :class:`~kindroute.errors.KindrouteError`: they are caught in
one place (:meth:`KindrouteGroup.invoke`), printed in Dutch on stderr, and end with the
error's exit code. Anything else is logged with its traceback to a file and ends with
exit code 70 and one Dutch line (``KINDROUTE_DEBUG=1`` shows the traceback instead).
"""

from __future__ import annotations

import os
import sys
from typing import Any, NoReturn, cast

import click

from kindroute import __version__
from kindroute.cli import dutch
from kindroute.cli.common import common_options, crash_log, fail_with
from kindroute.errors import KindrouteError

dutch.install()  # click's own words (usage, help, errors) in Dutch

EXIT_CRASH = 70


class KindrouteGroup(click.Group):
    """The main group: turns every error into a Dutch message and an exit code.

    Its subcommands are registered on first access to :attr:`commands` (click itself and
    code that inspects the group both go through it).
    """

    _registered = False
    _commands: dict[str, click.Command]

    @property  # type: ignore[override]
    def commands(self) -> dict[str, click.Command]:
        if not self._registered:
            self._registered = True
            _register(self)
        return self._commands

    @commands.setter
    def commands(self, value: dict[str, click.Command]) -> None:
        self._commands = value

    def main(self, args: Any = None, *rest: Any, **kwargs: Any) -> Any:
        """Refuse arguments that are not UTF-8 text before anything tries to print them."""
        from kindroute.cli.crashlog import bad_argument

        self.last_argv = list(args) if args is not None else sys.argv[1:]
        position = bad_argument(self.last_argv)
        if position is not None:
            click.echo(f"Argument {position} is geen geldige tekst (geen UTF-8); controleer de "
                       "tekenset van de terminal of het script.", err=True)
            sys.exit(2)
        return super().main(args, *rest, **kwargs)

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (click.exceptions.Exit, click.exceptions.Abort, click.ClickException):
            raise
        except (KeyboardInterrupt, Exception) as exc:
            self.report(ctx, exc)

    def report(self, ctx: click.Context, exc: BaseException) -> None:
        """Say what went wrong, in Dutch, and end with its exit code (``ctx.exit``)."""
        if isinstance(exc, KindrouteError):
            fail_with(ctx, str(exc), exc.exit_code)
        elif isinstance(exc, BrokenPipeError):
            # `kindroute cases | head`: the reader left; say nothing
            try:
                sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - keep interpreter shutdown quiet
            finally:
                ctx.exit(0)
        elif isinstance(exc, KeyboardInterrupt):
            fail_with(ctx, "Afgebroken.", 130)
        elif isinstance(exc, Exception):
            if os.environ.get("KINDROUTE_DEBUG"):
                raise exc
            from_db = _database_problem(exc)
            if from_db is not None:
                fail_with(ctx, str(from_db), from_db.exit_code)
            where = crash_log(exc)
            fail_with(
                ctx,
                f"Er ging iets onverwachts mis ({type(exc).__name__}); er is niets half opgeslagen. "
                f"De details staan in {where}.",
                EXIT_CRASH,
            )


def _database_problem(exc: Exception) -> KindrouteError | None:
    """A low-level database error that escaped the services, as a Dutch DatabaseProblem."""
    if "sqlalchemy" not in sys.modules:
        return None
    from sqlalchemy.exc import DBAPIError

    if not isinstance(exc, DBAPIError):
        return None
    from kindroute.bootstrap import database_problem

    ctx = click.get_current_context(silent=True)
    db = ctx.find_root().params.get("db") if ctx else None
    return database_problem(exc, db)


@click.group(cls=KindrouteGroup, invoke_without_command=True, options_metavar="[OPTIES]",
             subcommand_metavar="[OPDRACHT] [ARGUMENTEN]...",
             context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@common_options(root=True)
@click.version_option(__version__, "--version", prog_name="kindroute", message="%(prog)s %(version)s",
                      help="Toon de versie en stop.")
@click.pass_context
def main(ctx: click.Context, db: str | None, as_: str | None, route: str | None) -> None:
    """Kindroute: welke stap elke casus zit, wie aan zet is en tot wanneer.

    Zonder opdracht opent kindroute het scherm (TUI). Met een opdracht werkt het als
    script: elke wijziging vraagt --as NAAM en wordt op naam vastgelegd.
    """
    ctx.obj = {"db": db, "as": as_, "route": route}
    if ctx.invoked_subcommand is None:
        from kindroute.__main__ import open_app

        sys.exit(open_app(db, as_, route))


def report_failure(exc: BaseException) -> NoReturn:
    """A failure of plain ``kindroute``, which opens the app without click (kindroute/__main__.py),
    reported as :meth:`KindrouteGroup.invoke` reports any command's."""
    ctx = main.make_context("kindroute", [])
    try:
        with ctx:
            cast(KindrouteGroup, main).report(ctx, exc)
    except click.exceptions.Exit as done:
        sys.exit(done.exit_code)
    raise exc  # (report always ends with an exit code)


def _register(group: click.Group) -> None:
    import importlib.util

    from kindroute.cli import admin, case_list, case_one, plan

    case_list.register(group)
    case_one.register(group)
    plan.register(group)
    admin.register(group)
    from kindroute.cli import meetings

    meetings.register(group)
    from kindroute.cli import everyday

    everyday.register(group)
    from kindroute.cli import report, swv  # the SWV's view

    report.register(group)
    swv.register(group)
    if importlib.util.find_spec("kindroute.cli.trust") is not None:
        from kindroute.cli import trust

        trust.register(group)
    from kindroute.cli import history

    history.register(group)
    dutch.name_placeholders(group)

__all__ = ["main"]
