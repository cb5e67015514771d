"""Validation of a route document (the parsed TOML) before it becomes a :class:`Route`.

Every problem is a Dutch sentence that names the file, the item and the field, e.g.
``route.toml: stap 'opp_opstellen': veld 'at_turn': onbekende rol 'ibb'``. The validator
collects *all* problems instead of stopping at the first, so an SWV can fix a file in one go.
"""

from __future__ import annotations

from collections import deque
from typing import Any

from kindroute.workflow.checker import (
    DECISION_KEYS,
    DOCUMENT_KEYS,
    ROLE_KEYS,
    ROUTE_KEYS,
    STEP_KEYS,
    TOP_KEYS,
    TRACK_KEYS,
    TRIGGER_KEYS,
    Checker,
    bad_fields,
    role_list,
    turn_roles,
)
from kindroute.workflow.guards import Known, check_guard_param
from kindroute.workflow.model import (
    INVOLVEMENTS,
    SEES,
    TERM_FROM_ENTERED,
    TERM_FROM_OPENED,
    TURN_ALL,
    TURN_ANY,
)
from kindroute.workflow.validate_rights import check_automatic, check_migrate, check_recordables, check_rights

#: The longest term a step may have: ten years (a date beyond it would not fit the calendar anyway).
MAX_TERM_DAYS = 3650


def validate_document(doc: dict[str, Any], source: str) -> list[str]:
    """All problems of a parsed route document; empty when it can be loaded."""
    c = Checker(source)
    if not doc:
        c.add("route", "de route is leeg: het bestand bevat geen route")
        return c.problems
    for key in doc:
        if key not in TOP_KEYS:
            c.add("route", f"onbekende sectie (bekend: {', '.join(sorted(TOP_KEYS))})", key)

    header = doc.get("route")
    if not isinstance(header, dict):
        c.add("route", "sectie [route] met name en version ontbreekt")
    else:
        c.fields(header, "[route]", ROUTE_KEYS, ("name", "version"))

    roles = c.items(doc, "roles", ROLE_KEYS)
    tracks = c.items(doc, "tracks", TRACK_KEYS)
    steps = c.items(doc, "steps", STEP_KEYS)
    triggers = c.items(doc, "triggers", TRIGGER_KEYS)
    decisions = c.items(doc, "decisions", DECISION_KEYS)
    documents = c.items(doc, "documents", DOCUMENT_KEYS)

    if "steps" in doc and not steps and isinstance(doc["steps"], list) and not doc["steps"]:
        c.add("route", "de route is leeg: er staan geen stappen in")
    if "roles" in doc and isinstance(doc["roles"], list) and not doc["roles"]:
        c.add("route", "er staan geen rollen in de route")
    if "tracks" in doc and isinstance(doc["tracks"], list) and not doc["tracks"]:
        c.add("route", "er staan geen sporen in de route")

    _check_roles(c, roles)
    _check_tracks(c, tracks, steps)
    _check_steps(c, steps, roles, tracks, triggers)
    check_recordables(c, decisions, documents, roles)
    known = Known(
        roles=roles.keys(),
        steps=steps.keys(),
        decisions={
            d: [o for o in dec.get("outcomes", []) if isinstance(o, str)] for d, dec in decisions.items()
        },
        documents=documents.keys(),
    )
    sources_of = _check_triggers(c, triggers, steps, tracks, known)
    _check_flow(c, tracks, steps, triggers, sources_of)
    check_automatic(c, triggers, steps, sources_of)
    check_migrate(c, doc, steps)
    check_rights(c, roles, steps, triggers, decisions, documents)
    return c.problems


def _check_roles(c: Checker, roles: dict[str, dict]) -> None:
    for rid, role in roles.items():
        where = f"rol '{rid}'"
        sees = role.get("sees")
        if sees is not None and sees not in SEES:
            c.add(where, f"onbekende waarde {sees!r}; kies {', '.join(repr(x) for x in SEES)}", "sees")
        if "assigns" in role:
            role_list(c, where, "assigns", role["assigns"], roles)
        if "grants" in role:
            _check_grants(c, where, role, roles)


#: How far a role sees, for "a role never grants a role that sees more than it does".
_REACH = {"assigned": 0, "school": 1, "swv": 2}


def _check_grants(c: Checker, where: str, role: dict, roles: dict[str, dict]) -> None:
    role_list(c, where, "grants", role["grants"], roles)
    if role.get("sees") != "school":
        c.add(where, "alleen een rol die de school ziet (sees = \"school\") geeft collega's rollen; "
                     "de beheerder van het SWV geeft alle rollen", "grants")
        return
    for other in role["grants"]:
        target = roles.get(other) if isinstance(other, str) else None
        if target is None:
            continue
        if _REACH.get(target.get("sees", "assigned"), 0) > _REACH["school"]:
            c.add(where, f"'{other}' ziet meer dan deze rol; niemand geeft een hogere rol dan de eigen",
                  "grants")
        elif target.get("external"):
            c.add(where, f"'{other}' is een rol buiten de school; die geeft alleen de beheerder van het SWV",
                  "grants")


