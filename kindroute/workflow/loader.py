"""Reading a route file (TOML) into a validated, immutable :class:`Route`.

Every failure — a missing or unreadable file, a TOML syntax error, a route that does
not hold together — becomes :class:`~kindroute.errors.RouteInvalid` listing all problems.
"""

from __future__ import annotations

import re
import tomllib
from importlib.resources import files
from importlib.resources.abc import Traversable
from pathlib import Path, PurePath
from typing import Any

from kindroute.errors import RouteInvalid
from kindroute.workflow.model import (
    NOT_STARTED,
    SEES_ASSIGNED,
    TERM_FROM_ENTERED,
    TURN_ALL,
    ChecklistItem,
    Decision,
    DecisionField,
    DocumentKind,
    GuardSpec,
    Role,
    Route,
    Step,
    Track,
    Trigger,
)
from kindroute.workflow.validate import validate_document

DEFAULT_ROUTE_FILE = "default_route.toml"

_POSITION = re.compile(r"\s*\(at line (\d+), column (\d+)\)\s*$")


def default_route_path() -> Traversable:
    """The route file shipped with kindroute."""
    return files("kindroute.workflow") / DEFAULT_ROUTE_FILE


def _file_name(source: str) -> str:
    return PurePath(source).name or source


def _syntax_problem(source: str, error: tomllib.TOMLDecodeError) -> str:
    message = str(error)
    match = _POSITION.search(message)
    if match:
        detail = message[: match.start()]
        return (
            f"{_file_name(source)}: regel {match.group(1)}, kolom {match.group(2)}: TOML-syntaxfout: {detail}"
        )
    return f"{_file_name(source)}: TOML-syntaxfout: {message}"


#: A route is a few hundred lines; anything far bigger is a mistake (or an attack on the parser).
MAX_ROUTE_CHARS = 1_000_000


def parse_route(text: str, source: str) -> Route:
    """Parse and validate route TOML; ``source`` names the file in messages."""
    if len(text) > MAX_ROUTE_CHARS:
        raise RouteInvalid(source, [f"{_file_name(source)}: het bestand is te groot voor een route "
                                    f"({len(text):,} tekens; hoogstens {MAX_ROUTE_CHARS:,})"])
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise RouteInvalid(source, [_syntax_problem(source, error)]) from None
    except RecursionError:
        raise RouteInvalid(source, [f"{_file_name(source)}: TOML-syntaxfout: lijsten of tabellen zijn "
                                    "te diep genest"]) from None
    problems = validate_document(doc, source)
    if problems:
        raise RouteInvalid(source, problems)
    return _build(doc, source, text)


def _read_text(path: Path) -> str:
    name = _file_name(str(path))
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        problem = f"{name}: bestand niet gevonden ({path})"
    except IsADirectoryError:
        problem = f"{name}: dit is een map, geen routebestand ({path})"
    except PermissionError:
        problem = f"{name}: geen leesrechten voor dit bestand ({path})"
    except UnicodeDecodeError as error:
        problem = f"{name}: het bestand is geen UTF-8-tekst (byte {error.start})"
    except OSError as error:
        problem = f"{name}: bestand kan niet gelezen worden: {error.strerror or error}"
    raise RouteInvalid(str(path), [problem])


def load_route(path: str | Path | None = None) -> Route:
    """Load a route file; ``None`` loads the default route shipped with kindroute."""
    if path is None:
        text = default_route_path().read_text(encoding="utf-8")
        return parse_route(text, DEFAULT_ROUTE_FILE)
    path = Path(path)
    return parse_route(_read_text(path), str(path))


def check_route_file(path: str | Path) -> list[str]:
    """All problems of a route file; an empty list when it is valid."""
    try:
        load_route(path)
    except RouteInvalid as error:
        return list(error.problems)
    return []


