"""Validation of a route document (the parsed TOML) before it becomes a :class:`Route`.

Every problem is a Dutch sentence that names the file, the item and the field, e.g.
``route.toml: stap 'opp_opstellen': veld 'at_turn': onbekende rol 'ibb'``. The validator
collects *all* problems instead of stopping at the first, so an SWV can fix a file in one go.
"""

from __future__ import annotations

import re
from collections import deque
from pathlib import PurePath
from typing import Any

from kindroute.workflow.guards import check_guard_param
from kindroute.workflow.model import INVOLVEMENTS

ID_PATTERN = re.compile(r"^[a-z][a-z0-9_]*$")

TOP_KEYS = {"route", "roles", "tracks", "steps", "triggers"}
ROUTE_KEYS = {"name": str, "version": str}
ROLE_KEYS = {"id": str, "label": str, "external": bool}
TRACK_KEYS = {"id": str, "label": str, "start": str, "optional": bool}
STEP_KEYS = {
    "id": str,
    "title": str,
    "description": str,
    "track": str,
    "at_turn": str,
    "involved": dict,
    "term_days": int,
    "term_label": str,
    "checklist": list,
    "final": bool,
}
TRIGGER_KEYS = {
    "id": str,
    "label": str,
    "from": (str, list),
    "from_start": bool,
    "to": str,
    "guards": dict,
}
REQUIRED = {
    "roles": ("id", "label"),
    "tracks": ("id", "label", "start"),
    "steps": ("id", "title", "description", "track"),
    "triggers": ("id", "label", "to"),
}
#: The longest term a step may have: ten years (a date beyond it would not fit the calendar anyway).
MAX_TERM_DAYS = 3650
KIND = {"roles": "rol", "tracks": "spoor", "steps": "stap", "triggers": "trigger"}
TYPE_NAMES = {str: "tekst", int: "geheel getal", bool: "true of false", dict: "tabel", list: "lijst"}


def _type_ok(value: Any, expected: type | tuple[type, ...]) -> bool:
    types = expected if isinstance(expected, tuple) else (expected,)
    if isinstance(value, bool):
        return bool in types
    return isinstance(value, types)


def _type_label(expected: type | tuple[type, ...]) -> str:
    types = expected if isinstance(expected, tuple) else (expected,)
    return " of ".join(TYPE_NAMES[t] for t in types)


class _Checker:
    """Collects problems for one document."""

    def __init__(self, source: str) -> None:
        self.file = PurePath(source).name or source
        self.problems: list[str] = []

    def add(self, where: str, message: str, field: str | None = None) -> None:
        parts = [self.file, where]
        if field is not None:
            parts.append(f"veld '{field}'")
        parts.append(message)
        self.problems.append(": ".join(parts))

    # ------------------------------------------------------------------ structure

    def table_list(self, doc: dict[str, Any], key: str) -> list[dict[str, Any]]:
        """The well-formed entries of an array of tables, with type problems recorded."""
        raw = doc.get(key)
        if raw is None:
            self.add("route", f"[[{key}]] ontbreekt: de route heeft geen {KIND[key]}")
            return []
        if not isinstance(raw, list):
            self.add("route", f"'{key}' moet een lijst van tabellen zijn ([[{key}]])")
            return []
        entries = []
        for n, entry in enumerate(raw, start=1):
            if not isinstance(entry, dict):
                self.add(f"{KIND[key]} #{n}", f"moet een tabel zijn ([[{key}]])")
                continue
            entries.append(entry)
        return entries

    def fields(
        self, entry: dict[str, Any], where: str, spec: dict[str, Any], required: tuple[str, ...]
    ) -> dict[str, Any]:
        """Check types, unknown and missing keys; return only the fields of the right type."""
        good: dict[str, Any] = {}
        for key, value in entry.items():
            if key not in spec:
                self.add(where, f"onbekend veld (bekend: {', '.join(spec)})", key)
            elif not _type_ok(value, spec[key]):
                self.add(
                    where,
                    f"verwacht {_type_label(spec[key])}, niet {value!r}",
                    key,
                )
            else:
                good[key] = value
        for key in required:
            if key not in entry:
                self.add(where, "verplicht veld ontbreekt", key)
            elif key in good and isinstance(good[key], str) and not good[key].strip():
                self.add(where, "mag niet leeg zijn", key)
                del good[key]
        return good

    def where(self, key: str, n: int, entry: dict[str, Any]) -> str:
        ident = entry.get("id")
        return f"{KIND[key]} '{ident}'" if isinstance(ident, str) else f"{KIND[key]} #{n}"

    def items(self, doc: dict[str, Any], key: str, spec: dict[str, Any]) -> dict[str, dict]:
        """Entries by id, reporting duplicate and malformed ids."""
        out: dict[str, dict[str, Any]] = {}
        for n, entry in enumerate(self.table_list(doc, key), start=1):
            where = self.where(key, n, entry)
            good = self.fields(entry, where, spec, REQUIRED[key])
            ident = good.get("id")
            if ident is None:
                continue
            if not ID_PATTERN.match(ident):
                self.add(
                    where,
                    "ongeldige id: gebruik kleine letters, cijfers en _ (begin met een letter)",
                    "id",
                )
                continue
            if ident in out:
                self.add(where, f"dubbele id: er is al een {KIND[key]} '{ident}'", "id")
                continue
            out[ident] = good
        return out


