"""The service layer: every use case of kindroute, shared by the CLI and the TUI.

Names load on first use (PEP 562): :class:`CaseFilter` at once (one small dataclass), the
read models of :mod:`kindroute.services.dto` and :class:`Services` (SQLAlchemy, the
workflow engine) when first asked for. So a screen can hold a filter before its first
frame without paying for the database layer.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from kindroute.services.case_filter import CaseFilter

if TYPE_CHECKING:
    from kindroute.services.core import Services
    from kindroute.services.dto import (
        Actor,
        AgreementInfo,
        AssignmentInfo,
        CaseDetail,
        CaseRow,
        ConsentInfo,
        DocumentInfo,
        HistoryEntry,
        NextStepInfo,
        NoteInfo,
        PersonInfo,
        SchoolInfo,
        StepResult,
        TrackInfo,
    )

__all__ = [
    "Actor", "AgreementInfo", "AssignmentInfo", "CaseDetail", "CaseFilter", "CaseRow",
    "ConsentInfo", "DocumentInfo", "HistoryEntry", "NextStepInfo", "NoteInfo", "PersonInfo",
    "SchoolInfo", "Services", "StepResult", "TrackInfo",
]


def __getattr__(name: str) -> Any:
    if name == "Services":
        from kindroute.services.core import Services

        value: Any = Services
    elif name in __all__:
        from kindroute.services import dto

        value = getattr(dto, name)
    else:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    globals()[name] = value
    return value
