"""The domain's words that code relies on, spelled once.

Rights are not here: which role sees which cases, who assigns whom, who records which decision
or document and who may act at a step are read from the route (``[[roles]] sees``, ``assigns``,
``external``; ``[[decisions]]``/``[[documents]] recorded_by``; ``at_turn``). What is left are the
words of a case's own life cycle.
"""

from __future__ import annotations

# --------------------------------------------------------------------------- case status
STATUS_OPEN = "open"
STATUS_CLOSED = "closed"
STATUS_REFERRED = "referred"
#: Every status a case can have, with the word users read.
STATUS_LABELS: dict[str, str] = {
    STATUS_OPEN: "open",
    STATUS_CLOSED: "afgesloten",
    STATUS_REFERRED: "verwezen",
}
#: The statuses of a case that is no longer running.
ENDED_STATUSES = (STATUS_CLOSED, STATUS_REFERRED)

# --------------------------------------------------------------------------- steps
#: The final step that closes a case (any other final step refers the pupil elsewhere).
STEP_CLOSED = "afgesloten"