def validate_document(doc: dict[str, Any], source: str) -> list[str]:
    """All problems of a parsed route document; empty when it can be loaded."""
    c = _Checker(source)
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

    if "steps" in doc and not steps and isinstance(doc["steps"], list) and not doc["steps"]:
        c.add("route", "de route is leeg: er staan geen stappen in")
    if "roles" in doc and isinstance(doc["roles"], list) and not doc["roles"]:
        c.add("route", "er staan geen rollen in de route")
    if "tracks" in doc and isinstance(doc["tracks"], list) and not doc["tracks"]:
        c.add("route", "er staan geen sporen in de route")

    _check_tracks(c, tracks, steps)
    _check_steps(c, steps, roles, tracks)
    sources_of = _check_triggers(c, triggers, steps, roles, tracks)
    _check_flow(c, tracks, steps, triggers, sources_of)
    return c.problems


def _check_tracks(c: _Checker, tracks: dict[str, dict], steps: dict[str, dict]) -> None:
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
    c: _Checker, steps: dict[str, dict], roles: dict[str, dict], tracks: dict[str, dict]
) -> None:
    for sid, step in steps.items():
        where = f"stap '{sid}'"
        track = step.get("track")
        if track is not None and track not in tracks:
            c.add(where, f"onbekend spoor '{track}'", "track")
        final = step.get("final", False)
        at_turn = step.get("at_turn")
        if at_turn is not None:
            if final:
                c.add(where, "een eindstap (final = true) heeft geen rol aan zet", "at_turn")
            elif at_turn not in roles:
                c.add(where, f"onbekende rol '{at_turn}'", "at_turn")
        elif not final and "at_turn" not in step and "at_turn" not in _bad_fields(c, where):
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
            if role == at_turn:
                c.add(where, f"rol '{role}' is al aan zet (at_turn)", "involved")
        term = step.get("term_days")
        if isinstance(term, int) and term < 0:
            c.add(where, f"termijn mag niet negatief zijn ({term})", "term_days")
        elif isinstance(term, int) and term > MAX_TERM_DAYS:
            c.add(where, f"termijn van {term} dagen is te lang (hoogstens {MAX_TERM_DAYS})", "term_days")
        if "checklist" in step:
            _check_checklist(c, where, step["checklist"])


def _bad_fields(c: _Checker, where: str) -> set[str]:
    """Fields of ``where`` already reported with a wrong type (to avoid double reports)."""
    prefix = f"{c.file}: {where}: veld '"
    return {p[len(prefix) :].split("'", 1)[0] for p in c.problems if p.startswith(prefix)}


def _check_checklist(c: _Checker, where: str, checklist: list[Any]) -> None:
    seen: set[str] = set()
    for n, item in enumerate(checklist, start=1):
        if not isinstance(item, dict):
            c.add(where, f'item #{n} moet een tabel {{ id = "…", label = "…" }} zijn', "checklist")
            continue
        for key in item:
            if key not in ("id", "label"):
                c.add(where, f"item #{n}: onbekend veld '{key}'", "checklist")
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
    c: _Checker,
    triggers: dict[str, dict],
    steps: dict[str, dict],
    roles: dict[str, dict],
    tracks: dict[str, dict],
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
        elif not has_from and not from_start and "from" not in _bad_fields(c, where):
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
            for problem in check_guard_param(name, param, roles.keys(), steps.keys()):
                c.add(where, f"voorwaarde '{name}': {problem}", "guards")
    return sources_of


def _check_flow(
    c: _Checker,
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
