"""Placement decisions: the decision that stops the zorgplicht clock of an aanmelding, and the
period (with the TLV's details) of an SWV decision.

Zorgplicht (Wet passend onderwijs): a school that receives a written aanmelding of a pupil with
a support need must offer a place (its own or another school's) within 6 weeks, once extendable
by 4. A case opened by signalering (a pupil already in a class) has no such clock.

An arrangement or a TLV granted by the SWV runs from a start to an end date; its end is a
clock, with a reminder some weeks before. A TLV also has a type (SBO or SO), for SO a category
(laag / midden / hoog), the school year it is to be used in, and the last day for bezwaar
(6 weeks after the decision). These are recorded beside the ``swv_besluit`` document.
"""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from kindroute.errors import InvalidInput, NotFound
from kindroute.services.context import ServiceContext
from kindroute.services.dto import Actor
from kindroute.services.text import check_text, parse_date
from kindroute.store.models import DecisionPeriod, Document
from kindroute.workflow.vocabulary import ZORGPLICHT_DECISIONS

#: The default route's SWV decision and its outcome that grants an arrangement or a TLV: a period
#: (start, end) is recorded beside such a decision.
DOC_SWV_DECISION = "swv_besluit"
SWV_GRANTED = "toegekend"

PERIOD_KINDS = ("arrangement", "tlv")
TLV_TYPES = ("sbo", "so")
TLV_CATEGORIES = ("laag", "midden", "hoog")
#: Parents may object (bezwaar) to a decision within 6 weeks (Awb art. 6:7).
BEZWAAR_WEEKS = 6


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
        document_id: int | None = None,
        support: str = "",
        tlv_type: str | None = None,
        tlv_category: str | None = None,
        school_year: str | None = None,
        bezwaar_until: str | date | None = None,
    ) -> int:
        """Record the period of the SWV decision ``document_id`` (default: the case's latest
        granted ``swv_besluit``)."""
        if kind not in PERIOD_KINDS:
            raise InvalidInput(f"Soort is arrangement of tlv, niet '{kind}'.")
        start_d, end_d = parse_date(start, "Startdatum"), parse_date(end, "Einddatum")
        if end_d < start_d:
            raise InvalidInput("De einddatum ligt vóór de startdatum.")
        check_text(support, "Ondersteuning", required=False)
        if kind == "tlv":
            tlv_type = (tlv_type or "").lower()
            if tlv_type not in TLV_TYPES:
                raise InvalidInput("Een TLV is voor sbo of so (--type).")
            if tlv_type == "so":
                if (tlv_category or "").lower() not in TLV_CATEGORIES:
                    raise InvalidInput("Een TLV voor het SO heeft een categorie: laag, midden of hoog.")
                tlv_category = (tlv_category or "").lower()
            else:
                tlv_category = None
        else:
            tlv_type = tlv_category = None
        with self._uow() as uow:
            s = uow.session
            case = self._case(s, case_id, actor)
            self._require_manager(actor, case, "de periode van een besluit vastleggen")
            if document_id is None:
                doc = s.scalar(select(Document).where(
                    Document.case_id == case_id, Document.kind == DOC_SWV_DECISION,
                    Document.outcome == SWV_GRANTED).order_by(Document.id.desc()).limit(1))
                if doc is None:
                    raise InvalidInput("Er is nog geen toekennend besluit van het SWV vastgelegd.")
            else:
                doc = s.get(Document, document_id)
                if doc is None or doc.case_id != case_id or doc.kind != DOC_SWV_DECISION:
                    raise NotFound(f"Besluit {document_id} is geen besluit van het SWV bij casus {case_id}.")
            if s.scalar(select(DecisionPeriod.id).where(DecisionPeriod.document_id == doc.id)):
                raise InvalidInput(f"Besluit {doc.id} heeft al een periode.")
            bezwaar = (parse_date(bezwaar_until, "Bezwaar tot") if bezwaar_until
                       else doc.at.date() + timedelta(weeks=BEZWAAR_WEEKS))
            row = DecisionPeriod(document_id=doc.id, case_id=case_id, kind=kind, start_on=start_d,
                                 end_on=end_d, support=support, tlv_type=tlv_type, tlv_category=tlv_category,
                                 school_year=school_year, bezwaar_until=bezwaar)
            s.add(row)
            self._touch(case)
            self._seal(s, case, "period", actor)
            rid = row.id
            uow.commit()
            return rid
