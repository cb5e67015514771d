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
        if not run.database.is_sqlite and run.services.count_people() > 0:
            _require_swv(run.actor(write=True), "demo-gegevens toevoegen aan een gedeelde database")
        summary = generate(run.database, cases=n_cases, seed=seed, now=now(), route=run.route(),
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
        _bootstrap_actor(run)
        info = run.services.add_person(name, list(roles), organisation=organisation, school=school)
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
        _bootstrap_actor(run)
        info = run.services.add_school(name, brin)
        if fmt == "json":
            emit_json(info.to_json())
        else:
            click.echo(f"School {info.id} toegevoegd: {info.name} ({info.brin}).")
    finally:
        run.close()


# ----------------------------------------------------------------------------- import and export

PUPIL_COLUMNS = ("naam", "geboortedatum", "groep")


def read_pupils_csv(path: str, today: Any) -> list[tuple[str, Any, int]]:
    """Read and check the whole file first: any problem rejects it, with every line number."""
    import csv

    from kindroute.errors import InvalidInput
    from kindroute.services.text import check_birth_date, check_group, check_name, parse_date

    try:
        with open(path, encoding="utf-8-sig", newline="") as fh:
            text = fh.read()
    except FileNotFoundError:
        raise InvalidInput(f"Bestand {path} bestaat niet.") from None
    except UnicodeDecodeError:
        raise InvalidInput(f"{path} is geen UTF-8-tekst; sla het op als CSV UTF-8.") from None
    except OSError as exc:
        raise InvalidInput(f"{path} kan niet gelezen worden: {exc.strerror}.") from None
    first = text.splitlines()[0] if text.strip() else ""
    delimiter = ";" if first.count(";") > first.count(",") else ","
    reader = csv.reader(text.splitlines(), delimiter=delimiter)
    try:
        header = [h.strip().lower() for h in next(reader)]
    except StopIteration:
        raise InvalidInput(f"{path} is leeg; verwacht de kolommen {','.join(PUPIL_COLUMNS)}.") from None
    missing = [c for c in PUPIL_COLUMNS if c not in header]
    if missing:
        raise InvalidInput(f"{path}, regel 1: kolom(men) {', '.join(missing)} ontbreken; verwacht "
                           f"{','.join(PUPIL_COLUMNS)} (gevonden: {','.join(header)}).")
    idx = {c: header.index(c) for c in PUPIL_COLUMNS}
    problems: list[str] = []
    pupils: list[tuple[str, Any, int]] = []
    seen: dict[tuple[str, Any], int] = {}
    for line_no, row in enumerate(reader, start=2):
        if not any(cell.strip() for cell in row):
            continue
        if len(row) < len(header):
            problems.append(f"regel {line_no}: {len(row)} kolom(men), verwacht {len(header)}")
            continue
        try:
            name = check_name(row[idx["naam"]].strip(), "Naam")
            born = check_birth_date(parse_date(row[idx["geboortedatum"]], "Geboortedatum"), today)
            group = check_group(row[idx["groep"]].strip())
        except InvalidInput as exc:
            problems.append(f"regel {line_no}: {exc.message}")
            continue
        if (name, born) in seen:
            problems.append(f"regel {line_no}: {name} ({born}) staat ook op regel {seen[(name, born)]}")
            continue
        seen[(name, born)] = line_no
        pupils.append((name, born, group))
    if problems:
        shown = problems[:50] + ([f"… en nog {len(problems) - 50}"] if len(problems) > 50 else [])
        raise InvalidInput(f"{path} is niet ingelezen ({len(problems)} probleem/problemen); er is niets "
                           "opgeslagen:\n" + "\n".join(f"  - {p}" for p in shown))
    return pupils


@click.group("import")
def import_group() -> None:
    """Gegevens inlezen."""


@import_group.command("pupils")
@click.argument("csv_file", metavar="CSV", type=click.Path(dir_okay=False))
@click.option("--school", required=True, help="School (naam, BRIN of nummer).")
@common_options()
def import_pupils(csv_file: str, school: str, db: str | None, as_: str | None, route: str | None) -> None:
    """Lees leerlingen in uit een CSV met kolommen naam,geboortedatum,groep (alles of niets)."""
    run = Run(db, as_, route)
    try:
        actor = run.actor(write=True)
        import csv

        from kindroute.errors import InvalidInput

        try:
            pupils = read_pupils_csv(csv_file, now().date())
        except csv.Error as exc:  # e.g. a field over the csv module's limit (128 kB)
            why = ("een veld is groter dan 131.072 tekens" if "field larger" in str(exc)
                   else f"het bestand is niet te lezen als CSV ({exc})")
            raise InvalidInput(f"{csv_file}: {why}; er is niets ingelezen.") from None
        added, skipped = run.services.add_pupils(actor, school, pupils)
        extra = f"; {skipped} stonden er al" if skipped else ""
        click.echo(f"{added} leerling(en) ingelezen{extra}.")
    finally:
        run.close()


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
