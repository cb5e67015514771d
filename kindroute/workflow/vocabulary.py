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

# --------------------------------------------------------------------------- the OPP and goals
#: The default route's decision "opp" and its outcomes (the OPP as versions keeps the same words).
OPP_DECISION = "opp"
OPP_OUTCOMES = ("concept", "vastgesteld")
OPP_ADOPTED = "vastgesteld"
OPP_CONCEPT = "concept"
#: The parents' answer on the handelingsdeel of an OPP version; only "eens" is instemming.
INSTEMMING_OUTCOMES = ("eens", "oneens", "deels")
OPP_AGREED = "eens"
#: The result of a goal's evaluation.
GOAL_RESULTS = ("behaald", "deels", "niet")
#: Decisions that stop the zorgplicht clock of an aanmelding (id -> the words users read).
ZORGPLICHT_DECISIONS: dict[str, str] = {
    "plaatsen": "geplaatst",
    "niet_plaatsen": "niet geplaatst",
    "andere_school": "andere school gevonden",
}
# --------------------------------------------------------------------------- steps
#: The final step that closes a case (any other final step refers the pupil elsewhere).
STEP_CLOSED = "afgesloten"
