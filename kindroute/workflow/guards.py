"""Named guards: the conditions a route file can put on a trigger.

Each guard is a pure function ``(facts, param, route, trigger) -> GuardResult`` that
explains, in Dutch, why a step is blocked. The same registry tells the validator which
parameters a guard accepts and gives diagrams a short description of the guard.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from kindroute.workflow.model import (
    NOT_STARTED,
    CaseFacts,
    Consent,
    GuardResult,
    GuardSpec,
    Record,
    Route,
    Trigger,
)


@dataclass(frozen=True)
class Known:
    """The ids a route file declares, for checking guard parameters."""

    roles: Collection[str] = ()
    steps: Collection[str] = ()
    #: decision id -> its outcomes
    decisions: Mapping[str, Collection[str]] = field(default_factory=dict)
    documents: Collection[str] = ()


GuardFn = Callable[[CaseFacts, Any, Route, Trigger], GuardResult]
#: Checks a guard's parameter against the ids the route declares; returns Dutch problems.
ParamChecker = Callable[[Any, Known], list[str]]
Describer = Callable[[Any, Route], str]

#: Roles whose consent a pupil aged 12 up to 16 must co-sign (Jeugdwet: from 12 to 16
#: both the parents and the young person consent; from 16 the young person alone).
COSIGN_ROLES = frozenset({"jeugdhulp"})
COSIGN_MIN_AGE = 12
COSIGN_MAX_AGE = 16  # exclusive

ALLOWED = GuardResult(True)


@dataclass(frozen=True)
class GuardDef:
    """A guard in the registry: how to evaluate it, check its parameter and describe it."""

    name: str
    evaluate: GuardFn
    check_param: ParamChecker
    describe: Describer


# ----------------------------------------------------------------------------- helpers


def nl_date(day: date) -> str:
    """A date as Dutch users write it: 3-9-2026."""
    return f"{day.day}-{day.month}-{day.year}"


def in_sentence(label: str) -> str:
    """A role label for use inside a sentence: 'Plusklasleerkracht' -> 'plusklasleerkracht'.

    Labels that start with an abbreviation ('SO-expert', 'GGD-jeugdarts') keep their case.
    """
    if len(label) >= 2 and label[0].isupper() and label[1].islower():
        return label[0].lower() + label[1:]
    return label


def role_label(route: Route, role_id: str) -> str:
    role = route.roles.get(role_id)
    return in_sentence(role.label) if role else role_id


def step_title(route: Route, step_id: str) -> str:
    step = route.steps.get(step_id)
    return step.title if step else step_id


def as_list(param: Any) -> list[Any]:
    """A parameter that may be one value or a list of values, as a list."""
    return list(param) if isinstance(param, list | tuple) else [param]


def needs_pupil_cosign(facts: CaseFacts, role_id: str) -> bool:
    """True when consent for ``role_id`` must also be signed by the pupil (aged 12 up to 16)."""
    if role_id not in COSIGN_ROLES:
        return False
    age = facts.pupil_age()
    return age is not None and COSIGN_MIN_AGE <= age < COSIGN_MAX_AGE


def consent_problem(facts: CaseFacts, role_id: str, route: Route) -> str | None:
    """Why there is no valid consent for ``role_id`` today, or None when there is."""
    what = f"Toestemming van ouders voor de {role_label(route, role_id)}"
    consents = [c for c in facts.consents if c.role == role_id]
    if not consents:
        return f"{what} ontbreekt"
    today = facts.today
    valid = [c for c in consents if c.valid_on(today)]
    if valid:
        if not needs_pupil_cosign(facts, role_id) or any(c.pupil_cosigned for c in valid):
            return None
        return (
            f"{what} moet ook door de leerling ({facts.pupil_age()} jaar) ondertekend zijn: "
            f"van {COSIGN_MIN_AGE} tot {COSIGN_MAX_AGE} jaar tekent de leerling mee"
        )
    latest: Consent = max(consents, key=lambda c: c.valid_from)
    if latest.withdrawn_on is not None and latest.withdrawn_on <= today:
        return f"{what} is ingetrokken op {nl_date(latest.withdrawn_on)}"
    if latest.valid_until is not None and today > latest.valid_until:
        return f"{what} is verlopen op {nl_date(latest.valid_until)}"
    return f"{what} geldt pas vanaf {nl_date(latest.valid_from)}"


# ----------------------------------------------------------------------------- param checkers


def _type_name(value: Any) -> str:
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, int):
        return "geheel getal"
    if isinstance(value, float):
        return "kommagetal"
    if isinstance(value, str):
        return "tekst"
    if isinstance(value, list):
        return "lijst"
    if isinstance(value, dict):
        return "tabel"
    return type(value).__name__


def check_true(param: Any, known: Known) -> list[str]:
    if param is True:
        return []
    return [f"verwacht true, niet {param!r} ({_type_name(param)})"]


def _check_ids(param: Any, ids: Collection[str], kind: str) -> list[str]:
    if isinstance(param, str):
        values = [param]
    elif isinstance(param, list | tuple) and param and all(isinstance(v, str) for v in param):
        values = list(param)
    else:
        return [f"verwacht een {kind}-id of een niet-lege lijst {kind}-ids, niet {param!r}"]
    return [f"onbekende {kind} '{v}'" for v in values if v not in ids]


def check_roles(param: Any, known: Known) -> list[str]:
    return _check_ids(param, known.roles, "rol")


def check_steps(param: Any, known: Known) -> list[str]:
    return _check_ids(param, known.steps, "stap")


def _table(param: Any, keys: dict[str, bool], example: str) -> tuple[dict[str, Any], list[str]]:
    """A guard parameter that is a table: unknown and missing keys reported."""
    if not isinstance(param, dict):
        return {}, [f"verwacht een tabel {example}, niet {param!r}"]
    problems = [f"onbekende sleutel '{k}' (bekend: {', '.join(keys)})" for k in param if k not in keys]
    problems += [f"sleutel '{k}' ontbreekt" for k, needed in keys.items() if needed and k not in param]
    return param, problems


def check_decision(param: Any, known: Known) -> list[str]:
    table, problems = _table(param, {"id": True, "outcome": True}, '{ id = "…", outcome = "…" }')
    ident, outcome = table.get("id"), table.get("outcome")
    if "id" in table:
        ids = ident if isinstance(ident, list | tuple) and ident else [ident]
        for one in ids:
            if not isinstance(one, str) or one not in known.decisions:
                problems.append(f"onbekend besluit {one!r} (bekend: {', '.join(known.decisions) or 'geen'})")
            elif "outcome" in table and outcome not in known.decisions[one]:
                problems.append(
                    f"besluit '{one}' heeft geen uitkomst {outcome!r} "
                    f"(wel: {', '.join(known.decisions[one])})"
                )
    return problems


def check_decided(param: Any, known: Known) -> list[str]:
    if isinstance(param, str) and param in known.decisions:
        return []
    return [f"onbekend besluit {param!r} (bekend: {', '.join(known.decisions) or 'geen'})"]


def check_advices(param: Any, known: Known) -> list[str]:
    table, problems = _table(
        param, {"roles": True, "count": True, "document": False}, '{ roles = ["…"], count = 2 }'
    )
    if "roles" in table:
        problems += _check_ids(table["roles"], known.roles, "rol")
    count = table.get("count")
    if "count" in table and not (isinstance(count, int) and not isinstance(count, bool) and count > 0):
        problems.append(f"count: verwacht een positief geheel getal, niet {count!r}")
    document = table.get("document")
    if "document" in table and document not in known.documents:
        problems.append(f"onbekend document {document!r} (bekend: {', '.join(known.documents) or 'geen'})")
    if "document" not in table and isinstance(param, dict) and not known.documents:
        problems.append("de route heeft geen [[documents]] om adviezen mee vast te leggen")
    return problems


# ----------------------------------------------------------------------------- guards


def checklist_complete(facts: CaseFacts, param: Any, route: Route, trigger: Trigger) -> GuardResult:
    """Every checklist item of the step the trigger leaves has been ticked."""
    current = facts.steps.get(trigger.track, NOT_STARTED)
    step = route.steps.get(current)
    if step is None:
        return ALLOWED
    missing = [
        i.label for i in step.checklist if not i.optional and (step.id, i.id) not in facts.checklist_done
    ]
    if not missing:
        return ALLOWED
    return GuardResult(False, f"Checklist van stap '{step.title}' is nog niet af: " + "; ".join(missing))


def consent(facts: CaseFacts, param: Any, route: Route, trigger: Trigger) -> GuardResult:
    """Valid consent for each of the given roles (pupil co-signs jeugdhulp at 12–16)."""
    problems = [p for r in as_list(param) if (p := consent_problem(facts, r, route))]
    return GuardResult(False, "; ".join(problems)) if problems else ALLOWED


def consent_assigned_external(facts: CaseFacts, param: Any, route: Route, trigger: Trigger) -> GuardResult:
    """Valid consent for every external role that has a person assigned on the case."""
    roles = [r.id for r in route.roles.values() if r.external and r.id in facts.assigned_roles]
    return consent(facts, roles, route, trigger) if roles else ALLOWED


def assigned(facts: CaseFacts, param: Any, route: Route, trigger: Trigger) -> GuardResult:
    """A person is assigned to each of the given roles."""
    missing = [r for r in as_list(param) if r not in facts.assigned_roles]
    if not missing:
        return ALLOWED
    names = ", ".join(role_label(route, r) for r in missing)
    return GuardResult(False, f"Er is nog niemand toegewezen als {names}")


def in_scope(facts: CaseFacts, route: Route, record: Record) -> bool:
    """Whether a decision still counts: scope "case" always; scope "step" while the case stays
    in the step (visit) where it was recorded."""
    decision = route.decisions.get(record.kind)
    if decision is None or decision.scope == "case":
        return True
    step = route.steps.get(record.step or "")
    if step is None:
        return False
    entered = facts.entered_at.get(step.track)
    return facts.steps.get(step.track) == step.id and (entered is None or record.at >= entered)


def latest_decision(facts: CaseFacts, route: Route, decision_id: str | tuple[str, ...]) -> Record | None:
    """The latest decision ``decision_id`` (or the latest of several ids) that still counts, or None."""
    ids = (decision_id,) if isinstance(decision_id, str) else tuple(decision_id)
    found = [r for r in facts.records if r.kind in ids and in_scope(facts, route, r)]
    return found[-1] if found else None


def _decision_label(route: Route, decision_id: str | tuple[str, ...]) -> str:
    if not isinstance(decision_id, str):
        return " of ".join(_decision_label(route, d) for d in decision_id)
    decision = route.decisions.get(decision_id)
    return decision.label if decision else decision_id


def decision(facts: CaseFacts, param: Any, route: Route, trigger: Trigger) -> GuardResult:
    """The latest decision ``param["id"]`` (that still counts) has outcome ``param["outcome"]``."""
    latest = latest_decision(facts, route, param["id"])
    label = _decision_label(route, param["id"])
    if latest is None:
        return GuardResult(False, f"Er is nog geen besluit '{label}' vastgelegd")
    if latest.outcome == param["outcome"]:
        return ALLOWED
    return GuardResult(False, f"Besluit '{label}' is '{latest.outcome}', niet '{param['outcome']}'")


def _opp_name(facts: CaseFacts) -> str:
    return f"versie {facts.opp_version} van het OPP" if facts.opp_version else "het OPP"


def opp_vastgesteld(facts: CaseFacts, param: Any, route: Route, trigger: Trigger) -> GuardResult:
    """The current version of the OPP is vastgesteld (an adjusted, concept version is not)."""
    if facts.opp_vastgesteld:
        return ALLOWED
    if facts.opp_version and facts.opp_version > 1:
        return GuardResult(False, f"Het OPP is bijgesteld: {_opp_name(facts)} is nog niet vastgesteld")
    return GuardResult(False, "Het OPP is nog niet vastgesteld")


def instemming(facts: CaseFacts, param: Any, route: Route, trigger: Trigger) -> GuardResult:
    """The parents agreed (eens) with the handelingsdeel of the current OPP version (WPO art. 40a)."""
    if facts.opp_instemming:
        return ALLOWED
    if facts.opp_version is None:
        return GuardResult(False, "Er is nog geen OPP waarmee ouders kunnen instemmen")
    return GuardResult(
        False, f"Ouders hebben nog niet ingestemd met het handelingsdeel van {_opp_name(facts)}"
    )


def hoorrecht(facts: CaseFacts, param: Any, route: Route, trigger: Trigger) -> GuardResult:
    """The pupil's view was recorded for the current OPP version (hoorrecht)."""
    if facts.opp_hoorrecht:
        return ALLOWED
    if facts.opp_version is None:
        return GuardResult(False, "Er is nog geen OPP waarover de leerling gehoord kan worden")
    return GuardResult(False, f"De mening van de leerling over {_opp_name(facts)} is nog niet vastgelegd")


