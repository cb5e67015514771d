"""Toestemming vastleggen: for which outside role, what for, by whom, from/until when."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from textual.app import ComposeResult
from textual.widgets import Checkbox, Input, Select

from kindroute.screens.form import FormScreen
from kindroute.services.text import check_name, check_text, parse_date

if TYPE_CHECKING:
    from kindroute.services import CaseDetail


class ConsentScreen(FormScreen):
    TITLE_TEXT = "Toestemming vastleggen"
    HINT = "ctrl+s opslaan · tab volgend veld · esc annuleren · intrekken: x in de tab Toestemmingen"
    ERROR_FIELDS = {"Doel": "purpose", "Gegeven door": "given-by", "Geldig tot": "until",
                    "einddatum": "until", "Geldig vanaf": "from", "rol": "role"}
    DONE = "Toestemming vastgelegd."

    def __init__(self, detail: CaseDetail) -> None:
        super().__init__(detail.pupil)
        self.detail = detail

    def fields(self) -> ComposeResult:
        from kindroute.services.screen_queries import role_choices

        roles = role_choices(self.services.route, outside_only=True)
        yield from self.field("Voor welke rol", Select(roles, id="role", prompt="kies een rol"))
        yield from self.field("Organisatie (mag leeg)",
                              Input(id="organisation", placeholder="bijv. Wijkteam Noord"))
        yield from self.field("Doel", Input(id="purpose", value="Delen van het dossier"))
        yield from self.field("Gegeven door", Input(id="given-by", placeholder="naam van ouder/verzorger"))
        yield Checkbox("Leerling (12–16) tekent mee", id="cosigned")
        yield from self.field("Geldig vanaf (leeg = vandaag)", Input(id="from", placeholder="JJJJ-MM-DD"))
        yield from self.field("Geldig tot (mag leeg)", Input(id="until", placeholder="JJJJ-MM-DD"))

    def check(self) -> bool:
        return self.require(role="Rol", purpose="Doel van de toestemming", **{"given-by": "Gegeven door"})

    def field_checks(self) -> dict[str, Callable[[str], object]]:
        return {
            "organisation": lambda v: check_name(v, "Organisatie"),
            "purpose": lambda v: check_text(v, "Doel van de toestemming"),
            "given-by": lambda v: check_name(v, "Gegeven door"),
            "from": lambda v: parse_date(v, "Geldig vanaf"),
            "until": lambda v: parse_date(v, "Geldig tot"),
        }

    def save(self) -> Any:
        return self.services.record_consent(
            self.actor, self.detail.id, role=self.value("role"), purpose=self.value("purpose"),
            given_by=self.value("given-by"), valid_from=self.value("from") or None,
            valid_until=self.value("until") or None,
            pupil_cosigned=self.query_one("#cosigned", Checkbox).value,
            organisation=self.value("organisation") or None, expected_version=self.detail.version,
        )
