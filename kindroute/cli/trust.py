"""Trust commands: users and passwords, audit verify, backup, purge, leaving dates, export.

``register(main)`` adds them to the main click group. Every command takes its own
``--db`` (default ``KINDROUTE_DB``) and, where someone acts, ``--as`` (default
``KINDROUTE_USER``); on a shared PostgreSQL database identity comes from the database
login or from ``--as`` plus a password (``KINDROUTE_PASSWORD`` or a prompt).
"""

from __future__ import annotations

import functools
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from kindroute.errors import InvalidInput, KindrouteError

db_option = click.option("--db", "db", envvar="KINDROUTE_DB", default=None,
                         help="Databasebestand of URL (standaard KINDROUTE_DB of het eigen bestand).")
as_option = click.option("--as", "as_", envvar="KINDROUTE_USER", default=None, metavar="PERSOON",
                         help="Wie u bent (naam of nummer).")


def _remember_route(ctx: click.Context, _param: click.Parameter, value: str | None) -> str | None:
    if value:
        ctx.meta["kindroute_route"] = value
    return value


#: ``--route`` on these commands: the database keeps its route, so a file given here must be that
#: route (a different one is refused with a message naming ``workflow install``).
route_option = click.option("--route", default=None, metavar="BESTAND", expose_value=False,
                            callback=_remember_route,
                            help="Routebestand; moet de route van de database zijn (zie 'workflow install').")


def _fail(message: str, code: int) -> None:
    click.echo(message, err=True)
    sys.exit(code)


