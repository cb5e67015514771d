"""The shared parts of route validation: the problem collector, the keys each section knows,
and small helpers. See :mod:`kindroute.workflow.validate`."""

from __future__ import annotations

import re
from pathlib import PurePath
from typing import Any

ID_PATTERN = re.compile(r"^[a-z][a-z0-9_]*$")

TOP_KEYS = {"route", "roles", "tracks", "steps", "triggers", "decisions", "documents", "migrate"}
#: Sections a route may leave out.
OPTIONAL_SECTIONS = {"decisions", "documents", "migrate"}
ROUTE_KEYS = {"name": str, "version": str}
ROLE_KEYS = {"id": str, "label": str, "external": bool, "sees": str, "assigns": list, "grants": list}
TRACK_KEYS = {"id": str, "label": str, "start": str, "optional": bool}
STEP_KEYS = {
    "id": str,
    "title": str,
    "description": str,
    "track": str,
    "at_turn": (str, list),
    "turn": str,
    "involved": dict,
    "term_days": int,
    "term_label": str,
    "term_from": str,
    "term_keeps": bool,
    "term_set_by": str,
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
    "automatic": bool,
}
DECISION_KEYS = {
    "id": str,
    "label": str,
    "outcomes": list,
    "recorded_by": list,
    "fields": list,
    "scope": str,
}
DOCUMENT_KEYS = {"id": str, "label": str, "recorded_by": list}
MIGRATE_KEYS = {"from": str, "to": str}
FIELD_KEYS = {"id": str, "label": str, "type": str, "choices": list, "required": bool, "when": list,
              "clock": str, "remind_weeks": int, "after_referral": bool, "weeks_after_decision": int,
              "required_when": dict}
REQUIRED = {
    "roles": ("id", "label"),
    "tracks": ("id", "label", "start"),
    "steps": ("id", "title", "description", "track"),
    "triggers": ("id", "label", "to"),
    "decisions": ("id", "label", "outcomes", "recorded_by"),
    "documents": ("id", "label", "recorded_by"),
}
KIND = {
    "roles": "rol",
    "tracks": "spoor",
    "steps": "stap",
    "triggers": "trigger",
    "decisions": "besluit",
    "documents": "document",
    "migrate": "migratie",
}
TYPE_NAMES = {str: "tekst", int: "geheel getal", bool: "true of false", dict: "tabel", list: "lijst"}


def type_ok(value: Any, expected: type | tuple[type, ...]) -> bool:
    types = expected if isinstance(expected, tuple) else (expected,)
    if isinstance(value, bool):
        return bool in types
    return isinstance(value, types)


def type_label(expected: type | tuple[type, ...]) -> str:
    types = expected if isinstance(expected, tuple) else (expected,)
    return " of ".join(TYPE_NAMES[t] for t in types)


class Checker:
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
        if raw is None and key in OPTIONAL_SECTIONS:
            return []
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
            elif not type_ok(value, spec[key]):
                self.add(
                    where,
                    f"verwacht {type_label(spec[key])}, niet {value!r}",
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


def role_list(c: Checker, where: str, field: str, value: Any, roles: dict[str, dict]) -> list[str]:
    """A list of role ids; reports items that are not known roles."""
    good = []
    for item in value:
        if not isinstance(item, str):
            c.add(where, f"verwacht een rol-id, niet {item!r}", field)
        elif item not in roles:
            c.add(where, f"onbekende rol '{item}'", field)
        else:
            good.append(item)
    return good


def turn_roles(step: dict[str, Any]) -> list[str]:
    """The roles at turn as written: one role or a list."""
    raw = step.get("at_turn")
    if raw is None:
        return []
    return [raw] if isinstance(raw, str) else [r for r in raw if isinstance(r, str)]


def bad_fields(c: Checker, where: str) -> set[str]:
    """Fields of ``where`` already reported with a wrong type (to avoid double reports)."""
    prefix = f"{c.file}: {where}: veld '"
    return {p[len(prefix) :].split("'", 1)[0] for p in c.problems if p.startswith(prefix)}


