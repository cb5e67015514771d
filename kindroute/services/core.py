"""The use cases of kindroute. The only way anything in the store changes.

Each method that changes something takes the acting person, runs as one unit of
work, and either fully happens or not at all. The CLI and the TUI are thin faces
over :class:`Services`, which composes one part per idea:

- :mod:`~kindroute.services.context` — database, route, clock, unit of work, shared loaders;
- :mod:`~kindroute.services.people` — schools, people, pupils, who is acting;
- :mod:`~kindroute.services.case_flow` — open, step, close, reopen, zorgplicht term;
- :mod:`~kindroute.services.case_work` — roles, consents, notes, agreements, checklists, documents;
- :mod:`~kindroute.services.case_lists` — filtered lists, counts, worklist, cases per step;
- :mod:`~kindroute.services.case_view` — one case's detail, next steps, who is at turn.
"""

from __future__ import annotations

from kindroute.services.case_flow import CaseFlow
from kindroute.services.case_lists import CaseLists
from kindroute.services.case_view import CaseView
from kindroute.services.case_work import CaseWork
from kindroute.services.people import PeopleServices

__all__ = ["Services"]


class Services(PeopleServices, CaseFlow, CaseWork, CaseLists, CaseView):
    """Use cases over one database and one route (``Services(db, route=None, clock=None)``)."""
