"""The ondersteuningsroute as data: route files, validation, guards, engine and diagrams.

This package works on plain objects only; it imports neither textual nor sqlalchemy.
"""

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
