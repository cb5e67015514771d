"""OPP opstellen of aanpassen: the fields of the current version, and whether to adopt it.

Only what changed is sent: changing an adopted OPP makes a new concept version (the services
decide), and saving without changes with *vaststellen* ticked adopts the current concept.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from textual.app import ComposeResult
from textual.widgets import Checkbox, Input

from kindroute.screens.form import FormScreen

if TYPE_CHECKING:
    from kindroute.services.plan_dto import PlanInfo

#: field id -> label, in the order of the form (the ids are ``save_opp``'s fields)
FIELDS = (
    ("uitstroomprofiel", "Uitstroomprofiel (bijv. vmbo basis/kader)"),
    ("reasons", "Onderbouwing van het uitstroomprofiel"),
    ("stimulerend", "Stimulerende factoren"),
    ("belemmerend", "Belemmerende factoren"),
    ("support", "Handelingsdeel: ondersteuning"),
    ("support_who", "Handelingsdeel: door wie"),
    ("duration", "Handelingsdeel: hoe lang"),
)


class OppFormScreen(FormScreen):
    TITLE_TEXT = "OPP"
    HINT = "ctrl+s opslaan · tab volgend veld · esc annuleren"
    ERROR_FIELDS = {"uitstroomprofiel": "uitstroomprofiel", "vastgesteld": "adopt"}
    DONE = "OPP opgeslagen."

    def __init__(self, case_id: int, pupil: str, plan: PlanInfo | None) -> None:
        current = plan.opp_versions[-1] if plan is not None and plan.opp_versions else None
        what = (f"versie {current.version} ({current.status})" if current is not None else "nieuw")
        super().__init__(f"{pupil} · {what}")
        self.case_id = case_id
        self.case_version = plan.version if plan is not None else None
        self.current = current

    def fields(self) -> ComposeResult:
        for field_id, label in FIELDS:
            value = getattr(self.current, field_id) if self.current is not None else ""
            yield from self.field(label, Input(value=value, id=field_id))
        note = ""
        if self.current is not None and self.current.status == "vastgesteld":
            note = " (een wijziging maakt een nieuwe conceptversie)"
        yield from self.field(f"Vaststellen{note}", Checkbox("deze versie vaststellen", id="adopt"))

    def changes(self) -> dict[str, str]:
        out = {}
        for field_id, _label in FIELDS:
            old = getattr(self.current, field_id) if self.current is not None else ""
            if self.value(field_id) != (old or "").strip():
                out[field_id] = self.value(field_id)
        return out

    def check(self) -> bool:
        if not self.changes() and not self.query_one("#adopt", Checkbox).value:
            self.show_error("Er is niets gewijzigd; vul iets in of vink 'vaststellen' aan.")
            return False
        return True

    def save(self) -> Any:
        adopt = self.query_one("#adopt", Checkbox).value
        return self.services.save_opp(self.actor, self.case_id, adopt=adopt,
                                      expected_version=self.case_version, **self.changes())

    def done_message(self, result: Any) -> str:
        version, status = result
        return f"OPP versie {version} opgeslagen ({status})."