def _frozen(param: Any) -> Any:
    """A guard parameter with its lists as tuples (tables stay tables)."""
    if isinstance(param, list):
        return tuple(param)
    if isinstance(param, dict):
        return {k: _frozen(v) for k, v in param.items()}
    return param


def _turn(raw: Any) -> tuple[str, ...]:
    if raw is None:
        return ()
    return (raw,) if isinstance(raw, str) else tuple(raw)


def _build(doc: dict[str, Any], source: str, text: str = "") -> Route:
    """Turn a validated document into a Route."""
    roles = {
        r["id"]: Role(
            id=r["id"],
            label=r["label"],
            external=r.get("external", False),
            sees=r.get("sees", SEES_ASSIGNED),
            assigns=tuple(r.get("assigns", ())),
            grants=tuple(r["grants"]) if "grants" in r else None,
        )
        for r in doc["roles"]
    }
    tracks = {
        t["id"]: Track(id=t["id"], label=t["label"], start=t["start"], optional=t.get("optional", False))
        for t in doc["tracks"]
    }
    steps = {
        s["id"]: Step(
            id=s["id"],
            title=s["title"],
            description=s["description"],
            track=s["track"],
            turn_roles=_turn(s.get("at_turn")),
            turn_all=s.get("turn") == TURN_ALL,
            involved=dict(s.get("involved", {})),
            term_days=s.get("term_days"),
            term_label=s.get("term_label", ""),
            term_from=s.get("term_from", TERM_FROM_ENTERED),
            term_keeps=s.get("term_keeps", False),
            term_set_by=s.get("term_set_by"),
            checklist=tuple(
                ChecklistItem(
                    i["id"],
                    i["label"],
                    optional=i.get("optional", False),
                    ticked_by=tuple(i.get("ticked_by", ())),
                )
                for i in s.get("checklist", [])
            ),
            final=s.get("final", False),
        )
        for s in doc["steps"]
    }
    triggers = {}
    for t in doc["triggers"]:
        if t.get("from_start", False):
            sources: tuple[str, ...] = (NOT_STARTED,)
        else:
            raw = t["from"]
            sources = (raw,) if isinstance(raw, str) else tuple(raw)
        triggers[t["id"]] = Trigger(
            id=t["id"],
            label=t["label"],
            track=steps[t["to"]].track,
            sources=sources,
            dest=t["to"],
            guards=tuple(GuardSpec(name, _frozen(param)) for name, param in t.get("guards", {}).items()),
            automatic=t.get("automatic", False),
        )
    decisions = {
        d["id"]: Decision(
            id=d["id"],
            label=d["label"],
            outcomes=tuple(d["outcomes"]),
            recorded_by=tuple(d["recorded_by"]),
            fields=tuple(
                DecisionField(
                    id=f["id"],
                    label=f["label"],
                    type=f.get("type", "text"),
                    choices=tuple(f.get("choices", ())),
                    required=f.get("required", False),
                    when=tuple(f.get("when", ())),
                    clock=f.get("clock"),
                    remind_weeks=f.get("remind_weeks"),
                    after_referral=f.get("after_referral", False),
                    weeks_after_decision=f.get("weeks_after_decision"),
                    required_when=tuple(
                        (other, (v,) if isinstance(v, str) else tuple(v))
                        for other, v in f.get("required_when", {}).items()
                    ),
                )
                for f in d.get("fields", [])
            ),
            scope=d.get("scope", "step"),
        )
        for d in doc.get("decisions", [])
    }
    documents = {
        d["id"]: DocumentKind(id=d["id"], label=d["label"], recorded_by=tuple(d["recorded_by"]))
        for d in doc.get("documents", [])
    }
    header = doc["route"]
    return Route(
        name=header["name"],
        version=header["version"],
        roles=roles,
        tracks=tracks,
        steps=steps,
        triggers=triggers,
        source=source,
        decisions=decisions,
        documents=documents,
        migrate={m["from"]: m["to"] for m in doc.get("migrate", [])},
        text=text,
    )
