"""The case's header and its next steps as text: shared by the case screen and the walk of a
bespreking (``screens/meeting_walk.py``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text

from kindroute.widgets.format import deadline_text, nl_date
from kindroute.workflow.vocabulary import STATUS_LABELS, STATUS_OPEN

if TYPE_CHECKING:
    from kindroute.services import Actor, CaseDetail, Services


def summary_text(d: CaseDetail, services: Services, *, narrow: bool = False) -> Text:
    """The case's header: pupil, school, group, each track's step, who is at turn, deadline.

    ``narrow``: who is at turn and the deadline on a line of their own under the step, so
    nothing breaks mid-phrase in 80 columns.
    """
    today = services.today()
    t = Text()
    t.append(d.pupil, style="bold")
    t.append(f"  groep {d.group} · {d.school} · geboren {nl_date(d.date_of_birth)}", style="")
    t.append(f" · casus {d.id}", style="dim")
    if d.status != STATUS_OPEN:
        status = STATUS_LABELS.get(d.status, d.status)
        t.append(f"  ({status})", style="bold yellow")
    for track in d.tracks:
        t.append("\n")
        t.append(f"{track.track_label}: ", style="dim")
        t.append(track.step_title, style="bold")
        if track.at_turn_role:
            t.append("\n  aan zet: " if narrow else "  aan zet: ", style="dim")
            t.append(track.at_turn or f"niemand toegewezen ({services.role_label(track.at_turn_role)})",
                     style="" if track.at_turn else "yellow")
            t.append(f" ({services.role_label(track.at_turn_role)})", style="dim")
            t.append("  deadline: ", style="dim")
            t.append_text(deadline_text(track.deadline, track.overdue, today))
    if d.clocks:
        t.append("\nEerstvolgend: ", style="dim")
        for i, c in enumerate(d.clocks[:2]):
            t.append(" · " if i else "", style="dim")
            t.append(nl_date(c.due), style="bold red" if c.overdue else "bold")
            t.append(f" {c.label}")
    return t


def next_steps_text(d: CaseDetail, services: Services, actor: Actor | None = None) -> Text:
    """The next steps, each allowed (✓) or not (✗, with every reason; with ``actor``, also
    when it is not that person's turn)."""
    from kindroute.services.screen_queries import turn_refusal

    t = Text()
    if not d.next:
        t.append("Geen volgende stappen: dit is een eindstap.", style="dim")
    for i, n in enumerate(d.next, start=1):
        if i > 1:
            t.append("\n")
        turn = turn_refusal(services.route, actor, d, n) if actor is not None else None
        reasons = (*n.reasons, turn) if turn else n.reasons
        allowed = not reasons
        t.append("✓ " if allowed else "✗ ", style="green" if allowed else "red")
        t.append(n.label, style="bold" if allowed else "dim")
        t.append(f"  → {n.to_title}", style="")
        if n.at_turn_role:
            t.append(f" (aan zet: {services.role_label(n.at_turn_role)}", style="dim")
            t.append(f", deadline {nl_date(n.deadline)})" if n.deadline else ")", style="dim")
        for reason in reasons:
            t.append("\n    geblokkeerd: ", style="red")
            t.append(reason)
    return t
