"""The service layer: every use case of kindroute, shared by the CLI and the TUI."""

from kindroute.services.core import Services
from kindroute.services.dto import (
    Actor,
    AgreementInfo,
    AssignmentInfo,
    CaseDetail,
    CaseFilter,
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
