"""Afspraak: who does what by when (the person is one of the case's assigned people)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from textual.app import ComposeResult
from textual.widgets import Input, Select

from kindroute.screens.form import FormScreen
from kindroute.services.text import check_text, parse_date

if TYPE_CHECKING:
    from kindroute.services import CaseDetail


class AgreementScreen(FormScreen):
    TITLE_TEXT = "Afspraak"
    ERROR_FIELDS = {"Afspraak": "what", "Datum": "due", "rol": "who"}
    DONE = "Afspraak vastgelegd."

    def __init__(self, detail: CaseDetail) -> None:
        super().__init__(detail.pupil)
        self.detail = detail

    def fields(self) -> ComposeResult:
        options = [(f"{a.person} ({a.role_label})", a.role) for a in self.detail.assignments]
        yield from self.field("Wat", Input(id="what", placeholder="bijv. observatie in de klas"))
        yield from self.field("Wie", Select(options, id="who", prompt="(nog) niemand"))
        yield from self.field("Vóór (datum, bijv. 2026-03-20 of 20-3-2026; mag leeg)",
                              Input(id="due", placeholder="JJJJ-MM-DD"))

    def check(self) -> bool:
        return self.require(what="Afspraak")

    def field_checks(self) -> dict[str, Callable[[str], object]]:
        return {"what": lambda v: check_text(v, "Afspraak"), "due": lambda v: parse_date(v, "Datum")}

    def warnings(self) -> list[tuple[str, str]]:
        from kindroute.services.screen_queries import due_date_warning

        due = self.value("due")
        warning = due_date_warning(parse_date(due), self.services.today()) if due else None
        return [("due", warning)] if warning else []

    def save(self) -> Any:
        role = self.value("who") or None
        return self.services.add_agreement(self.actor, self.detail.id, self.value("what"), who_role=role,
                                           due_on=self.value("due") or None,
                                           expected_version=self.detail.version)
