"""Decisions and documents as the route defines them (``[[decisions]]``, ``[[documents]]``).

Who may record one is the route's ``recorded_by``: a person holding one of those roles *on this
case* — assigned to it, or running the school's cases (``sees = "school"``), or an SWV role that
sees the case. Anybody else is refused with the roles that may. A decision's outcome must be one
of its outcomes and its fields are checked against their types. Recording may let an automatic
step follow (see :mod:`kindroute.services.turns`), in the same transaction.
"""

from __future__ import annotations

import json
from datetime import date, timedelta
from typing import Any

from kindroute.errors import AccessDenied, InvalidInput
from kindroute.services import access, turns
from kindroute.services.context import ServiceContext
from kindroute.services.dto import Actor, DocumentInfo
from kindroute.services.text import check_text, parse_date
from kindroute.store.models import Case, Document
from kindroute.workflow.model import SEES_SCHOOL, SEES_SWV, Decision, DecisionField, DocumentKind, Route


def parse_fields(decision: Decision, raw: dict[str, str] | None, outcome: str | None = None,
                 decided_on: date | None = None) -> dict[str, Any]:
    """A decision's fields from ``k=v`` text, checked against the route; every problem at once.

    With ``outcome``: a field that belongs to other outcomes only (``when``) is refused, a required
    one is required only for its outcomes, and a date field left empty with
    ``weeks_after_decision`` becomes ``decided_on`` plus that many weeks (bezwaar: 6 weeks)."""
    raw = {k: v for k, v in (raw or {}).items() if v.strip() or k not in {f.id for f in decision.fields}}
    known = {f.id: f for f in decision.fields}
    problems: list[str] = []
    values: dict[str, Any] = {}
    for key, text in raw.items():
        spec = known.get(key)
        if spec is None:
            names = ", ".join(known) or "geen"
            problems.append(f"besluit '{decision.label}' heeft geen veld '{key}' (wel: {names})")
            continue
        if outcome is not None and not spec.belongs_to(outcome):
            problems.append(f"veld '{key}' ({spec.label}) hoort alleen bij {' of '.join(spec.when)}, "
                            f"niet bij '{outcome}'")
            continue
        try:
            values[key] = _field_value(spec, text)
        except InvalidInput as error:
            problems.append(str(error))
    for spec in decision.fields:
        if outcome is not None and not spec.belongs_to(outcome):
            continue
        if spec.required and spec.id not in raw:
            problems.append(f"veld '{spec.id}' ({spec.label}) is verplicht")
        for other, wanted in spec.required_when:
            if spec.id not in raw and raw.get(other, "").strip() in wanted:
                problems.append(f"veld '{spec.id}' ({spec.label}) is verplicht als {other} "
                                f"{raw[other].strip()} is")
        if spec.id not in raw and spec.weeks_after_decision is not None and decided_on is not None:
            values[spec.id] = (decided_on + timedelta(weeks=spec.weeks_after_decision)).isoformat()
    if problems:
        raise InvalidInput("Het besluit is niet vastgelegd: " + "; ".join(problems) + ".")
    return values


def _field_value(spec: DecisionField, text: str) -> Any:
    text = text.strip()
    if spec.type == "date":
        return parse_date(text, spec.label).isoformat()
    if spec.type == "number":
        try:
            return int(text)
        except ValueError:
            raise InvalidInput(f"{spec.label}: '{text}' is geen geheel getal") from None
    if spec.type == "choice" and text not in spec.choices:
        raise InvalidInput(f"{spec.label}: kies {' of '.join(spec.choices)}, niet '{text}'")
    if not text:
        raise InvalidInput(f"{spec.label}: mag niet leeg zijn")
    check_text(text, spec.label)
    return text


def recorder_roles(route: Route, actor: Actor, case: Case, kind: Decision | DocumentKind,
                   holders: dict[str, int], visible: bool) -> list[str]:
    """The roles in ``recorded_by`` through which ``actor`` may record ``kind`` on this case."""
    out = []
    for role_id in kind.recorded_by:
        role = route.roles.get(role_id)
        if role is None or role_id not in actor.roles:
            continue
        if holders.get(role_id) == actor.id:
            out.append(role_id)
        elif role.sees == SEES_SCHOOL and access.manages_school(actor, case.school_id, route):
            out.append(role_id)
        elif role.sees == SEES_SWV and visible:
            out.append(role_id)
    return out


