"""The route as plain objects: roles, tracks, steps and the triggers between them.

Nothing here knows about databases or screens. A :class:`Route` is produced by
:func:`kindroute.workflow.loader.load_route` from a TOML file and is immutable.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cached_property
from typing import Any

#: Involvement letters (RACI) a role can have in a step besides being at turn.
INVOLVEMENTS = ("R", "A", "C", "I")

#: Pseudo-step of an optional track that has not been started for a case.
NOT_STARTED = "-"

#: What a role sees (``[[roles]] sees``): its school's cases, the cases it is assigned to,
#: or the cases that reached a step where an SWV role has a part.
SEES_SCHOOL = "school"
SEES_ASSIGNED = "assigned"
SEES_SWV = "swv"
SEES = (SEES_SCHOOL, SEES_ASSIGNED, SEES_SWV)

#: Where a step's term is counted from (``term_from``), besides a trigger id.
TERM_FROM_ENTERED = "entered"
TERM_FROM_OPENED = "opened"

#: A joint turn: every role at turn must confirm (``turn = "all"``).
TURN_ALL = "all"
TURN_ANY = "any"

#: Types a decision's field can have.
FIELD_TYPES = ("text", "date", "number", "choice")

#: What a date field of a decision can be the clock of (``clock = "end"``): the end of what was
#: granted (an arrangement, a TLV); the case is overdue after it, with a reminder before it.
FIELD_CLOCKS = ("end",)

#: Author of the steps the system takes itself (automatic triggers).
AUTOMATIC_AUTHOR = "kindroute (automatisch)"

#: The trigger of the history event that moves an open case onto a newly installed route
#: version (``kindroute workflow install``); replay accepts it from any step.
ROUTE_INSTALL_TRIGGER = "route_installatie"


@dataclass(frozen=True)
class Role:
    id: str
    label: str
    #: True for roles outside the school (so_expert, plusklas, jeugdhulp, smw, ggd, swv):
    #: sharing a case with them needs the parents' valid consent.
    external: bool = False
    #: Which cases the role sees: "school", "assigned" or "swv" (see SEES).
    sees: str = SEES_ASSIGNED
    #: Roles this role may assign to a case.
    assigns: tuple[str, ...] = ()
    #: For a role that runs a school: the roles it may give colleagues of its own school (people,
    #: not cases). None: not stated (the school's own roles among ``assigns``).
    grants: tuple[str, ...] | None = None

    @property
    def manages(self) -> bool:
        """A role that sees its school's cases runs them: consent, any step."""
        return self.sees == SEES_SCHOOL


@dataclass(frozen=True)
class Track:
    id: str
    label: str
    start: str
    #: An optional track (jeugdhulp) is not running when a case opens; a trigger
    #: with ``from_start = true`` starts it.
    optional: bool = False


@dataclass(frozen=True)
class ChecklistItem:
    id: str
    label: str
    #: An optional item does not block ``checklist_complete``.
    optional: bool = False
    #: Roles that may tick it; empty: the roles at turn and the roles that run the school's cases.
    ticked_by: tuple[str, ...] = ()


@dataclass(frozen=True)
class Step:
    id: str
    title: str
    description: str
    track: str
    #: Roles at turn (any of them may act; with ``turn_all`` every one must confirm).
    turn_roles: tuple[str, ...] = ()
    involved: dict[str, str] = field(default_factory=dict)  # role id -> "R"|"A"|"C"|"I"
    term_days: int | None = None
    term_label: str = ""  # e.g. "6–8 weken", shown to users
    checklist: tuple[ChecklistItem, ...] = ()
    final: bool = False
    turn_all: bool = False
    #: "entered" (default), "opened" or a trigger id: where the term is counted from.
    term_from: str = TERM_FROM_ENTERED
    #: Re-entering the step keeps the deadline of the first visit.
    term_keeps: bool = False
    #: A role that sets the end date per case.
    term_set_by: str | None = None

    @property
    def at_turn(self) -> str | None:
        """The first role at turn (the one lists and the stored track show), or None."""
        return self.turn_roles[0] if self.turn_roles else None


