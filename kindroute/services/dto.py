"""Plain read models handed to the CLI and the TUI (never ORM objects)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

# re-exported: the case filter lives in its own module so a screen can load it cheaply, and the
# read models of the worklist's first page in theirs (the app's start reads them before the rest)
from kindroute.services.case_filter import CaseFilter as CaseFilter
from kindroute.services.dto_first import Actor as Actor
from kindroute.services.dto_first import CaseRow as CaseRow
from kindroute.services.dto_first import JsonMixin as JsonMixin


@dataclass(frozen=True)
class PersonInfo(JsonMixin):
    id: int
    name: str
    roles: tuple[str, ...]
    organisation: str | None
    school_id: int | None
    school: str | None


@dataclass(frozen=True)
class SchoolInfo(JsonMixin):
    id: int
    name: str
    brin: str | None


@dataclass(frozen=True)
class AssignmentInfo(JsonMixin):
    role: str
    role_label: str
    person: str
    person_id: int
    since: datetime
    involvement: str  # at turn: "aan zet"; else R/A/C/I for the current school step, or ""


@dataclass(frozen=True)
class ConsentInfo(JsonMixin):
    id: int
    role: str
    role_label: str
    organisation: str | None
    purpose: str
    given_by: str
    pupil_cosigned: bool
    valid_from: date
    valid_until: date | None
    withdrawn_on: date | None
    valid: bool
    recorded_by: str
    recorded_at: datetime


@dataclass(frozen=True)
class HistoryEntry(JsonMixin):
    seq: int
    track: str
    from_: str
    to: str
    trigger: str
    by: str
    at: datetime
    note: str

    def to_json(self) -> dict[str, Any]:
        d = super().to_json()
        d["from"] = d.pop("from_")
        return d


@dataclass(frozen=True)
class NoteInfo(JsonMixin):
    id: int
    author: str
    at: datetime
    step: str | None
    text: str


@dataclass(frozen=True)
class AgreementInfo(JsonMixin):
    id: int
    what: str
    who: str | None
    who_role: str | None
    due_on: date | None
    done: bool
    done_at: datetime | None
    created_by: str
    created_at: datetime
    overdue: bool


@dataclass(frozen=True)
class DocumentInfo(JsonMixin):
    id: int
    kind: str
    outcome: str
    title: str
    step: str | None
    author: str
    at: datetime
    #: a decision's fields (``[[decisions]] fields``)
    fields: dict[str, Any] = field(default_factory=dict)
    #: automatic steps the recording let follow
    followed: tuple[StepResult, ...] = ()

    def to_json(self) -> dict[str, Any]:
        d = super().to_json()
        if not d["followed"]:  # only when a step followed
            del d["followed"]
        for f in d.get("followed", []):
            f["from"] = f.pop("from_")
        return d


@dataclass(frozen=True)
class NextStepInfo(JsonMixin):
    trigger: str
    label: str
    track: str
    from_: str
    to: str
    to_title: str
    allowed: bool
    reasons: tuple[str, ...]
    at_turn_role: str | None
    deadline: date | None  # the deadline the case would get

    def to_json(self) -> dict[str, Any]:
        d = super().to_json()
        d["from"] = d.pop("from_")
        return d


@dataclass(frozen=True)
class TrackInfo(JsonMixin):
    track: str
    track_label: str
    step: str
    step_title: str
    entered_at: datetime
    deadline: date | None
    overdue: bool
    at_turn_role: str | None
    at_turn: str | None
    checklist: tuple[tuple[str, str, bool], ...] = ()  # (item id, label, done)


@dataclass(frozen=True)
class CaseDetail(JsonMixin):
    """Everything about one case: the JSON contract of ``kindroute case show --format json``."""

    id: int
    pupil: str
    pupil_id: int
    date_of_birth: date
    group: int
    school: str
    school_id: int
    status: str
    step: str
    steps: dict[str, str]
    tracks: tuple[TrackInfo, ...]
    at_turn_role: str | None
    at_turn: str | None
    deadline: date | None
    overdue: bool
    opened_at: datetime
    registered_on: date | None
    zorgplicht_deadline: date | None
    version: int
    assignments: tuple[AssignmentInfo, ...] = ()
    consents: tuple[ConsentInfo, ...] = ()
    history: tuple[HistoryEntry, ...] = ()
    notes: tuple[NoteInfo, ...] = ()
    agreements: tuple[AgreementInfo, ...] = ()
    documents: tuple[DocumentInfo, ...] = ()
    next: tuple[NextStepInfo, ...] = field(default_factory=tuple)
    #: the plan (``services.plan_dto``): goals and the current OPP version, read only when asked
    #: for (``case_detail(..., plan=True)``; None: not read); every clock, always
    goals: tuple[Any, ...] | None = None
    opp: Any = None
    clocks: tuple[Any, ...] = ()

    def to_json(self) -> dict[str, Any]:
        d = super().to_json()
        d["history"] = [h.to_json() for h in self.history]
        d["next"] = [n.to_json() for n in self.next]
        return d


@dataclass(frozen=True)
class StepResult(JsonMixin):
    case_id: int
    track: str
    from_: str
    to: str
    trigger: str
    at_turn_role: str | None
    deadline: date | None
    version: int
    #: a joint turn: the roles that still have to confirm (the step is not taken yet)
    waiting: tuple[str, ...] = ()
    #: automatic steps that followed this one
    followed: tuple[StepResult, ...] = ()

    def to_json(self) -> dict[str, Any]:
        d = super().to_json()
        d["from"] = d.pop("from_")
        for key in ("waiting", "followed"):  # only when there is something to say
            if not d[key]:
                del d[key]
        for f in d.get("followed", []):
            f["from"] = f.pop("from_")
            f.pop("waiting", None)
            f.pop("followed", None)
        return d
