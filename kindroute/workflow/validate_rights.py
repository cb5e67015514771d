"""Route validation of what the route lets people do: decisions and documents, automatic
steps, migrations between versions, and whether someone can act everywhere."""

from __future__ import annotations

from typing import Any

from kindroute.workflow.checker import (
    FIELD_KEYS,
    ID_PATTERN,
    MIGRATE_KEYS,
    Checker,
    role_list,
    turn_roles,
    type_label,
    type_ok,
)
from kindroute.workflow.guards import roles_needed
from kindroute.workflow.model import FIELD_CLOCKS, FIELD_TYPES, SEES_SCHOOL, SEES_SWV, TURN_ALL, GuardSpec

#: The longest reminder or default a date field may have, in weeks (two years).
MAX_FIELD_WEEKS = 104


def check_recordables(
    c: Checker, decisions: dict[str, dict], documents: dict[str, dict], roles: dict[str, dict]
) -> None:
    for did, dec in decisions.items():
        where = f"besluit '{did}'"
        outcomes = dec.get("outcomes")
        if outcomes is not None:
            if not outcomes:
                c.add(where, "lijst van uitkomsten is leeg", "outcomes")
            for value in outcomes:
                if not isinstance(value, str) or not value.strip():
                    c.add(where, f"verwacht een uitkomst (tekst), niet {value!r}", "outcomes")
            if len(set(map(str, outcomes))) != len(outcomes):
                c.add(where, "een uitkomst staat dubbel in de lijst", "outcomes")
        _recorded_by(c, where, dec, roles)
        scope = dec.get("scope")
        if scope is not None and scope not in ("step", "case"):
            c.add(where, f'onbekende waarde {scope!r}; kies "step" of "case"', "scope")
        _check_fields(c, where, dec.get("fields", []))
        _check_field_clocks(c, where, dec)
        if did in documents:
            c.add(f"document '{did}'", f"er is al een besluit '{did}': kies een andere id", "id")
    for did, docu in documents.items():
        _recorded_by(c, f"document '{did}'", docu, roles)


def _recorded_by(c: Checker, where: str, entry: dict[str, Any], roles: dict[str, dict]) -> None:
    value = entry.get("recorded_by")
    if value is None:
        return
    if not value:
        c.add(where, "lijst van rollen is leeg: niemand kan dit vastleggen", "recorded_by")
    role_list(c, where, "recorded_by", value, roles)


def _check_fields(c: Checker, where: str, fields: list[Any]) -> None:
    seen: set[str] = set()
    for n, item in enumerate(fields, start=1):
        if not isinstance(item, dict):
            c.add(where, f'veld #{n} moet een tabel {{ id = "…", label = "…", type = "…" }} zijn', "fields")
            continue
        for key, value in item.items():
            if key not in FIELD_KEYS:
                known = ", ".join(FIELD_KEYS)
                c.add(where, f"veld #{n}: onbekende sleutel '{key}' (bekend: {known})", "fields")
            elif not type_ok(value, FIELD_KEYS[key]):
                c.add(where, f"veld #{n}: '{key}': verwacht {type_label(FIELD_KEYS[key])}, niet {value!r}",
                      "fields")
        ident = item.get("id")
        if not isinstance(ident, str) or not ID_PATTERN.match(ident):
            c.add(where, f"veld #{n}: 'id' ontbreekt of is ongeldig", "fields")
        elif ident in seen:
            c.add(where, f"dubbel veld '{ident}'", "fields")
        else:
            seen.add(ident)
        if not isinstance(item.get("label"), str):
            c.add(where, f"veld #{n}: 'label' ontbreekt", "fields")
        kind = item.get("type", "text")
        if kind not in FIELD_TYPES:
            c.add(where, f"veld #{n}: onbekend type {kind!r} (kies {', '.join(FIELD_TYPES)})", "fields")
        choices = item.get("choices")
        if kind == "choice" and not choices:
            c.add(where, f"veld #{n}: type \"choice\" vraagt een niet-lege lijst 'choices'", "fields")
        if choices and kind != "choice":
            c.add(where, f"veld #{n}: 'choices' hoort alleen bij type \"choice\"", "fields")


