"""Toestemming intrekken: from today (or a given date), with a reason."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from textual.app import ComposeResult
from textual.widgets import Input

from kindroute.screens.form import FormScreen
from kindroute.services.text import check_text, parse_date

if TYPE_CHECKING:
    from kindroute.services import CaseDetail, ConsentInfo


class WithdrawConsentScreen(FormScreen):
    TITLE_TEXT = "Toestemming intrekken"
    ERROR_FIELDS = {"Reden": "reason", "Datum": "on"}
    DONE = "Toestemming ingetrokken."

    def __init__(self, detail: CaseDetail, consent: ConsentInfo) -> None:
        super().__init__(f"{consent.role_label} ({consent.purpose})")
        self.detail = detail
        self.consent = consent

    def fields(self) -> ComposeResult:
        yield from self.field("Reden", Input(id="reason", placeholder="bijv. ouders trekken toestemming in"))
        yield from self.field("Per datum (leeg = vandaag)", Input(id="on", placeholder="JJJJ-MM-DD"))

    def field_checks(self) -> dict[str, Callable[[str], object]]:
        return {"reason": lambda v: check_text(v, "Reden", required=False),
                "on": lambda v: parse_date(v, "Datum intrekking")}

    def save(self) -> Any:
        return self.services.withdraw_consent(self.actor, self.detail.id, self.consent.id,
                                              reason=self.value("reason"), on=self.value("on") or None,
                                              expected_version=self.detail.version)
