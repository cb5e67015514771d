"""The ondersteuningsroute as data: route files, validation, guards, engine and diagrams.

This package works on plain objects only; it imports neither textual nor sqlalchemy. The
names load on first use (PEP 562): a module that needs only the vocabulary (the worklist's
title) does not load the route model and its validation, and reading a route for the app's
first page needs neither the engine (``transitions``) nor the diagrams.
"""

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from kindroute.workflow.diagram import guard_description, to_mermaid, to_text
    from kindroute.workflow.engine import Engine, get_engine
    from kindroute.workflow.loader import check_route_file, default_route_path, load_route, parse_route
    from kindroute.workflow.model import (
        NOT_STARTED,
        CaseFacts,
        ChecklistItem,
        Consent,
        GuardResult,
        GuardSpec,
        NextStep,
        Role,
        Route,
        Step,
        Track,
        Trigger,
    )

_LAZY = {"guard_description": "diagram", "to_mermaid": "diagram", "to_text": "diagram",
         "Engine": "engine", "get_engine": "engine"}
_LAZY.update(dict.fromkeys(("check_route_file", "default_route_path", "load_route", "parse_route"), "loader"))
_LAZY.update(dict.fromkeys(("NOT_STARTED", "CaseFacts", "ChecklistItem", "Consent", "GuardResult",
                            "GuardSpec", "NextStep", "Role", "Route", "Step", "Track", "Trigger"), "model"))


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from importlib import import_module

    value = getattr(import_module(f"kindroute.workflow.{module}"), name)
    globals()[name] = value
    return value


__all__ = [
    "NOT_STARTED",
    "CaseFacts",
    "ChecklistItem",
    "Consent",
    "Engine",
    "GuardResult",
    "GuardSpec",
    "NextStep",
    "Role",
    "Route",
    "Step",
    "Track",
    "Trigger",
    "check_route_file",
    "default_route_path",
    "get_engine",
    "guard_description",
    "load_route",
    "parse_route",
    "to_mermaid",
    "to_text",
]