def decided(facts: CaseFacts, param: Any, route: Route, trigger: Trigger) -> GuardResult:
    """A decision ``param`` (any outcome) has been recorded and still counts."""
    if latest_decision(facts, route, param) is not None:
        return ALLOWED
    return GuardResult(False, f"Er is nog geen besluit '{_decision_label(route, param)}' vastgelegd")


def advisers(facts: CaseFacts, route: Route, param: Any) -> set[int]:
    """The different persons assigned to one of the roles who recorded an advice."""
    kinds = {param["document"]} if "document" in param else set(route.documents)
    eligible = facts.persons_in(as_list(param["roles"]))
    return {r.person for r in facts.records if r.kind in kinds and r.person in eligible}


def advices(facts: CaseFacts, param: Any, route: Route, trigger: Trigger) -> GuardResult:
    """``count`` advices recorded by ``count`` different persons assigned to ``roles``."""
    have = len(advisers(facts, route, param))
    if have >= param["count"]:
        return ALLOWED
    names = " of ".join(role_label(route, r) for r in as_list(param["roles"]))
    return GuardResult(
        False,
        f"Er zijn {have} van de {param['count']} vereiste adviezen vastgelegd door verschillende "
        f"toegewezen personen ({names})",
    )


def in_step(facts: CaseFacts, param: Any, route: Route, trigger: Trigger) -> GuardResult:
    """The case currently stands (in any track) in one of the given steps."""
    wanted = as_list(param)
    if any(current in wanted for current in facts.steps.values()):
        return ALLOWED
    titles = " of ".join(f"'{step_title(route, s)}'" for s in wanted)
    main = route.main_track.id
    now = facts.steps.get(main)
    suffix = f" (nu: '{step_title(route, now)}')" if now else ""
    return GuardResult(False, f"Alleen mogelijk vanuit stap {titles}{suffix}")


