"""Commands around the cases: demo data, people, schools, import, export, the route, the database."""

from __future__ import annotations

from typing import Any

import click

from kindroute.cli.common import Run, common_options, emit_json, table

# ----------------------------------------------------------------------------- demo


@click.command("demo")
@click.option("--cases", "n_cases", type=click.IntRange(min=0), default=60, show_default=True,
              help="Aantal casussen.")
@click.option("--seed", type=int, default=1, show_default=True, help="Zelfde seed, zelfde gegevens.")
@click.option("--append", is_flag=True, help="Ook als de database al casussen heeft: demo-casussen erbij.")
@common_options()
def demo_cmd(n_cases: int, seed: int, append: bool, db: str | None, as_: str | None,
             route: str | None) -> None:
    """Vul een database met realistische demo-gegevens (scholen, personen, leerlingen, casussen).

    Vaste namen om mee te proberen: 'Ingrid Bakker' (IB, OBS De Regenboog) en 'Tom de Wit'
    (leerkracht daar).
    """
    from kindroute.demo import generate

    run = Run(db, as_, route)
    run.adopt_route = True
    try:
        if not run.database.is_sqlite and run.services.count_people() > 0:
            _require_swv(run.actor(write=True), "demo-gegevens toevoegen aan een gedeelde database")
        summary = generate(run.database, cases=n_cases, seed=seed, now=run.now(), route=run.route(),
                           append=append)
        click.echo(f"Demo-gegevens in {run.database.display}: {summary.text()}.")
        click.echo("Probeer: kindroute --as \"Ingrid Bakker\"   of   kindroute cases --as \"Tom de Wit\"")
    finally:
        run.close()


def _require_swv(actor: Any, what: str) -> None:
    from kindroute.errors import AccessDenied
    from kindroute.workflow.vocabulary import ROLE_SWV

    if actor is None or ROLE_SWV not in actor.roles:
        raise AccessDenied(f"Alleen het SWV mag {what}.")


# ----------------------------------------------------------------------------- people and schools


def _bootstrap_actor(run: Run) -> Any:
    """Who adds people or schools: --as, except for the very first person on a local file."""
    if run.as_arg is None and run.database.is_sqlite and run.services.count_people() == 0:
        return None
    return run.actor(write=True)


@click.group("people", invoke_without_command=True)
@click.option("--role", "filter_role", help="Alleen personen met deze rol.")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@common_options()
@click.pass_context
def people_group(ctx: click.Context, filter_role: str | None, fmt: str, db: str | None, as_: str | None,
                 route: str | None) -> None:
    """Personen die aan casussen werken (en 'people add' om iemand toe te voegen)."""
    if ctx.invoked_subcommand is not None:
        return
    run = Run(db, as_, route)
    try:
        run.actor(write=False)
        people = run.services.list_people(filter_role)
        if fmt == "json":
            emit_json([p.to_json() for p in people])
            return
        svc = run.services
        rows = [[str(p.id), p.name, ", ".join(svc.role_label(r) for r in p.roles), p.school or "",
                 p.organisation or ""] for p in people]
        click.echo(table(["Nr", "Naam", "Rollen", "School", "Organisatie"], rows) if rows
                   else "Geen personen gevonden.")
    finally:
        run.close()


@people_group.command("add")
@click.argument("name")
@click.option("--role", "roles", multiple=True, required=True, help="Rol (meermaals te geven).")
@click.option("--school", help="School (naam, BRIN of nummer) voor leerkracht, IB, directeur.")
@click.option("--org", "organisation", help="Organisatie (voor rollen buiten school).")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@common_options()
def people_add(name: str, roles: tuple[str, ...], school: str | None, organisation: str | None, fmt: str,
               db: str | None, as_: str | None, route: str | None) -> None:
    """Voeg een persoon toe (de eerste persoon in een nieuw bestand mag zonder --as)."""
    run = Run(db, as_, route)
    try:
        from kindroute.services import staff as people

        info = people.add_person(run.services, _bootstrap_actor(run), name, list(roles),
                                 organisation=organisation, school=school)
        if fmt == "json":
            emit_json(info.to_json())
        else:
            click.echo(f"Persoon {info.id} toegevoegd: {info.name}.")
    finally:
        run.close()


