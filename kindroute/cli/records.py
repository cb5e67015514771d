"""``kindroute case decide``, ``case document`` and ``case term``: what the route's
``[[decisions]]``, ``[[documents]]`` and ``term_set_by`` let a person record on a case."""

from __future__ import annotations

from typing import Any

import click

from kindroute.cli.case_one import _change, _one_format, case_group
from kindroute.cli.common import common_options, nl_date


def _fields(pairs: tuple[str, ...]) -> dict[str, str]:
    from kindroute.errors import InvalidInput

    out: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise InvalidInput(f"--field '{pair}': schrijf veld=waarde, bijvoorbeeld --field categorie=hoog.")
        out[key.strip()] = value
    return out


def _followed(s: Any, r: Any) -> str:
    return "".join(f"\nDaarna automatisch: stap '{s.step_title(a.to)}' ({a.to})." for a in r.followed)


@case_group.command("decide")
@click.argument("case_id", type=int, metavar="ID")
@click.argument("decision", metavar="BESLUIT")
@click.argument("outcome", metavar="UITKOMST")
@click.option("--field", "fields", multiple=True, metavar="VELD=WAARDE",
              help="Een veld van het besluit (zie 'workflow show'); herhaal voor meer velden.")
@click.option("--title", default="", help="Titel of korte omschrijving.")
@_one_format
@common_options()
def case_decide(case_id: int, decision: str, outcome: str, fields: tuple[str, ...], title: str, fmt: str,
                **o: Any) -> None:
    """Leg een besluit uit de route vast (bijv. swv_besluit toegekend), met zijn velden."""
    _change(case_id, o["db"], o["as_"], o["route"], fmt,
            lambda s, a: s.record_decision(a, case_id, decision, outcome, fields=_fields(fields),
                                           title=title),
            lambda s, r: f"Casus {case_id}: besluit {decision} '{r.outcome}' vastgelegd (#{r.id})."
            + _followed(s, r))


@case_group.command("document")
@click.argument("case_id", type=int, metavar="ID")
@click.argument("kind", metavar="SOORT")
@click.option("--outcome", default="",
              help="Bij een besluit de uitkomst; bij een document een korte omschrijving.")
@click.option("--title", default="", help="Titel of korte omschrijving.")
@_one_format
@common_options()
def case_document(case_id: int, kind: str, outcome: str, title: str, fmt: str, **o: Any) -> None:
    """Leg een document uit de route vast (bijv. deskundigenadvies); een besluit-id mag ook."""
    _change(case_id, o["db"], o["as_"], o["route"], fmt,
            lambda s, a: s.record_document(a, case_id, kind, outcome=outcome, title=title),
            lambda s, r: f"Casus {case_id}: {kind}{_outcome(r)} vastgelegd (#{r.id})." + _followed(s, r))


def _outcome(r: Any) -> str:
    return f" '{r.outcome}'" if r.outcome else ""


@case_group.command("term")
@click.argument("case_id", type=int, metavar="ID")
@click.option("--until", "until", required=True, metavar="DATUM", help="Einddatum (JJJJ-MM-DD of D-M-JJJJ).")
@click.option("--track", default=None, help="Spoor (standaard de schoolroute).")
@_one_format
@common_options()
def case_term(case_id: int, until: str, track: str | None, fmt: str, **o: Any) -> None:
    """Stel de einddatum van de huidige stap vast (een stap met term_set_by in de route)."""
    _change(case_id, o["db"], o["as_"], o["route"], fmt,
            lambda s, a: _Term(case_id, s.set_term(a, case_id, until, track=track)),
            lambda s, r: f"Casus {case_id}: termijn vastgesteld tot {nl_date(r.until)}.")


class _Term:
    def __init__(self, case_id: int, until: Any) -> None:
        self.case_id, self.until = case_id, until

    def to_json(self) -> dict[str, Any]:
        return {"case_id": self.case_id, "deadline": self.until.isoformat()}
