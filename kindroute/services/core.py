"""The use cases of kindroute. The only way anything in the store changes.

Each method that changes something takes the acting person, runs as one unit of
work, and either fully happens or not at all. The CLI and the TUI are thin faces
over :class:`Services`, which composes one part per idea:

- :mod:`~kindroute.services.context` — database, route, clock, unit of work, shared loaders;
- :mod:`~kindroute.services.people` — schools, people, pupils, who is acting;
- :mod:`~kindroute.services.case_flow` — open, step, close, reopen, zorgplicht term;
- :mod:`~kindroute.services.case_work` — roles, consents, notes, agreements, checklists;
- :mod:`~kindroute.services.decisions` — the route's decisions and documents;
- :mod:`~kindroute.services.turns` — who may act, joint turns, automatic steps, clocks, per-case terms;
- :mod:`~kindroute.services.case_lists` — filtered lists, counts, worklist, cases per step;
- :mod:`~kindroute.services.case_view` — one case's detail, next steps, who is at turn;
- :mod:`~kindroute.services.meeting_api` — meetings (besprekingen), their verslag, the case timeline;
- :mod:`~kindroute.services.swv_part` — the SWV's view: monitor, verbeterbord, sociale kaart, Plus-klas;
- :mod:`~kindroute.services.goals` — goals and their evaluations;
- :mod:`~kindroute.services.opp` — the OPP as versions, instemming and hoorrecht;
- :mod:`~kindroute.services.placement` — the zorgplicht decision, ``case period`` (an SWV decision);
- :mod:`~kindroute.services.clocks` / :mod:`~kindroute.services.plan_view` — every clock, the plan.
"""

from __future__ import annotations

from kindroute.services.case_flow import CaseFlow
from kindroute.services.case_lists import CaseLists
from kindroute.services.case_view import CaseView
from kindroute.services.case_work import CaseWork
from kindroute.services.clocks import CaseClocks
from kindroute.services.decisions import Decisions
from kindroute.services.goals import GoalServices
from kindroute.services.meeting_part import MeetingParts
from kindroute.services.opp import OppServices
from kindroute.services.people import PeopleServices
from kindroute.services.placement import PlacementServices
from kindroute.services.plan_view import PlanView
from kindroute.services.swv_part import SwvParts
from kindroute.services.turns import Terms

__all__ = ["Services"]


class Services(PeopleServices, CaseFlow, CaseWork, Decisions, Terms, CaseLists, CaseView, MeetingParts,
               SwvParts, GoalServices, OppServices, PlacementServices, CaseClocks, PlanView):
    """Use cases over one database and one route (``Services(db, route=None, clock=None)``)."""