def _check_field_clocks(c: Checker, where: str, dec: dict[str, Any]) -> None:
    """The keys that make a date field a clock (``clock``, ``remind_weeks``, ``after_referral``),
    give it a default (``weeks_after_decision``) or tie it to outcomes (``when``)."""
    fields = dec.get("fields", [])
    outcomes = [o for o in dec.get("outcomes", []) if isinstance(o, str)] if isinstance(
        dec.get("outcomes"), list) else []
    clocks: list[str] = []
    for n, item in enumerate(fields if isinstance(fields, list) else [], start=1):
        if not isinstance(item, dict):
            continue
        name = f"veld '{item['id']}'" if isinstance(item.get("id"), str) else f"veld #{n}"
        is_date = item.get("type", "text") == "date"
        clock = item.get("clock")
        if clock is not None:
            if clock not in FIELD_CLOCKS:
                c.add(where, f"{name}: 'clock' kent alleen {', '.join(repr(x) for x in FIELD_CLOCKS)}, "
                      f"niet {clock!r}", "fields")
            elif not is_date:
                c.add(where, f"{name}: 'clock' hoort bij een veld van type \"date\"", "fields")
            else:
                clocks.append(name)
        for key in ("remind_weeks", "after_referral"):
            if key in item and clock is None:
                c.add(where, f"{name}: '{key}' heeft alleen betekenis met clock = \"end\"", "fields")
        for key in ("remind_weeks", "weeks_after_decision"):
            weeks = item.get(key)
            if isinstance(weeks, int) and not isinstance(weeks, bool) and not 0 <= weeks <= MAX_FIELD_WEEKS:
                c.add(where, f"{name}: '{key}' is een aantal weken van 0 tot en met {MAX_FIELD_WEEKS}, "
                      f"niet {weeks}", "fields")
        if "weeks_after_decision" in item and not is_date:
            c.add(where, f"{name}: 'weeks_after_decision' hoort bij een veld van type \"date\"", "fields")
        _check_required_when(c, where, name, item, fields)
        when = item.get("when")
        if isinstance(when, list):
            if not when:
                c.add(where, f"{name}: 'when' is een niet-lege lijst uitkomsten (of laat hem weg)", "fields")
            for outcome in when:
                if outcome not in outcomes:
                    c.add(where, f"{name}: 'when': besluit heeft geen uitkomst {outcome!r} "
                          f"(wel: {', '.join(outcomes) or 'geen'})", "fields")
    if len(clocks) > 1:
        c.add(where, f"meer dan één veld met clock = \"end\" ({', '.join(clocks)}): een besluit heeft één "
              "einddatum", "fields")


def _check_required_when(c: Checker, where: str, name: str, item: dict[str, Any], fields: list[Any]) -> None:
    """``required_when = { type = "so" }``: another field of this decision, and values it can hold."""
    rule = item.get("required_when")
    if not isinstance(rule, dict):
        return
    others = {f["id"]: f for f in fields if isinstance(f, dict) and isinstance(f.get("id"), str)}
    if not rule:
        c.add(where, f"{name}: 'required_when' is een tabel veld = waarde (of laat hem weg)", "fields")
    for other, value in rule.items():
        values = [value] if isinstance(value, str) else value
        if other == item.get("id") or other not in others:
            c.add(where, f"{name}: 'required_when': geen ander veld '{other}' in dit besluit", "fields")
        elif not isinstance(values, list) or not values or not all(isinstance(v, str) for v in values):
            c.add(where, f"{name}: 'required_when': '{other}' vraagt een waarde of een lijst waarden",
                  "fields")
        elif others[other].get("type") == "choice":
            bad = [v for v in values if v not in others[other].get("choices", [])]
            if bad:
                c.add(where, f"{name}: 'required_when': veld '{other}' kent de keuze {bad[0]!r} niet",
                      "fields")


