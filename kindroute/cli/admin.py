"""Commands around the cases: demo data, people, schools, import, export, the route, the database."""

from __future__ import annotations

from typing import Any

import click

from kindroute.cli.common import Run, common_options, emit_json, now, table

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
    try:
        summary = generate(run.database, cases=n_cases, seed=seed, now=now(), route=run.route(),
                           append=append)
        click.echo(f"Demo-gegevens in {run.database.display}: {summary.text()}.")
        click.echo("Probeer: kindroute --as \"Ingrid Bakker\"   of   kindroute cases --as \"Tom de Wit\"")
    finally:
        run.close()


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
    from kindroute.cli.cases import export_cases_to

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


@click.group("workflow")
def workflow_group() -> None:
    """De route (het stroomschema): controleren en tonen."""


@workflow_group.command("check")
@click.argument("file", required=False, type=click.Path(dir_okay=False))
@click.option("--route", "route", default=None, hidden=True)
def workflow_check(file: str | None, route: str | None) -> None:
    """Controleer een routebestand; zonder FILE de route in gebruik (of de standaardroute)."""
    from kindroute.workflow import load_route

    path = file or route or _route_file(None)
    r = load_route(path) if path else load_route()
    n_steps = len(r.steps)
    n_moves = sum(len(t.sources) for t in r.triggers.values())
    click.echo(f"Route '{r.name}' (versie {r.version}, {path or 'standaardroute'}) is geldig: "
               f"{n_steps} stappen, {n_moves} stappen-overgangen ({len(r.triggers)} triggers), "
               f"{len(r.roles)} rollen, {len(r.tracks)} sporen.")


@workflow_group.command("show")
@click.argument("file", required=False, type=click.Path(dir_okay=False))
@click.option("--format", "fmt", type=click.Choice(["text", "mermaid"]), default="text", show_default=True)
@click.option("--route", "route", default=None, hidden=True)
def workflow_show(file: str | None, fmt: str, route: str | None) -> None:
    """Toon de route als leesbare tekst of als Mermaid-diagram."""
    from kindroute.workflow import load_route, to_mermaid, to_text

    path = file or route or _route_file(None)
    r = load_route(path) if path else load_route()
    click.echo(to_mermaid(r) if fmt == "mermaid" else to_text(r))


# ----------------------------------------------------------------------------- the database


@click.group("db")
def db_group() -> None:
    """De database."""


@db_group.command("upgrade")
@click.option("--db", "db", default=None, metavar="DB", help="Databasebestand of URL.")
def db_upgrade(db: str | None) -> None:
    """Breng het schema van de database bij (migraties); maakt een nieuw bestand zo nodig aan."""
    from kindroute.store import schema
    from kindroute.store.db import describe, make_engine, open_database, resolve_url

    run = Run(db)
    url = resolve_url(run.db_arg)
    before = None
    is_new = url.startswith("sqlite:///") and not _exists(url[len("sqlite:///"):])
    if not is_new:
        engine = make_engine(url)
        try:
            before = schema.inspect_state(engine)
        except Exception:  # noqa: BLE001 - open_database below gives the Dutch message
            before = None
        finally:
            engine.dispose()
    database = open_database(run.db_arg)
    database.dispose()
    where = describe(url)
    if is_new or (before is not None and before.empty):
        click.echo(f"Database {where} aangemaakt met schema {schema.HEAD_REVISION}.")
    elif before is not None and before.revision != schema.HEAD_REVISION:
        click.echo(f"Database {where} bijgewerkt van schema {before.revision} naar {schema.HEAD_REVISION}.")
    else:
        click.echo(f"Database {where} is al bij (schema {schema.HEAD_REVISION}); niets te doen.")


def _exists(path: str) -> bool:
    from pathlib import Path

    p = Path(path)
    return p.exists() and p.stat().st_size > 0


def register(main: click.Group) -> None:
    for cmd in (demo_cmd, people_group, schools_group, import_group, export_group, workflow_group, db_group):
        main.add_command(cmd)
