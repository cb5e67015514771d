"""Commands around the keyed history: sealing older cases, and the database roles that keep the
history append-only on PostgreSQL."""

from __future__ import annotations

import click

from kindroute.cli.common import Run
from kindroute.errors import InvalidInput


@click.command("seal")
@click.option("--db", "db", default=None, metavar="DB", help="Databasebestand of URL.")
@click.option("--as", "as_", default=None, metavar="NAAM", help="Wie dit doet.")
def audit_seal(db: str | None, as_: str | None) -> None:
    """Neem casussen van vóór de verzegelde geschiedenis op in die geschiedenis (alle gegevens)."""
    from kindroute.services import register
    from kindroute.services.history import seal_cases

    run = Run(db, as_)
    try:
        actor = run.actor(write=True)
        n = seal_cases(run.services, actor)
        started = register.may_seal(actor, run.services.route) and register.seal(run.database, actor,
                                                                                  run.now())
    finally:
        run.close()
    click.echo(f"{n} casus(sen) verzegeld." if n else "Alle casussen waren al verzegeld.")
    if started:
        click.echo("Personen, scholen en routes verzegeld (het register).")


@click.command("setup-roles")
@click.option("--db", "db", default=None, metavar="DB", help="URL van de gedeelde database.")
@click.option("--login", "logins", multiple=True, metavar="NAAM",
              help="Maak ook een inlogrol NAAM (lid van kindroute_app); herhaalbaar.")
def db_setup_roles(db: str | None, logins: tuple[str, ...]) -> None:
    """PostgreSQL: maak de rol kindroute_app, die de geschiedenis alleen mag aanvullen."""
    from kindroute.services.roles import APP_ROLE, setup_roles

    run = Run(db)
    try:
        if run.database.is_sqlite:
            raise InvalidInput("Rollen bestaan alleen op een gedeelde PostgreSQL-database.")
        made = setup_roles(run.database, logins)
    finally:
        run.close()
    click.echo(f"Rol {APP_ROLE} ingericht: lezen en schrijven, maar de geschiedenis, het toegangslog en "
               "de verwijderrondes alleen aanvullen.")
    for name in made:
        click.echo(f"Inlogrol {name} gemaakt (lid van {APP_ROLE}); geef hem een wachtwoord met "
                   f"psql: ALTER ROLE \"{name}\" PASSWORD '…'.")


def register(main: click.Group) -> None:
    for group_name, cmd in (("audit", audit_seal), ("db", db_setup_roles)):
        group = main.commands.get(group_name)
        if isinstance(group, click.Group):
            group.add_command(cmd)
