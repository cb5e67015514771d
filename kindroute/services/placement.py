"""Placement decisions: the decision that stops the zorgplicht clock of an aanmelding, and the
period (with the TLV's details) of an SWV decision as that decision's fields.

Zorgplicht (Wet passend onderwijs): a school that receives a written aanmelding of a pupil with
a support need must offer a place (its own or another school's) within 6 weeks, once extendable
by 4. A case opened by signalering (a pupil already in a class) has no such clock.

An arrangement or a TLV granted by the SWV runs from a start to an end date; its end is a
clock, with a reminder some weeks before (the route's ``clock = "end"`` and ``remind_weeks``).
A TLV also has a type (SBO or SO), for SO a category (laag / midden / hoog), the school year it
is to be used in, and the last day for bezwaar (6 weeks after the decision, Awb art. 6:7). All
of these are fields of the route's ``arrangement`` and ``tlv`` decisions; :meth:`record_period`
records such a decision from the options of ``kindroute case period``.
"""

from __future__ import annotations

from datetime import date

from kindroute.errors import InvalidInput
from kindroute.services.context import ServiceContext
from kindroute.services.dto import Actor, DocumentInfo
from kindroute.services.text import check_text, parse_date
from kindroute.workflow.vocabulary import ZORGPLICHT_DECISIONS


class PlacementServices(ServiceContext):
    """Zorgplicht decisions and decision periods."""

    def decide_zorgplicht(self, actor: Actor, case_id: int, decision: str, *, on: str | date | None = None,
                          note: str = "") -> date:
        """Record the decision on an aanmelding (stops the zorgplicht clock)."""
        key = decision.strip().lower().replace(" ", "_")
        key = {"andere_school_gevonden": "andere_school"}.get(key, key)
        if key not in ZORGPLICHT_DECISIONS:
            raise InvalidInput("Besluit is plaatsen, niet_plaatsen of andere_school (andere school "
                               f"gevonden), niet '{decision}'.")
        check_text(note, "Toelichting", required=False)
        day = parse_date(on, "Datum") if on else self.today()
        with self._uow() as uow:
            s = uow.session
            case = self._case(s, case_id, actor)
            self._require_manager(actor, case, "over de plaatsing besluiten")
            if case.registered_on is None:
                raise InvalidInput("Deze casus is geen aanmelding: er loopt geen zorgplichttermijn.")
            if case.zorgplicht_decision is not None:
                label = ZORGPLICHT_DECISIONS.get(case.zorgplicht_decision, case.zorgplicht_decision)
                raise InvalidInput(f"Over de plaatsing is al besloten ({label}).")
            if day < case.registered_on:
                raise InvalidInput("Het besluit kan niet vóór de aanmelding liggen.")
            case.zorgplicht_decision = key
            case.zorgplicht_decided_on = day
            touched = []
            if note:
                from kindroute.store.models import Note

                touched.append(Note(case_id=case_id, author_id=actor.id, at=self.now(), step=None,
                                    text=f"Besluit zorgplicht: {ZORGPLICHT_DECISIONS[key]}. {note}"))
                s.add(touched[-1])
            self._touch(case)
            self._seal(s, case, "zorgplicht", actor, touched)
            uow.commit()
            return day

    def record_period(
        self,
        actor: Actor,
        case_id: int,
        *,
        kind: str,
        start: str | date,
        end: str | date,
        support: str = "",
        tlv_type: str | None = None,
        tlv_category: str | None = None,
        school_year: str | None = None,
        bezwaar_until: str | date | None = None,
    ) -> DocumentInfo:
        """Record a granted arrangement or TLV with its period: a convenience for
        ``record_decision(kind, <granting outcome>, fields)`` on the route's decision ``kind``,
        whose date field with ``clock = "end"`` takes ``end``."""
        decision = self.route.decisions.get(kind)
        if decision is None or decision.clock_field is None:
            with_clock = ", ".join(d.id for d in self.route.decisions.values() if d.clock_field) or "geen"
            raise InvalidInput(f"'{kind}' is geen besluit met een einddatum in deze route "
                               f"(wel: {with_clock}).")
        clock = decision.clock_field
        start_d, end_d = parse_date(start, "Startdatum"), parse_date(end, "Einddatum")
        if end_d < start_d:
            raise InvalidInput("De einddatum ligt vóór de startdatum.")
        given = {"start": start_d.isoformat(), clock.id: end_d.isoformat(), "vorm": support,
                 "type": (tlv_type or "").lower(), "categorie": (tlv_category or "").lower(),
                 "schooljaar": school_year or "",
                 "bezwaar_tot": parse_date(bezwaar_until, "Bezwaar tot").isoformat() if bezwaar_until else ""}
        fields = {k: v for k, v in given.items() if v}
        outcome = clock.when[0] if clock.when else decision.outcomes[0]
        return self.record_decision(actor, case_id, kind, outcome, fields=fields)  # type: ignore[attr-defined]