def plusklas_place(facts: CaseFacts, param: Any, route: Route, trigger: Trigger) -> GuardResult:
    """A free place at a Plus-klas location serving the case's school (or the case holds one)."""
    if facts.plusklas_placed or facts.plusklas_free_places > 0:
        return ALLOWED
    return GuardResult(
        False,
        "Er is geen vrije plek in een Plus-klas voor deze school; zet de leerling op de wachtlijst",
    )


# ----------------------------------------------------------------------------- descriptions


def _describe_roles(prefix: str, suffix: str = "") -> Describer:
    def describe(param: Any, route: Route) -> str:
        names = ", ".join(role_label(route, r) for r in as_list(param))
        return f"{prefix}{names}{suffix}"

    return describe


def _describe_advices(param: Any, route: Route) -> str:
    names = ", ".join(role_label(route, r) for r in as_list(param["roles"]))
    return f"{param['count']} adviezen ({names})"


def _describe_steps(param: Any, route: Route) -> str:
    return "vanuit " + " of ".join(step_title(route, s) for s in as_list(param))


GUARDS: dict[str, GuardDef] = {
    g.name: g
    for g in (
        GuardDef("checklist_complete", checklist_complete, check_true, lambda p, r: "checklist af"),
        GuardDef("consent", consent, check_roles, _describe_roles("toestemming ")),
        GuardDef(
            "consent_assigned_external",
            consent_assigned_external,
            check_true,
            lambda p, r: "toestemming toegewezen externe rollen",
        ),
        GuardDef("assigned", assigned, check_roles, _describe_roles("", " toegewezen")),
        GuardDef("opp_vastgesteld", opp_vastgesteld, check_true, lambda p, r: "OPP vastgesteld"),
        GuardDef("instemming", instemming, check_true, lambda p, r: "instemming ouders met het OPP"),
        GuardDef("hoorrecht", hoorrecht, check_true, lambda p, r: "leerling gehoord over het OPP"),
        GuardDef(
            "decision",
            decision,
            check_decision,
            lambda p, r: f"{_decision_label(r, p['id'])}: {p['outcome']}",
        ),
        GuardDef("decided", decided, check_decided, lambda p, r: f"{_decision_label(r, p)} genomen"),
        GuardDef(
            "advices",
            advices,
            check_advices,
            _describe_advices,
        ),
        GuardDef("in_step", in_step, check_steps, _describe_steps),
        GuardDef("plusklas_place", plusklas_place, check_true, lambda p, r: "vrije plek Plus-klas"),
    )
}


def check_guard_param(name: str, param: Any, known: Known) -> list[str]:
    """Problems with a guard as written in a route file (unknown name, bad parameter)."""
    guard = GUARDS.get(name)
    if guard is None:
        return [f"onbekende voorwaarde '{name}' (bekend: {', '.join(GUARDS)})"]
    return guard.check_param(param, known)


def roles_needed(spec: GuardSpec) -> list[str]:
    """Roles a guard needs someone assigned to (``assigned``, ``advices``)."""
    if spec.name == "assigned":
        return as_list(spec.param)
    if spec.name == "advices" and isinstance(spec.param, dict):
        return as_list(spec.param.get("roles", []))
    return []


def evaluate(spec: GuardSpec, facts: CaseFacts, route: Route, trigger: Trigger) -> GuardResult:
    """Evaluate one guard of ``trigger`` on ``facts``."""
    return GUARDS[spec.name].evaluate(facts, spec.param, route, trigger)


def describe(spec: GuardSpec, route: Route) -> str:
    """A short Dutch description of a guard, e.g. 'toestemming SO-expert'."""
    return GUARDS[spec.name].describe(spec.param, route)