def _check_tracks(c: Checker, tracks: dict[str, dict], steps: dict[str, dict]) -> None:
    for n, (tid, track) in enumerate(tracks.items()):
        where = f"spoor '{tid}'"
        if n == 0 and track.get("optional"):
            c.add(where, "het eerste spoor is de hoofdroute en kan niet optioneel zijn", "optional")
        start = track.get("start")
        if start is None:
            continue
        if start not in steps:
            c.add(where, f"onbekende startstap '{start}'", "start")
        elif "track" in steps[start] and steps[start]["track"] != tid:
            c.add(
                where,
                f"startstap '{start}' hoort bij spoor '{steps[start]['track']}', niet bij dit spoor",
                "start",
            )


def _check_steps(
    c: Checker,
    steps: dict[str, dict],
    roles: dict[str, dict],
    tracks: dict[str, dict],
    triggers: dict[str, dict],
) -> None:
    for sid, step in steps.items():
        where = f"stap '{sid}'"
        track = step.get("track")
        if track is not None and track not in tracks:
            c.add(where, f"onbekend spoor '{track}'", "track")
        final = step.get("final", False)
        at_turn = step.get("at_turn")
        if at_turn is not None:
            values = [at_turn] if isinstance(at_turn, str) else at_turn
            if not values:
                c.add(where, "lijst van rollen aan zet is leeg", "at_turn")
            role_list(c, where, "at_turn", values, roles)
            if len(set(turn_roles(step))) != len(turn_roles(step)):
                c.add(where, "een rol staat dubbel in de lijst", "at_turn")
        elif not final and "at_turn" not in step and "at_turn" not in bad_fields(c, where):
            c.add(where, "verplicht veld ontbreekt: wie is aan zet? (of final = true)", "at_turn")
        for role, letter in step.get("involved", {}).items():
            if role not in roles:
                c.add(where, f"onbekende rol '{role}'", "involved")
            if not isinstance(letter, str) or letter not in INVOLVEMENTS:
                c.add(
                    where,
                    f"rol '{role}' heeft betrokkenheid {letter!r}; kies R, A, C of I",
                    "involved",
                )
            if role in turn_roles(step):
                c.add(where, f"rol '{role}' is al aan zet (at_turn)", "involved")
        term = step.get("term_days")
        if isinstance(term, int) and term < 0:
            c.add(where, f"termijn mag niet negatief zijn ({term})", "term_days")
        elif isinstance(term, int) and term > MAX_TERM_DAYS:
            c.add(where, f"termijn van {term} dagen is te lang (hoogstens {MAX_TERM_DAYS})", "term_days")
        _check_turn_and_term(c, where, step, roles, triggers)
        if "checklist" in step:
            _check_checklist(c, where, step["checklist"], roles)


def _check_turn_and_term(
    c: Checker, where: str, step: dict[str, Any], roles: dict[str, dict], triggers: dict[str, dict]
) -> None:
    turn = step.get("turn")
    if turn is not None:
        if turn not in (TURN_ANY, TURN_ALL):
            c.add(where, f'onbekende waarde {turn!r}; kies "{TURN_ANY}" of "{TURN_ALL}"', "turn")
        elif turn == TURN_ALL and len(turn_roles(step)) < 2:
            c.add(where, 'turn = "all" vraagt minstens twee rollen in at_turn', "turn")
    term_from = step.get("term_from")
    if term_from is not None and term_from not in (TERM_FROM_ENTERED, TERM_FROM_OPENED, *triggers):
        c.add(
            where,
            f'onbekende waarde {term_from!r}; kies "{TERM_FROM_ENTERED}", "{TERM_FROM_OPENED}" '
            "of een trigger-id",
            "term_from",
        )
    has_term = "term_days" in step or "term_set_by" in step
    for key in ("term_from", "term_keeps"):
        if key in step and not has_term:
            c.add(where, "heeft alleen betekenis met term_days of term_set_by", key)
    set_by = step.get("term_set_by")
    if set_by is not None and set_by not in roles:
        c.add(where, f"onbekende rol '{set_by}'", "term_set_by")



