"""The names of everyone a case's screens mention, read in one query.

A case screen names the people assigned to it, who recorded its consents, wrote its notes,
documents and agreements, and who set or evaluated its goals and OPP. Reading each name as it
comes costs a round trip per person; this reads them all at once (a ``UNION`` of the columns
that point at a person, by case).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, Integer, bindparam, select, union
from sqlalchemy.orm import Session

from kindroute.store.models import Agreement, Assignment, ConsentRecord, Document, Note, Person
from kindroute.store.models_plan import Goal, GoalEvaluation, OppHoorrecht, OppInstemming, OppVersion

#: (table, person column) of every reference to a person that a case's screens show.
_REFERENCES: tuple[tuple[Any, Any], ...] = (
    (Assignment, Assignment.person_id),
    (ConsentRecord, ConsentRecord.recorded_by_id),
    (Note, Note.author_id),
    (Agreement, Agreement.who_id),
    (Agreement, Agreement.created_by_id),
    (Document, Document.author_id),
    (Goal, Goal.who_id),
    (GoalEvaluation, GoalEvaluation.by_id),
    (OppVersion, OppVersion.created_by_id),
    (OppVersion, OppVersion.adopted_by_id),
    (OppInstemming, OppInstemming.recorded_by_id),
    (OppHoorrecht, OppHoorrecht.recorded_by_id),
)


def _statement() -> Any:
    case_id = bindparam("case_id", type_=Integer)
    ids = union(*(select(col.label("pid")).where(model.case_id == case_id) for model, col in _REFERENCES))
    return select(Person.id, Person.name).where(Person.id.in_(select(ids.subquery().c.pid)))


NAMES = _statement()


def case_people(s: Session | Connection, case_id: int) -> dict[int, str]:
    """{person id: name} of everyone the case's records point at."""
    return {pid: name for pid, name in s.execute(NAMES, {"case_id": case_id})}
