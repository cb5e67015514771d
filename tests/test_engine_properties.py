"""Property-based test of the engine: random facts changes and random steps.

Invariants: every track is always in a step of that track (or not started when optional),
replaying the recorded events gives the current steps, and no step was applied while one
of its guards failed.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
)

from kindroute.errors import StepNotAllowed
from kindroute.workflow import NOT_STARTED, CaseFacts, Consent, get_engine, load_route
from kindroute.workflow.guards import evaluate
from kindroute.workflow.model import Record

ROUTE = load_route()
ENGINE = get_engine(ROUTE)
TODAY = date(2026, 3, 2)
EXTERNAL = sorted(r.id for r in ROUTE.roles.values() if r.external)
ROLES = sorted(ROUTE.roles)
TRIGGERS = sorted(ROUTE.triggers)
CHECKLIST = sorted((s.id, i.id) for s in ROUTE.steps.values() for i in s.checklist)
CONSENT_KINDS = ("valid", "cosigned", "withdrawn", "expired", "future")


def make_consent(role: str, kind: str) -> Consent:
    start = TODAY - timedelta(days=30)
    if kind == "withdrawn":
        return Consent(role, "route", "ouders", start, withdrawn_on=TODAY - timedelta(days=1))
    if kind == "expired":
        return Consent(role, "route", "ouders", start, valid_until=TODAY - timedelta(days=1))
    if kind == "future":
        return Consent(role, "route", "ouders", TODAY + timedelta(days=7))
    return Consent(role, "route", "ouders", start, pupil_cosigned=kind == "cosigned")


class EngineStateMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.steps = ENGINE.initial_steps()
        self.events: list[tuple[str, str, str, str]] = []
        self.consents: dict[str, Consent] = {}
        self.done: set[tuple[str, str]] = set()
        self.assigned: set[str] = set()
        self.opp = False
        self.advices = 0
        self.decision: str | None = None
        self.birth: date | None = None
        self.applied = 0

    def facts(self) -> CaseFacts:
        return CaseFacts(
            steps=dict(self.steps),
            today=TODAY,
            pupil_birth_date=self.birth,
            assigned_roles=frozenset(self.assigned),
            consents=tuple(self.consents.values()),
            checklist_done=frozenset(self.done),
            assignees=frozenset({("so_expert", 7), ("deskundige", 8), ("swv", 9)}),
            records=self.records(),
            entered_at=dict.fromkeys(self.steps, datetime(2026, 1, 1)),
        )

    def records(self) -> tuple[Record, ...]:
        """The recorded OPP, advices and SWV decision (in the current step) the rules set."""
        at = datetime(2026, 3, 1)
        out = [Record("opp", "vastgesteld", 1, "opp_opstellen", at)] if self.opp else []
        out += [Record("deskundigenadvies", "", p, None, at) for p in (7, 8)[: self.advices]]
        if self.decision is not None:
            out.append(Record("swv_besluit", self.decision, 9, self.steps["school"], at))
        return tuple(out)

    @initialize(age=st.one_of(st.none(), st.integers(min_value=4, max_value=17)))
    def pupil(self, age: int | None) -> None:
        self.birth = None if age is None else date(TODAY.year - age, 1, 15)

    # ---------------------------------------------------------------- facts change

    @rule(role=st.sampled_from(EXTERNAL), kind=st.sampled_from(CONSENT_KINDS))
    def give_consent(self, role: str, kind: str) -> None:
        self.consents[role] = make_consent(role, kind)

    @rule(role=st.sampled_from(EXTERNAL))
    def drop_consent(self, role: str) -> None:
        self.consents.pop(role, None)

    @rule(item=st.sampled_from(CHECKLIST))
    def tick(self, item: tuple[str, str]) -> None:
        self.done.add(item)

    @rule()
    def tick_current_checklists(self) -> None:
        for step in self.steps.values():
            if step != NOT_STARTED:
                self.done |= {(step, i.id) for i in ROUTE.steps[step].checklist}

    @rule(item=st.sampled_from(CHECKLIST))
    def untick(self, item: tuple[str, str]) -> None:
        self.done.discard(item)

    @rule(role=st.sampled_from(ROLES))
    def toggle_assignment(self, role: str) -> None:
        self.assigned ^= {role}

    @rule(value=st.booleans())
    def set_opp(self, value: bool) -> None:
        self.opp = value

    @rule(count=st.integers(min_value=0, max_value=3))
    def set_advices(self, count: int) -> None:
        self.advices = count

    @rule(decision=st.sampled_from([None, "toegekend", "afgewezen"]))
    def decide(self, decision: str | None) -> None:
        self.decision = decision

    # ---------------------------------------------------------------- steps

    def _record(self, facts: CaseFacts, trigger_id: str, result: tuple[str, str, str]) -> None:
        trigger = ROUTE.triggers[trigger_id]
        failing = [g.name for g in trigger.guards if not evaluate(g, facts, ROUTE, trigger).allowed]
        assert not failing, f"{trigger_id} applied with failing guards {failing}"
        track, source, dest = result
        assert (track, source, dest) == (trigger.track, facts.steps[track], trigger.dest)
        self.events.append((track, source, dest, trigger_id))
        self.steps[track] = dest
        self.applied += 1

    @rule(data=st.data())
    def try_next_step(self, data: st.DataObject) -> None:
        """Try one of the offered next steps, allowed or not."""
        options = ENGINE.next_steps(self.facts())
        if options:
            self.try_trigger(data.draw(st.sampled_from([o.trigger for o in options])))

    @rule(trigger_id=st.sampled_from(TRIGGERS))
    def try_trigger(self, trigger_id: str) -> None:
        facts = self.facts()
        trigger = ROUTE.triggers[trigger_id]
        leaves_current = self.steps[trigger.track] in trigger.sources
        try:
            option = ENGINE.check(facts, trigger_id)
        except StepNotAllowed:
            assert not leaves_current
            return
        assert leaves_current
        try:
            result = ENGINE.apply(facts, trigger_id)
        except StepNotAllowed as error:
            assert not option.allowed
            assert error.reasons == option.reasons and error.reasons
            return
        assert option.allowed
        self._record(facts, trigger_id, result)

    @precondition(lambda self: any(o.allowed for o in ENGINE.next_steps(self.facts())))
    @rule(data=st.data())
    def take_allowed_step(self, data: st.DataObject) -> None:
        facts = self.facts()
        allowed = [o for o in ENGINE.next_steps(facts) if o.allowed]
        option = data.draw(st.sampled_from(allowed))
        self._record(facts, option.trigger, ENGINE.apply(facts, option.trigger))

    @rule(data=st.data(), count=st.integers(min_value=1, max_value=4))
    def prepare_and_advance(self, data: st.DataObject, count: int) -> None:
        """Tick the current checklists and take allowed steps, avoiding early closure."""
        for _ in range(count):
            self.tick_current_checklists()
            facts = self.facts()
            allowed = [o for o in ENGINE.next_steps(facts) if o.allowed]
            onward = [o for o in allowed if not ENGINE.is_final(o.dest)]
            if not allowed:
                return
            option = data.draw(st.sampled_from(onward or allowed))
            self._record(facts, option.trigger, ENGINE.apply(facts, option.trigger))

    @rule()
    def everything_in_order(self) -> None:
        """All consents valid and co-signed, every role assigned, OPP and advices done."""
        self.consents = {r: make_consent(r, "cosigned") for r in EXTERNAL}
        self.assigned = set(ROLES)
        self.opp, self.advices = True, 2

    # ---------------------------------------------------------------- invariants

    @invariant()
    def every_track_in_a_step_of_its_own(self) -> None:
        assert set(self.steps) == set(ROUTE.tracks)
        for track_id, step in self.steps.items():
            if step == NOT_STARTED:
                assert ROUTE.tracks[track_id].optional
            else:
                assert ROUTE.steps[step].track == track_id

    @invariant()
    def replay_gives_current_steps(self) -> None:
        assert ENGINE.replay(self.events) == self.steps

    @invariant()
    def next_steps_leave_current_steps(self) -> None:
        for option in ENGINE.next_steps(self.facts()):
            assert self.steps[option.track] == option.source
            assert option.allowed == (not option.reasons)


EngineStateMachine.TestCase.settings = settings(
    max_examples=50,
    stateful_step_count=30,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
TestEngineStateMachine = EngineStateMachine.TestCase