@dataclass(frozen=True)
class DecisionField:
    """A field recorded with a decision (a TLV's category, start and end date)."""

    id: str
    label: str
    type: str = "text"  # one of FIELD_TYPES
    choices: tuple[str, ...] = ()
    required: bool = False
    #: The field belongs to these outcomes only (asked, required and a clock only then); empty: all.
    when: tuple[str, ...] = ()
    #: A date field that is a clock of the case (one of FIELD_CLOCKS), or None.
    clock: str | None = None
    #: With ``clock``: a reminder shows this many weeks before the date (None: no reminder).
    remind_weeks: int | None = None
    #: With ``clock``: the clock keeps running after the case was referred (a TLV's end).
    after_referral: bool = False
    #: A date field left empty becomes the decision's date plus this many weeks (bezwaar: 6).
    weeks_after_decision: int | None = None
    #: Required when another field holds one of these values (a TLV's category when its type is so).
    required_when: tuple[tuple[str, tuple[str, ...]], ...] = ()

    def belongs_to(self, outcome: str) -> bool:
        return not self.when or outcome in self.when

    def notes(self) -> list[str]:
        """What the route says about this field beyond its type, in Dutch (for listings and forms)."""
        out = []
        if self.when:
            out.append(f"alleen bij {' of '.join(self.when)}")
        if self.clock is not None:
            reminder = f", herinnering {self.remind_weeks} weken vooraf" if self.remind_weeks else ""
            out.append(f"einddatum is een termijn van de casus{reminder}")
        if self.after_referral:
            out.append("loopt door na verwijzing")
        if self.weeks_after_decision is not None:
            out.append(f"leeg: besluitdatum + {self.weeks_after_decision} weken")
        for other, values in self.required_when:
            out.append(f"verplicht als {other} {' of '.join(values)} is")
        return out


@dataclass(frozen=True)
class Decision:
    """A kind of decision of the route: its outcomes and who may record it."""

    id: str
    label: str
    outcomes: tuple[str, ...]
    recorded_by: tuple[str, ...]
    fields: tuple[DecisionField, ...] = ()
    #: "step": counts while the case stays in the step where it was recorded (a new request
    #: needs a new decision); "case": the latest decision counts wherever the case is (an OPP).
    scope: str = "step"

    def field(self, field_id: str) -> DecisionField | None:
        return next((f for f in self.fields if f.id == field_id), None)

    @cached_property
    def clock_field(self) -> DecisionField | None:
        """The date field that is this decision's end clock (``clock = "end"``), if any (a route
        never changes once read, so this is looked up once)."""
        return next((f for f in self.fields if f.clock == "end"), None)


@dataclass(frozen=True)
class DocumentKind:
    """A kind of document of the route (an expert advice) and who may record it."""

    id: str
    label: str
    recorded_by: tuple[str, ...]


@dataclass(frozen=True)
class GuardSpec:
    """A named guard with its parameter as written in the route file."""

    name: str
    param: Any = True


@dataclass(frozen=True)
class Trigger:
    id: str
    label: str
    track: str
    sources: tuple[str, ...]  # step ids; NOT_STARTED when the trigger starts an optional track
    dest: str
    guards: tuple[GuardSpec, ...] = ()
    #: Taken by the system as soon as its guards hold.
    automatic: bool = False


@dataclass(frozen=True)
class Route:
    name: str
    version: str
    roles: dict[str, Role]
    tracks: dict[str, Track]
    steps: dict[str, Step]
    triggers: dict[str, Trigger]
    source: str = "<default>"  # file the route was read from
    decisions: dict[str, Decision] = field(default_factory=dict)
    documents: dict[str, DocumentKind] = field(default_factory=dict)
    #: Where open cases in a step that this version no longer has go (``[[migrate]]``).
    migrate: dict[str, str] = field(default_factory=dict)
    #: The route file's text as read (stored in the database with its hash).
    text: str = ""

    @property
    def hash(self) -> str:
        """SHA-256 of the route file's text: which exact route a database holds."""
        return hashlib.sha256(self.text.encode("utf-8")).hexdigest()

    @cached_property
    def clock_decisions(self) -> dict[str, Decision]:
        """The decisions with a date field that is a clock (``clock = "end"``), by id; read-only."""
        return {d.id: d for d in self.decisions.values() if d.clock_field is not None}

    def role(self, role_id: str) -> Role | None:
        return self.roles.get(role_id)

    def roles_seeing(self, sees: str) -> list[str]:
        return [r.id for r in self.roles.values() if r.sees == sees]

    def assigners_of(self, role_id: str) -> list[str]:
        """Roles that may assign ``role_id`` to a case."""
        return [r.id for r in self.roles.values() if role_id in r.assigns]

    def swv_steps(self) -> list[str]:
        """Steps where an SWV role (sees = "swv") is at turn or R: a case that reached one is the SWV's."""
        swv = set(self.roles_seeing(SEES_SWV))
        return [
            s.id
            for s in self.steps.values()
            if swv & set(s.turn_roles) or any(s.involved.get(r) == "R" for r in swv)
        ]

    def recordable(self, kind: str) -> Decision | DocumentKind | None:
        return self.decisions.get(kind) or self.documents.get(kind)

    @property
    def main_track(self) -> Track:
        """The first track declared: the school route."""
        return next(iter(self.tracks.values()))

    def steps_of(self, track: str) -> list[Step]:
        return [s for s in self.steps.values() if s.track == track]

    def triggers_from(self, step: str) -> list[Trigger]:
        return [t for t in self.triggers.values() if step in t.sources]


