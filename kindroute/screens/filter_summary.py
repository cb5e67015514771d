"""A case list's active filters in one Dutch line (the list's title shows it).

On its own, apart from the filter dialog's widgets, so the worklist's first title costs
only this and the route's vocabulary.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from kindroute.workflow.vocabulary import STATUS_LABELS, STATUS_OPEN

if TYPE_CHECKING:
    from kindroute.services import CaseFilter


def describe_filter(f: CaseFilter, services: object) -> str:
    """A one-line Dutch summary of the active filters ('' when none)."""
    s = services
    parts = []
    if f.text.strip():
        parts.append(f"naam bevat '{f.text.strip()}'")
    if f.step:
        parts.append(f"stap {s.step_title(f.step)}")  # type: ignore[attr-defined]
    if f.school_id is not None or f.school:
        parts.append(f"school {f.school or f.school_id}")
    if f.at_turn_role:
        parts.append(f"aan zet: {s.role_label(f.at_turn_role)}")  # type: ignore[attr-defined]
    if f.group is not None:
        parts.append(f"groep {f.group}")
    if f.overdue:
        parts.append("over de termijn")
    if f.status != STATUS_OPEN:
        parts.append("status: " + (STATUS_LABELS.get(f.status, f.status) if f.status else "alle"))
    return ", ".join(parts)
