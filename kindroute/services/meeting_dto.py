"""Read models of meetings (besprekingen), handed to the CLI, the TUI and the verslag."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from kindroute.services.dto import JsonMixin

#: The kinds of meeting, with the word users read.
KINDS: dict[str, str] = {
    "groepsbespreking": "Groepsbespreking",
    "leerlingbespreking": "Leerlingbespreking",
    "mdo": "MDO (ondersteuningsteam)",
    "oudergesprek": "Oudergesprek",
    "overdracht": "Overdracht",
}
#: The assignee of an agreement that goes to the parents (no person record: the role).
PARENTS = "ouders"
#: What a hidden item shows instead of its pupil and content.
HIDDEN_TEXT = "geen toestemming van de ouders: inhoud niet zichtbaar"


def dutch_number(n: int) -> str:
    """7968 -> '7.968' (the Dutch thousands separator)."""
    return f"{n:,}".replace(",", ".")


@dataclass(frozen=True)
class AttendeeInfo(JsonMixin):
    name: str
    role: str
    role_label: str
    person_id: int | None


@dataclass(frozen=True)
class MeetingSummary(JsonMixin):
    id: int
    kind: str
    kind_label: str
    held_at: datetime
    school: str | None
    school_id: int | None
    status: str
    chair: str
    chair_id: int
    items: int
    position: int


@dataclass(frozen=True)
class ItemAgreement(JsonMixin):
    id: int
    what: str
    who: str
    due_on: date | None
    done: bool


@dataclass(frozen=True)
class ItemStep(JsonMixin):
    seq: int
    from_title: str
    to_title: str
    by: str
    note: str


@dataclass(frozen=True)
class ItemView(JsonMixin):
    """One agenda item as a viewer may see it: ``hidden`` items carry no pupil and no content."""

    id: int
    position: int
    case_id: int
    pupil: str | None
    hidden: bool
    conclusion: str
    notes: str
    parents_view: str
    pupil_view: str
    discussed: bool | None
    agreements: tuple[ItemAgreement, ...] = ()
    steps: tuple[ItemStep, ...] = ()

    @property
    def discussed_label(self) -> str:
        return {True: "besproken", False: "niet aan toegekomen", None: "nog niet besproken"}[self.discussed]


@dataclass(frozen=True)
class MeetingView(JsonMixin):
    """A whole meeting for one viewer (the verslag): attendees and every item it may see."""

    summary: MeetingSummary
    attendees: tuple[AttendeeInfo, ...]
    items: tuple[ItemView, ...]
    addendum: str
    viewer: str
    made_at: datetime

    def to_json(self) -> dict[str, Any]:
        """The contract of ``kindroute meeting show --format json``."""
        s = self.summary
        return {
            "id": s.id,
            "kind": s.kind,
            "date": s.held_at.isoformat(timespec="minutes"),
            "school": s.school,
            "status": s.status,
            "chair": s.chair,
            "attendees": [{"name": a.name, "role": a.role} for a in self.attendees],
            "items": [
                {
                    "case": i.case_id,
                    "pupil": i.pupil,
                    "hidden": i.hidden,
                    "conclusion": i.conclusion,
                    "agreements": [
                        {"what": g.what, "who": g.who, "due": g.due_on.isoformat() if g.due_on else None,
                         "done": g.done}
                        for g in i.agreements
                    ],
                    "steps": [{"from": st.from_title, "to": st.to_title, "by": st.by, "note": st.note}
                              for st in i.steps],
                    "notes": i.notes,
                    "parents_view": i.parents_view,
                    "pupil_view": i.pupil_view,
                    "discussed": i.discussed,
                }
                for i in self.items
            ],
            "addendum": self.addendum,
        }