@dataclass(frozen=True)
class Consent:
    """A consent as the guards need to see it (a plain copy of the stored record)."""

    role: str
    purpose: str
    given_by: str
    valid_from: date
    valid_until: date | None = None
    withdrawn_on: date | None = None
    pupil_cosigned: bool = False

    def valid_on(self, day: date) -> bool:
        if day < self.valid_from:
            return False
        if self.valid_until is not None and day > self.valid_until:
            return False
        if self.withdrawn_on is not None and day >= self.withdrawn_on:
            return False
        return True


@dataclass(frozen=True)
class Record:
    """A recorded decision or document, as the guards need to see it."""

    kind: str  # a [[decisions]] or [[documents]] id
    outcome: str
    person: int | None  # who recorded it
    step: str | None  # step of the kind's track when it was recorded
    at: datetime
    fields: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class CaseFacts:
    """Everything a guard may look at, read from the store in one go.

    Guards are pure functions of these facts: they run for ``may_<trigger>``
    checks and again inside the transaction that applies the step.
    """

    steps: dict[str, str]  # track id -> current step id (NOT_STARTED for an idle optional track)
    today: date
    pupil_birth_date: date | None = None
    assigned_roles: frozenset[str] = frozenset()  # roles with a person assigned now
    consents: tuple[Consent, ...] = ()
    checklist_done: frozenset[tuple[str, str]] = frozenset()  # (step id, item id) ticked
    #: (role, person) of every assignment active now.
    assignees: frozenset[tuple[str, int]] = frozenset()
    #: Decisions and documents recorded on the case, oldest first.
    records: tuple[Record, ...] = ()
    #: When the case entered its current step, per track (decisions with scope "step").
    entered_at: dict[str, datetime] = field(default_factory=dict)
    #: (trigger id, role) confirmations of a joint turn in the current visit of its step.
    confirmed: frozenset[tuple[str, str]] = frozenset()
    #: free Plus-klas places at the locations serving the case's school; whether it holds one
    plusklas_free_places: int = 0
    plusklas_placed: bool = False
    opp_vastgesteld: bool = False  # the CURRENT version of the OPP is vastgesteld
    opp_version: int | None = None  # the current OPP version's number (None: no versions yet)
    opp_instemming: bool = False  # the parents agreed (eens) with the current version's handelingsdeel
    opp_hoorrecht: bool = False  # the pupil's view was recorded for the current version

    def pupil_age(self) -> int | None:
        if self.pupil_birth_date is None:
            return None
        b, t = self.pupil_birth_date, self.today
        return t.year - b.year - ((t.month, t.day) < (b.month, b.day))

    def persons_in(self, roles: tuple[str, ...] | list[str]) -> set[int]:
        return {person for role, person in self.assignees if role in roles}


@dataclass(frozen=True)
class GuardResult:
    allowed: bool
    reason: str = ""  # Dutch, for users; empty when allowed


@dataclass(frozen=True)
class NextStep:
    """One possible step from where a case stands, with whether it is allowed now."""

    trigger: str
    label: str
    track: str
    source: str
    dest: str
    allowed: bool
    reasons: tuple[str, ...] = ()
    automatic: bool = False