def _check_checklist(c: Checker, where: str, checklist: list[Any], roles: dict[str, dict]) -> None:
    seen: set[str] = set()
    for n, item in enumerate(checklist, start=1):
        if not isinstance(item, dict):
            c.add(where, f'item #{n} moet een tabel {{ id = "…", label = "…" }} zijn', "checklist")
            continue
        for key in item:
            if key not in ("id", "label", "optional", "ticked_by"):
                c.add(where, f"item #{n}: onbekend veld '{key}'", "checklist")
        if "optional" in item and not isinstance(item["optional"], bool):
            c.add(where, f"item #{n}: 'optional' is true of false, niet {item['optional']!r}", "checklist")
        if "ticked_by" in item:
            value = item["ticked_by"]
            if not isinstance(value, list) or not value:
                c.add(where, f"item #{n}: 'ticked_by' moet een niet-lege lijst rollen zijn", "checklist")
            else:
                for role in value:
                    if role not in roles:
                        c.add(where, f"item #{n}: 'ticked_by': onbekende rol {role!r}", "checklist")
        for key in ("id", "label"):
            value = item.get(key)
            if not isinstance(value, str) or not value.strip():
                c.add(where, f"item #{n}: '{key}' ontbreekt of is geen tekst", "checklist")
        ident = item.get("id")
        if isinstance(ident, str):
            if ident in seen:
                c.add(where, f"dubbele checklist-id '{ident}'", "checklist")
            seen.add(ident)


def _check_triggers(
    c: Checker,
    triggers: dict[str, dict],
    steps: dict[str, dict],
    tracks: dict[str, dict],
    known: Known,
) -> dict[str, list[str]]:
    """Check triggers; return the valid source steps per trigger (for the flow checks)."""
    sources_of: dict[str, list[str]] = {}
    for tid, trig in triggers.items():
        where = f"trigger '{tid}'"
        dest = trig.get("to")
        dest_track = None
        if dest is not None:
            if dest not in steps:
                c.add(where, f"onbekende stap '{dest}'", "to")
            else:
                dest_track = steps[dest].get("track")

        sources: list[str] = []
        has_from = "from" in trig
        from_start = trig.get("from_start", False)
        if has_from and from_start:
            c.add(where, "gebruik 'from' of 'from_start = true', niet allebei", "from")
        elif not has_from and not from_start and "from" not in bad_fields(c, where):
            c.add(where, "verplicht veld ontbreekt (of from_start = true)", "from")
        if has_from:
            raw = trig["from"]
            values = [raw] if isinstance(raw, str) else raw
            if not values:
                c.add(where, "lijst van stappen is leeg", "from")
            for value in values:
                if not isinstance(value, str):
                    c.add(where, f"verwacht een stap-id, niet {value!r}", "from")
                elif value not in steps:
                    c.add(where, f"onbekende stap '{value}'", "from")
                else:
                    src_track = steps[value].get("track")
                    if dest_track in tracks and src_track in tracks and src_track != dest_track:
                        c.add(
                            where,
                            f"stap '{value}' (spoor '{src_track}') en stap '{dest}' "
                            f"(spoor '{dest_track}') liggen in verschillende sporen",
                            "from",
                        )
                    else:
                        sources.append(value)
        elif from_start and dest_track in tracks:
            track = tracks[dest_track]
            if not track.get("optional", False):
                c.add(
                    where,
                    f"from_start kan alleen een optioneel spoor starten; spoor '{dest_track}' "
                    "is niet optioneel",
                    "from_start",
                )
            elif "start" in track and track["start"] != dest:
                c.add(
                    where,
                    f"from_start moet naar de startstap '{track.get('start')}' van spoor "
                    f"'{dest_track}' leiden",
                    "to",
                )
        sources_of[tid] = sources

        for name, param in trig.get("guards", {}).items():
            for problem in check_guard_param(name, param, known):
                c.add(where, f"voorwaarde '{name}': {problem}", "guards")
    return sources_of


def _check_flow(
    c: Checker,
    tracks: dict[str, dict],
    steps: dict[str, dict],
    triggers: dict[str, dict],
    sources_of: dict[str, list[str]],
) -> None:
    """Reachability from each track's start, dead ends, optional tracks that never start."""
    edges: dict[str, set[str]] = {sid: set() for sid in steps}
    for tid, trig in triggers.items():
        dest = trig.get("to")
        if dest not in steps:
            continue
        for src in sources_of.get(tid, []):
            edges[src].add(dest)

    for sid, step in steps.items():
        if not step.get("final", False) and not edges[sid]:
            c.add(
                f"stap '{sid}'",
                "geen enkele trigger leidt uit deze stap; maak er een eindstap van "
                "(final = true) of voeg een trigger toe",
            )

    for tid, track in tracks.items():
        start = track.get("start")
        if start not in steps or steps[start].get("track") != tid:
            continue
        if track.get("optional") and not any(
            t.get("from_start") and t.get("to") == start for t in triggers.values()
        ):
            c.add(
                f"spoor '{tid}'",
                "optioneel spoor zonder trigger met from_start = true: het kan nooit starten",
            )
        reached = {start}
        todo = deque([start])
        while todo:
            for nxt in edges[todo.popleft()]:
                if nxt not in reached:
                    reached.add(nxt)
                    todo.append(nxt)
        for sid, step in steps.items():
            if step.get("track") == tid and sid not in reached:
                c.add(
                    f"stap '{sid}'",
                    f"niet bereikbaar vanaf de startstap '{start}' van spoor '{tid}'",
                )