class Decisions(ServiceContext):
    """Record the route's decisions and documents."""

    def _refuse_recorder(self, actor: Actor, kind: Decision | DocumentKind) -> AccessDenied:
        by = ", ".join(self.role_label(r).lower() for r in kind.recorded_by)
        what = "een besluit" if isinstance(kind, Decision) else "een document"
        mine = ", ".join(self.role_label(r).lower() for r in actor.roles) or "geen rol"
        return AccessDenied(
            f"U ({actor.name}) mag '{kind.label}' niet vastleggen op deze casus: {what} van deze soort "
            f"legt de {by} vast (een persoon die die rol op de casus heeft). Uw rollen: {mine}."
        )

    def record_decision(self, actor: Actor, case_id: int, decision: str, outcome: str, *,
                        fields: dict[str, str] | None = None, title: str = "",
                        expected_version: int | None = None) -> DocumentInfo:
        """Record a decision of the route with one of its outcomes and its fields."""
        spec = self.route.decisions.get(decision)
        if spec is None:
            known = ", ".join(self.route.decisions) or "geen"
            raise InvalidInput(f"Onbekend besluit '{decision}'. Besluiten in deze route: {known}.")
        if outcome not in spec.outcomes:
            raise InvalidInput(
                f"'{outcome}' is geen uitkomst van '{spec.label}': kies {' of '.join(spec.outcomes)}."
            )
        values = parse_fields(spec, fields, outcome, self.today())
        return self._record(actor, case_id, spec, outcome, title, values, expected_version)

    def record_document(self, actor: Actor, case_id: int, kind: str, *, outcome: str = "",
                        title: str = "", expected_version: int | None = None) -> DocumentInfo:
        """Record a document of the route; a decision's id records that decision with ``outcome``."""
        if kind in self.route.decisions:
            return self.record_decision(actor, case_id, kind, outcome, title=title,
                                        expected_version=expected_version)
        spec = self.route.documents.get(kind)
        if spec is None:
            known = ", ".join([*self.route.documents, *self.route.decisions]) or "geen"
            raise InvalidInput(f"Onbekende soort '{kind}'. Bekend in deze route: {known}.")
        if outcome:
            check_text(outcome, "Omschrijving", required=False)
        return self._record(actor, case_id, spec, outcome, title, {}, expected_version)

    def _record(self, actor: Actor, case_id: int, spec: Decision | DocumentKind, outcome: str, title: str,
                values: dict[str, Any], expected_version: int | None) -> DocumentInfo:
        if title:
            check_text(title, "Titel", required=False)
        with self._uow() as uow:
            s = uow.session
            case = self._case(s, case_id, actor)  # refuses who may not see the case
            self._expect_version(case, expected_version, s)
            holders = {a.role: a.person_id for a in self._active_assignments(s, case_id)}
            if not recorder_roles(self.route, actor, case, spec, holders, visible=True):
                raise self._refuse_recorder(actor, spec)
            now = self.now()
            step = next((t.step for t in case.tracks if t.track == self.route.main_track.id), None)
            d = Document(case_id=case_id, kind=spec.id, outcome=outcome, title=title, step=step,
                         author_id=actor.id, at=now,
                         fields_json=json.dumps(values, ensure_ascii=False) if values else None)
            s.add(d)
            self._touch(case)
            self._seal(s, case, "document", actor, [d])
            followed = turns.follow_automatic(self, uow, actor, case_id, f"{spec.label} vastgelegd")
            info = DocumentInfo(d.id, spec.id, outcome, title, step, actor.name, now, fields=values,
                                followed=tuple(followed))
            uow.commit()
            return info


def field_summary(raw: str | None) -> str:
    """A decision's stored fields in words: 'soort: SO, einde: 2027-07-31'."""
    if not raw:
        return ""
    try:
        values = json.loads(raw)
    except ValueError:
        return ""
    return ", ".join(f"{k}: {v}" for k, v in values.items())