@click.group("schools", invoke_without_command=True)
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@common_options()
@click.pass_context
def schools_group(ctx: click.Context, fmt: str, db: str | None, as_: str | None, route: str | None) -> None:
    """Scholen (en 'schools add' om er een toe te voegen)."""
    if ctx.invoked_subcommand is not None:
        return
    run = Run(db, as_, route)
    try:
        run.actor(write=False)
        schools = run.services.list_schools()
        if fmt == "json":
            emit_json([s.to_json() for s in schools])
            return
        rows = [[str(s.id), s.name, s.brin or ""] for s in schools]
        click.echo(table(["Nr", "Naam", "BRIN"], rows) if rows else "Geen scholen gevonden.")
    finally:
        run.close()


@schools_group.command("add")
@click.argument("name")
@click.option("--brin", required=True, help="BRIN-code: twee cijfers en twee letters, bijv. 12AB.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@common_options()
def schools_add(name: str, brin: str, fmt: str, db: str | None, as_: str | None, route: str | None) -> None:
    """Voeg een school toe."""
    run = Run(db, as_, route)
    try:
        from kindroute.services import staff as people

        info = people.add_school(run.services, _bootstrap_actor(run), name, brin)
        if fmt == "json":
            emit_json(info.to_json())
        else:
            click.echo(f"School {info.id} toegevoegd: {info.name} ({info.brin}).")
    finally:
        run.close()


# ----------------------------------------------------------------------------- import and export

@click.group("import")
def import_group() -> None:
    """Gegevens inlezen: leerlingen uit de leerlingadministratie."""


@click.group("export")
def export_group() -> None:
    """Gegevens exporteren."""


@export_group.command("cases")
@click.option("--format", "fmt", type=click.Choice(["csv", "json"]), default="csv", show_default=True)
@click.option("--output", "-o", type=click.Path(dir_okay=False, writable=True), help="Naar dit bestand.")
@common_options()
def export_cases(fmt: str, output: str | None, db: str | None, as_: str | None, route: str | None) -> None:
    """Alle casussen die u mag zien (ook afgesloten), als CSV of JSON."""
    from kindroute.cli.case_output import export_cases_to

    run = Run(db, as_, route)
    try:
        n = export_cases_to(run, fmt, output, run.actor(write=False))
        if output:
            click.echo(f"{n} casussen geschreven naar {output}.", err=True)
    finally:
        run.close()


# ----------------------------------------------------------------------------- the route


def _route_file(file: str | None) -> str | None:
    run = Run()
    return file or run.route_arg


def _route_to_show(path: str | None, db: str | None = None) -> tuple[Any, str]:
    """The route of a file; without one the route the database holds (when there is a database),
    else the default route. Returns the route and where it came from."""
    from kindroute.workflow import load_route

    if path:
        return load_route(path), path
    from pathlib import Path

    from kindroute.bootstrap import database_url

    run = Run(db)
    url = database_url(run.db_arg)
    file = Path(url[len("sqlite:///"):]) if url.startswith("sqlite:///") else None
    if file is None or (file.exists() and file.stat().st_size > 0):
        from kindroute.services.route_store import stored_route

        try:
            stored = stored_route(run.database)
        finally:
            run.close()
        if stored is not None:
            return stored, "database"
    return load_route(), "standaardroute"


@click.group("workflow")
def workflow_group() -> None:
    """De route (het stroomschema): controleren, tonen en een nieuwe versie in gebruik nemen."""


@workflow_group.command("check")
@click.argument("file", required=False, type=click.Path(dir_okay=False))
@click.option("--route", "route", default=None, hidden=True)
@click.option("--db", "db", default=None, metavar="DB", help="Zonder FILE: de route van deze database.")
def workflow_check(file: str | None, route: str | None, db: str | None) -> None:
    """Controleer een routebestand; zonder FILE de route van de database (of de standaardroute)."""
    r, where = _route_to_show(file or route or _route_file(None), db)
    n_steps = len(r.steps)
    n_moves = sum(len(t.sources) for t in r.triggers.values())
    click.echo(f"Route '{r.name}' (versie {r.version}, {where}) is geldig: "
               f"{n_steps} stappen, {n_moves} stappen-overgangen ({len(r.triggers)} triggers), "
               f"{len(r.roles)} rollen, {len(r.tracks)} sporen.")


@workflow_group.command("show")
@click.argument("file", required=False, type=click.Path(dir_okay=False))
@click.option("--format", "fmt", type=click.Choice(["text", "mermaid"]), default="text", show_default=True)
@click.option("--route", "route", default=None, hidden=True)
@click.option("--db", "db", default=None, metavar="DB", help="Zonder FILE: de route van deze database.")
def workflow_show(file: str | None, fmt: str, route: str | None, db: str | None) -> None:
    """Toon de route als leesbare tekst of als Mermaid-diagram."""
    from kindroute.workflow import to_mermaid, to_text

    r, _where = _route_to_show(file or route or _route_file(None), db)
    click.echo(to_mermaid(r) if fmt == "mermaid" else to_text(r))


@workflow_group.command("install")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@common_options()
def workflow_install(file: str, fmt: str, db: str | None, as_: str | None, route: str | None) -> None:
    """Neem een nieuwe versie van de route in gebruik in deze database.

    Elke open casus moet in een stap staan die de nieuwe route kent, of de [[migrate]]-tabel van het
    bestand zegt waarheen; alles gebeurt in één transactie en staat in de geschiedenis van elke open
    casus.
    """
    from kindroute.services.route_store import install_route
    from kindroute.workflow import load_route

    new = load_route(file)
    run = Run(db, as_, None)
    try:
        actor = run.actor(write=True)
        result = install_route(run.database, actor, new, run.services.now())
        if fmt == "json":
            emit_json({"name": result.name, "version": result.version, "previous": result.previous,
                       "open_cases": result.cases, "migrated": result.migrated, "hash": new.hash})
        else:
            click.echo(f"Route '{result.name}' versie {result.version} is in gebruik (was versie "
                       f"{result.previous}); {result.cases} open casus(sen) overgezet, waarvan "
                       f"{result.migrated} naar een andere stap.")
    finally:
        run.close()


@workflow_group.command("versions")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@common_options()
def workflow_versions(fmt: str, db: str | None, as_: str | None, route: str | None) -> None:
    """Toon de versies van de route die deze database heeft gebruikt (de laatste is in gebruik)."""
    from kindroute.services.route_store import route_history

    run = Run(db, as_, None)
    try:
        rows = route_history(run.database)
        if fmt == "json":
            emit_json([{**r, "installed_at": r["installed_at"].isoformat(timespec="seconds")} for r in rows])
        else:
            click.echo(table(["Versie", "Naam", "Sinds", "Casussen", "Hash"],
                             [[r["version"], r["name"], r["installed_at"].strftime("%d-%m-%Y %H:%M"),
                               str(r["cases"]), r["hash"][:12]] for r in rows]))
    finally:
        run.close()


# ----------------------------------------------------------------------------- the database


@click.group("db")
def db_group() -> None:
    """De database."""


@db_group.command("upgrade")
@click.option("--db", "db", default=None, metavar="DB", help="Databasebestand of URL.")
@click.option("--route", "route", default=None, metavar="BESTAND",
              help="Route van een nieuwe database (een bestaande houdt de hare; zie 'workflow install').")
def db_upgrade(db: str | None, route: str | None) -> None:
    """Breng het schema van de database bij (migraties); maakt een nieuw bestand zo nodig aan."""
    from kindroute.bootstrap import upgrade

    run = Run(db)
    where, before, empty, head = upgrade(run.db_arg, route or run.route_arg)
    if empty:
        click.echo(f"Database {where} aangemaakt met schema {head}.")
    elif before is not None and before != head:
        click.echo(f"Database {where} bijgewerkt van schema {before} naar {head}.")
    else:
        click.echo(f"Database {where} is al bij (schema {head}); niets te doen.")


def register(main: click.Group) -> None:
    for cmd in (demo_cmd, people_group, schools_group, import_group, export_group, workflow_group, db_group):
        main.add_command(cmd)
