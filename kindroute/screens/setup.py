"""Start with an empty school: school name + BRIN, your name + role."""

from __future__ import annotations

from typing import Any

from textual.app import ComposeResult
from textual.widgets import Input, Select

from kindroute.screens.form import FormScreen


def school_roles(route: Any) -> list[tuple[str, str]]:
    """The roles someone at a school can have: not external, seeing the school or their own cases;
    the ones that see the whole school first."""
    roles = [r for r in route.roles.values() if not r.external and r.sees in ("school", "assigned")]
    roles.sort(key=lambda r: r.sees != "school")
    return [(r.label, r.id) for r in roles]


class SetupScreen(FormScreen):
    """Creates the school and the first person; returns the new person as Actor."""

    TITLE_TEXT = "Leeg beginnen"
    ERROR_FIELDS = {"BRIN": "brin", "Schoolnaam": "school", "school": "school", "Naam": "name"}
    DONE = "School en persoon aangemaakt. Collega's toevoegen: p (Mensen); een casus: +."

    def fields(self) -> ComposeResult:
        yield from self.field("Naam van de school", Input(id="school", placeholder="bijv. De Regenboog"))
        yield from self.field("BRIN (twee cijfers, twee letters; mag leeg)",
                              Input(id="brin", placeholder="bijv. 12AB"))
        yield from self.field("Uw naam", Input(id="name", placeholder="bijv. Ingrid Bakker"))
        roles = school_roles(self.services.route)
        yield from self.field("Uw rol", Select(roles, id="role", value=roles[0][1], allow_blank=False))

    def check(self) -> bool:
        from kindroute.services.text import check_name

        if not self.require(school="Naam van de school", name="Uw naam"):
            return False
        try:  # check the person too, so the school is never saved without them
            check_name(self.value("name"))
        except Exception as exc:  # noqa: BLE001 - InvalidInput with a Dutch message
            self.show_error(str(exc), "name")
            return False
        brin = self.value("brin")
        if brin and not (len(brin) == 4 and brin[:2].isdigit() and brin[2:].isalpha()):
            self.show_error(f"BRIN '{brin}' heeft niet de vorm 99XX (twee cijfers, twee letters).", "brin")
            return False
        return True

    def save(self) -> Any:
        return self.services.start_school(
            self.value("school"), self.value("brin") or None, self.value("name"), self.value("role") or None
        )