def check_automatic(
    c: Checker, triggers: dict[str, dict], steps: dict[str, dict], sources_of: dict[str, list[str]]
) -> None:
    """Automatic triggers may not form a cycle: the system would step round forever."""
    edges: dict[str, list[tuple[str, str]]] = {}
    for tid, trig in triggers.items():
        if trig.get("automatic") and trig.get("to") in steps:
            for src in sources_of.get(tid, []):
                edges.setdefault(src, []).append((trig["to"], tid))
    reported: set[frozenset[str]] = set()
    for start in edges:
        stack: list[tuple[str, list[str], list[str]]] = [(start, [start], [])]
        while stack:
            node, path, via = stack.pop()
            for nxt, tid in edges.get(node, []):
                if nxt == start:
                    key = frozenset(via + [tid])
                    if key not in reported:
                        reported.add(key)
                        loop = " → ".join(path + [start])
                        message = f"automatische triggers vormen een kring: {loop}"
                        c.add(f"trigger '{tid}'", message, "automatic")
                elif nxt not in path:
                    stack.append((nxt, path + [nxt], via + [tid]))


def check_migrate(c: Checker, doc: dict[str, Any], steps: dict[str, dict]) -> None:
    raw = doc.get("migrate")
    if raw is None:
        return
    if not isinstance(raw, list):
        c.add("route", "'migrate' moet een lijst van tabellen zijn ([[migrate]])")
        return
    seen: set[str] = set()
    for n, entry in enumerate(raw, start=1):
        where = f"migratie #{n}"
        if not isinstance(entry, dict):
            c.add(where, "moet een tabel zijn ([[migrate]])")
            continue
        good = c.fields(entry, where, MIGRATE_KEYS, ("from", "to"))
        old, new = good.get("from"), good.get("to")
        if old is not None:
            if old in seen:
                c.add(where, f"stap '{old}' staat al in een andere migratie", "from")
            seen.add(old)
            if old in steps:
                c.add(where, f"stap '{old}' bestaat nog in deze route; migreren is niet nodig", "from")
        if new is not None and new not in steps:
            c.add(where, f"onbekende stap '{new}' in deze route", "to")


def check_rights(
    c: Checker,
    roles: dict[str, dict],
    steps: dict[str, dict],
    triggers: dict[str, dict],
    decisions: dict[str, dict],
    documents: dict[str, dict],
) -> None:
    """Nobody left without a way to act: every role a guard needs can be assigned, and at every
    step someone may act."""
    assignable = {r for role in roles.values() for r in role.get("assigns", []) if isinstance(r, str)}
    managers = {rid for rid, role in roles.items() if role.get("sees") == SEES_SCHOOL}
    swv = {rid for rid, role in roles.items() if role.get("sees") == SEES_SWV}

    def reachable(role: str) -> bool:
        """Someone in this role can act on a case: it is assigned to the case, it runs the school's
        cases, or it is an SWV role that sees the cases at its steps."""
        return role in assignable or role in managers or role in swv

    for tid, trig in triggers.items():
        for name, param in trig.get("guards", {}).items():
            for role in roles_needed(GuardSpec(name, param)):
                if role in roles and role not in assignable:
                    c.add(
                        f"trigger '{tid}'",
                        f"voorwaarde '{name}' vraagt de rol '{role}', maar geen rol mag die toewijzen "
                        "(voeg hem toe aan 'assigns' van een rol)",
                        "guards",
                    )
    for sid, step in steps.items():
        if step.get("final", False):
            continue
        turn = [r for r in turn_roles(step) if r in roles]
        if not turn:
            continue
        if step.get("turn") == TURN_ALL:
            for role in turn:
                if not reachable(role):
                    c.add(
                        f"stap '{sid}'",
                        f"rol '{role}' moet bevestigen (turn = \"all\"), maar niemand mag die rol toewijzen",
                        "at_turn",
                    )
        elif not managers and not any(reachable(r) for r in turn):
            c.add(
                f"stap '{sid}'",
                "niemand mag hier handelen: geen rol aan zet kan worden toegewezen en geen rol "
                'ziet de casussen van de school (sees = "school")',
                "at_turn",
            )
    for kind, entries in (("besluit", decisions), ("document", documents)):
        for did, entry in entries.items():
            by = [r for r in entry.get("recorded_by", []) if r in roles]
            if by and not any(reachable(r) for r in by):
                c.add(
                    f"{kind} '{did}'",
                    "niemand kan dit vastleggen: geen van deze rollen ziet een casus "
                    "(niet toe te wijzen, geen sees = \"school\" of \"swv\")",
                    "recorded_by",
                )
