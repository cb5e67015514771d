"""The domain's words that code relies on, spelled once.

Every other module takes these names from here (or, better, from the route itself) instead
of spelling ``"ib"`` or ``"referred"`` again. Role ids here are those of the default route
that the code still assumes; a route's own ``[[roles]]`` say which rights each role has
where the route format allows it.
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

# --------------------------------------------------------------------------- documents
DOC_OPP = "opp"
DOC_EXPERT_ADVICE = "deskundigenadvies"
DOC_SWV_DECISION = "swv_besluit"
DOCUMENT_KINDS: dict[str, str] = {
    DOC_OPP: "OPP",
    DOC_EXPERT_ADVICE: "Deskundigenadvies",
    DOC_SWV_DECISION: "Besluit SWV",
}
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
SWV_GRANTED = "toegekend"
SWV_REFUSED = "afgewezen"
SWV_OUTCOMES = (SWV_GRANTED, SWV_REFUSED)

# --------------------------------------------------------------------------- roles
ROLE_TEACHER = "leerkracht"
ROLE_IB = "ib"
ROLE_DIRECTOR = "directeur"
ROLE_SWV = "swv"
ROLE_PARENTS = "ouders"
ROLE_PUPIL = "leerling"
#: Roles that run a school's cases (see all of the school's cases, act at any step).
SCHOOL_MANAGER_ROLES = (ROLE_IB, ROLE_DIRECTOR)
#: Roles that belong to one school.
SCHOOL_ROLES = (ROLE_IB, ROLE_DIRECTOR, ROLE_TEACHER)
#: Roles from outside the school that see a case only when assigned and with consent.
OUTSIDE_ROLES = ("so_expert", "plusklas", "jeugdhulp", "smw", "ggd")

# --------------------------------------------------------------------------- steps
#: The default route's final steps that the code distinguishes (closed vs referred).
STEP_CLOSED = "afgesloten"