def friendly(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Turn a KindrouteError into its Dutch message and exit code; never a traceback."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except KindrouteError as exc:
            _fail(str(exc), exc.exit_code)
        except Exception as exc:
            from sqlalchemy.exc import DBAPIError

            if not isinstance(exc, DBAPIError):
                raise
            from kindroute.bootstrap import database_problem

            problem = database_problem(exc, _db_arg(kwargs.get("db")))
            _fail(str(problem), problem.exit_code)
        except KeyboardInterrupt:
            _fail("Afgebroken.", 130)

    return wrapper


def _root_value(name: str, obj_key: str) -> str | None:
    """A value given to the main group (``kindroute --db X cases``), if it has one."""
    ctx = click.get_current_context(silent=True)
    root = ctx.find_root() if ctx else None
    if root is None:
        return None
    value = root.params.get(name)
    if not value and isinstance(root.obj, dict):
        value = root.obj.get(obj_key)
    return str(value) if value else None


def _db_arg(db: str | None) -> str | None:
    """``--db`` of this command, else the main group's."""
    return db or _root_value("db", "db")


def _as_arg(as_: str | None) -> str | None:
    """``--as`` of this command, else the main group's."""
    return as_ or _root_value("as_", "as")


def _route_arg() -> str | None:
    """This command's ``--route``, the main group's, or ``KINDROUTE_ROUTE``; else None (the route the
    database holds)."""
    ctx = click.get_current_context(silent=True)
    return ((ctx.meta.get("kindroute_route") if ctx else None) or _root_value("route", "route")
            or os.environ.get("KINDROUTE_ROUTE") or None)


def _prompt_password(label: str) -> str:
    if not sys.stdin.isatty():
        raise InvalidInput(f"Geen wachtwoord: gebruik --password-stdin of KINDROUTE_PASSWORD ({label}).")
    return click.prompt(label, hide_input=True)


def _open(db: str | None, as_: str | None = None, *, must_exist: bool = False,  # type: ignore[no-untyped-def]
          migrate: bool = True, check: bool | None = None):
    """The front door (:func:`kindroute.bootstrap.open_services`) for this command's --db/--as."""
    from kindroute.bootstrap import open_services

    return open_services(_db_arg(db), _route_arg(), _as_arg(as_), None, _prompt_password,
                         must_exist=must_exist, migrate=migrate, check=check)


def _read_password(from_stdin: bool, *, confirm: bool) -> str | None:
    if from_stdin:
        line = sys.stdin.readline()
        return line.rstrip("\r\n")
    if not sys.stdin.isatty():
        return None
    return click.prompt("Nieuw wachtwoord", hide_input=True, confirmation_prompt=confirm)


def _group(main: click.Group, name: str, help_text: str) -> click.Group:
    """An existing subgroup of ``main`` named ``name``, or a new one."""
    existing = main.commands.get(name)
    if isinstance(existing, click.Group):
        return existing
    group = click.Group(name=name, help=help_text)
    main.add_command(group)
    return group


# ---------------------------------------------------------------------- users


@click.command("add")
@click.argument("name")
@click.option("--role", "roles", multiple=True, required=True, help="Rol (meermaals te geven).")
@click.option("--school", default=None, help="School (naam, BRIN of nummer).")
@click.option("--organisation", default=None, help="Organisatie (voor rollen buiten de school).")
@click.option("--password-stdin", is_flag=True, help="Lees het wachtwoord van standaardinvoer.")
@click.option("--db-login", default=None, help="Koppel deze databaselogin (PostgreSQL) aan de persoon.")
@db_option
@route_option
@as_option
@friendly
def user_add(name: str, roles: tuple[str, ...], school: str | None, organisation: str | None,
             password_stdin: bool, db_login: str | None, db: str | None, as_: str | None) -> None:
    """Voeg een gebruiker toe (met wachtwoord of databaselogin op een gedeelde database)."""
    from kindroute.services.auth import add_user, has_credentials

    front = _open(db, as_)
    database = front.db
    try:
        actor = None
        if (front.shared and has_credentials(database)) or front.who is not None:
            actor = front.identify()
        password = None
        if password_stdin or (not database.is_sqlite and db_login is None):
            password = _read_password(password_stdin, confirm=True)
            if password is None and db_login is None:
                raise InvalidInput("Geef een wachtwoord (--password-stdin of de prompt) of een --db-login.")
        role_list = [r for value in roles for r in value.replace(",", " ").split()]
        info = add_user(database, actor, name, role_list, route=front.services.route,
                        school=school, organisation=organisation, password=password, db_login=db_login)
        how = []
        if password is not None:
            how.append("wachtwoord ingesteld")
        if db_login:
            how.append(f"databaselogin {db_login}")
        click.echo(f"Gebruiker {info.id} toegevoegd: {info.name} ({', '.join(info.roles)})"
                   + (f"; {', '.join(how)}" if how else ""))
    finally:
        front.close()


@click.command("passwd")
@click.argument("name")
@click.option("--password-stdin", is_flag=True, help="Lees het nieuwe wachtwoord van standaardinvoer.")
@db_option
@route_option
@as_option
@friendly
def user_passwd(name: str, password_stdin: bool, db: str | None, as_: str | None) -> None:
    """Stel het wachtwoord van een gebruiker in (alleen de argon2-hash wordt bewaard)."""
    from kindroute.services.auth import has_credentials, set_password

    front = _open(db, as_)
    database = front.db
    try:
        actor = None
        if (front.shared and has_credentials(database)) or front.who is not None:
            actor = front.identify()
        password = _read_password(password_stdin, confirm=True)
        if password is None:
            raise InvalidInput("Geef het nieuwe wachtwoord via --password-stdin of de prompt.")
        set_password(database, actor, name, password, route=front.services.route)
        click.echo(f"Wachtwoord van {name} ingesteld.")
    finally:
        front.close()


# ---------------------------------------------------------------------- audit, backup


@click.command("verify")
@click.option("--db", "db", envvar="KINDROUTE_DB", default=None, help="Databasebestand of URL.")
@route_option
@friendly
def audit_verify(db: str | None) -> None:
    """Controleer de geschiedenis van elke casus (hashketen, volgnummers, afspelen)."""
    front = _open(db, must_exist=True, migrate=False, check=True)
    try:
        from kindroute.services.audit import verify_history

        report = verify_history(front.db, front.services.route)
    finally:
        front.close()
    if report.ok:
        click.echo(report.summary())
        return
    for problem in report.problems:
        click.echo(problem)
    _fail(report.summary(), 1)


@click.command("backup")
@click.argument("dest", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Overschrijf een bestaand bestand.")
@db_option
@route_option
@friendly
def backup(dest: Path, force: bool, db: str | None) -> None:
    """Maak een consistente reservekopie van het SQLite-bestand (ook terwijl kindroute draait)."""
    from kindroute.bootstrap import database_url
    from kindroute.services.backup import backup_sqlite, is_postgres, pg_dump_hint

    if is_postgres(_db_arg(db)):
        raise InvalidInput(pg_dump_hint(database_url(_db_arg(db))))
    front = _open(db, must_exist=True, migrate=False)
    try:
        result = backup_sqlite(front.db, dest, force=force)
    finally:
        front.close()
    click.echo(f"Reservekopie gemaakt: {result.destination} ({result.size // 1024} kB, "
               "alleen voor u leesbaar).")


# ---------------------------------------------------------------------- retention


@click.command("purge")
@click.option("--dry-run", is_flag=True, help="Laat alleen zien wat zou verdwijnen.")
@db_option
@route_option
@as_option
@friendly
def purge(dry_run: bool, db: str | None, as_: str | None) -> None:
    """Verwijder casussen waarvan de bewaartermijn voorbij is (2 jaar, 3 bij verwijzing)."""
    from kindroute.services.retention import purge_expired

    front = _open(db, as_)
    try:
        actor = front.identify()
        result = purge_expired(front.services, actor, dry_run=dry_run)
    finally:
        front.close()
    if not result.cases:
        click.echo("Geen casussen waarvan de bewaartermijn voorbij is.")
        return
    for e in result.cases:
        click.echo(f"casus {e.case_id}  {click.style(e.pupil, bold=False)}  {e.school}  {e.final_step}  "
                   f"vertrokken {e.left_on}  bewaren tot {e.purge_from}")
    if dry_run:
        click.echo(f"{len(result.cases)} casus(sen) zouden worden verwijderd (proefdraai: niets verwijderd).")
    else:
        click.echo(f"{result.cases_removed} casus(sen) en {result.pupils_removed} leerling(en) verwijderd; "
                   "anonieme tellingen bewaard in het verwijderlogboek.")


def _left(target: str, ident: int, on: str | None, clear: bool, db: str | None, as_: str | None) -> None:
    from kindroute.services.retention import pupil_of_case, set_pupil_left

    if on is None and not clear:
        raise InvalidInput("Geef --on DATUM (of --clear om de vertrekdatum te wissen).")
    front = _open(db, as_)
    try:
        svc = front.services
        actor = front.identify()
        pupil_id = pupil_of_case(svc, actor, ident) if target == "case" else ident
        day = set_pupil_left(svc, actor, pupil_id, None if clear else on)
    finally:
        front.close()
    if day is None:
        click.echo(f"Vertrekdatum van leerling {pupil_id} gewist.")
    else:
        click.echo(f"Leerling {pupil_id} is vertrokken op {day.isoformat()}; de bewaartermijn loopt.")


@click.command("left")
@click.argument("pupil_id", type=int)
@click.option("--on", "on", default=None, metavar="DATUM", help="Datum van vertrek (JJJJ-MM-DD).")
@click.option("--clear", is_flag=True, help="Wis de vertrekdatum.")
@db_option
@route_option
@as_option
@friendly
def pupil_left(pupil_id: int, on: str | None, clear: bool, db: str | None, as_: str | None) -> None:
    """Leg vast dat een leerling de school heeft verlaten (start de bewaartermijn)."""
    _left("pupil", pupil_id, on, clear, db, as_)


@click.command("left")
@click.argument("case_id", type=int)
@click.option("--on", "on", default=None, metavar="DATUM", help="Datum van vertrek (JJJJ-MM-DD).")
@click.option("--clear", is_flag=True, help="Wis de vertrekdatum.")
@db_option
@route_option
@as_option
@friendly
def case_left(case_id: int, on: str | None, clear: bool, db: str | None, as_: str | None) -> None:
    """Leg vast dat de leerling van deze casus de school heeft verlaten."""
    _left("case", case_id, on, clear, db, as_)


# ---------------------------------------------------------------------- export


@click.command("case")
@click.argument("case_id", type=int)
@click.option("--format", "fmt", type=click.Choice(["md", "html"]), default="md", show_default=True)
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Schrijf naar dit bestand (alleen voor u leesbaar) in plaats van naar het scherm.")
@click.option("--force", is_flag=True, help="Overschrijf een bestaand bestand.")
@db_option
@route_option
@as_option
@friendly
def export_case_cmd(case_id: int, fmt: str, out: Path | None, force: bool, db: str | None,
                    as_: str | None) -> None:
    """Het volledige dossier van een casus voor inzage door ouders (AVG art. 15)."""
    from kindroute.services.export import export_case

    front = _open(db, as_)
    try:
        actor = front.identify(required=False)
        text = export_case(front.services, actor, case_id, fmt)
    finally:
        front.close()
    if out is None:
        click.echo(text, nl=False)
        return
    from kindroute.cli.private_files import write_private

    write_private(out, text, overwrite=force)
    click.echo(f"Dossier van casus {case_id} geschreven naar {out}.")


# ---------------------------------------------------------------------- wiring


def register(main: click.Group) -> None:
    """Add the trust commands to kindroute's main command group."""
    users = _group(main, "user", "Gebruikers en wachtwoorden (gedeelde database).")
    users.add_command(user_add)
    users.add_command(user_passwd)
    audit = _group(main, "audit", "Bewijs wat er gebeurd is.")
    audit.add_command(audit_verify)
    main.add_command(backup)
    main.add_command(purge)
    _group(main, "pupil", "Leerlingen.").add_command(pupil_left)
    _group(main, "case", "Eén casus.").add_command(case_left)
    _group(main, "export", "Gegevens exporteren.").add_command(export_case_cmd)
