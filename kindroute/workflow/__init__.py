"""The ondersteuningsroute as data: route files, validation, guards, engine and diagrams.

This package works on plain objects only; it imports neither textual nor sqlalchemy. The
engine (``transitions``) and the diagrams load on first use (PEP 562): reading a route for
the app's first page needs neither.
"""

from typing import TYPE_CHECKING, Any

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

if TYPE_CHECKING:
    from kindroute.workflow.diagram import guard_description, to_mermaid, to_text
    from kindroute.workflow.engine import Engine, get_engine

_LAZY = {"guard_description": "diagram", "to_mermaid": "diagram", "to_text": "diagram",
         "Engine": "engine", "get_engine": "engine"}


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
