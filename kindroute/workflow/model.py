"""The route as plain objects: roles, tracks, steps and the triggers between them.

Nothing here knows about databases or screens. A :class:`Route` is produced by
:func:`kindroute.workflow.loader.load_route` from a TOML file and is immutable.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

#: Involvement letters (RACI) a role can have in a step besides being at turn.
INVOLVEMENTS = ("R", "A", "C", "I")

#: Pseudo-step of an optional track that has not been started for a case.
NOT_STARTED = "-"


@dataclass(frozen=True)
class Role:
    id: str
    label: str
    #: True for roles outside the school (so_expert, plusklas, jeugdhulp, smw, ggd, swv):
    #: sharing a case with them needs consent, and they see only cases they are assigned to.
    external: bool = False


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


@dataclass(frozen=True)
class Step:
    id: str
    title: str
    description: str
    track: str
    at_turn: str | None  # role id; None for a final step
    involved: dict[str, str] = field(default_factory=dict)  # role id -> "R"|"A"|"C"|"I"
    term_days: int | None = None
    term_label: str = ""  # e.g. "6–8 weken", shown to users
    checklist: tuple[ChecklistItem, ...] = ()
    final: bool = False


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


@dataclass(frozen=True)
class Route:
    name: str
    version: str
    roles: dict[str, Role]
    tracks: dict[str, Track]
    steps: dict[str, Step]
    triggers: dict[str, Trigger]
    source: str = "<default>"  # file the route was read from

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
    opp_vastgesteld: bool = False  # the CURRENT version of the OPP is vastgesteld
    opp_version: int | None = None  # the current OPP version's number (None: no versions yet)
    opp_instemming: bool = False  # the parents agreed (eens) with the current version's handelingsdeel
    opp_hoorrecht: bool = False  # the pupil's view was recorded for the current version
    expert_advices: int = 0  # independent expert advices recorded (for a TLV)
    swv_decision: str | None = None  # latest SWV decision on the current request: toegekend|afgewezen

    def pupil_age(self) -> int | None:
        if self.pupil_birth_date is None:
            return None
        b, t = self.pupil_birth_date, self.today
        return t.year - b.year - ((t.month, t.day) < (b.month, b.day))


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
