"""``kindroute cases``: the list of cases, filtered and sorted as on the worklist."""

from __future__ import annotations

from typing import Any

import click

from kindroute.cli.case_output import print_cases
from kindroute.cli.common import FORMATS_LIST, Run, common_options
from kindroute.workflow.vocabulary import STATUS_OPEN


def case_filter(run: Run, *, step: str | None, school: str | None, overdue: bool, group: int | None,
                role: str | None, mine: bool, search: str | None, include_closed: bool,
                sort: str, actor: Any) -> Any:
    from kindroute.errors import IdentityRequired, InvalidInput
    from kindroute.services import CaseFilter

    svc = run.services
    route = svc.route
    track = route.main_track.id
    if step is not None:
        if step not in route.steps:
            raise InvalidInput(f"Onbekende stap '{step}'. Bekend: {', '.join(route.steps)}.")
        track = route.steps[step].track
    if role is not None and role not in route.roles:
        raise InvalidInput(f"Onbekende rol '{role}'. Bekend: {', '.join(route.roles)}.")
    if mine and actor is None:
        raise IdentityRequired("--mine toont de casussen waarin u aan zet bent: geef --as NAAM.")
    return CaseFilter(
        text=search or "", step=step, track=track, school=school, at_turn_role=role,
        at_turn_person_id=actor.id if mine else None, overdue=overdue, group=group,
        status=None if include_closed else STATUS_OPEN, sort=sort,
    )



def list_options(f: Any) -> Any:
    for opt in reversed([
        click.option("--step", help="Alleen casussen in deze stap (id, bijv. ondersteuningsteam)."),
        click.option("--school", help="Alleen deze school (naam, BRIN of nummer)."),
        click.option("--overdue", is_flag=True, help="Alleen casussen over hun deadline."),
        click.option("--group", type=click.IntRange(1, 8), help="Alleen leerlingen in deze groep."),
        click.option("--role", help="Alleen waar deze rol aan zet is (bijv. ib)."),
        click.option("--mine", is_flag=True, help="Alleen waar ik (--as) aan zet ben."),
        click.option("--search", help="Zoek op naam: elk woord is het begin van een woord van de naam."),
        click.option("--all", "include_closed", is_flag=True, help="Ook afgesloten en verwezen casussen."),
        click.option("--sort", type=click.Choice(["deadline", "pupil", "step", "school", "group", "id"]),
                     default="deadline", show_default=True, help="Sorteren op."),
        click.option("--limit", type=click.IntRange(min=1), help="Hoogstens zoveel casussen."),
    ]):
        f = opt(f)
    return f



@click.command("cases")
@list_options
@click.option("--format", "fmt", type=FORMATS_LIST, default="table", show_default=True)
@common_options()
def cases_cmd(db: str | None, as_: str | None, route: str | None, fmt: str, limit: int | None,
              **filters: Any) -> None:
    """Lijst van casussen: stap, wie aan zet is, deadline (te laat gemarkeerd).

    Met --as ziet u alleen wat die persoon mag zien.
    """
    run = Run(db, as_, route)
    try:
        actor = run.actor(write=False)
        f = case_filter(run, actor=actor, **filters)
        rows = run.services.list_cases(actor, f, limit=limit)
        print_cases(run, rows, fmt)
    finally:
        run.close()



def register(main: click.Group) -> None:
    main.add_command(cases_cmd)
