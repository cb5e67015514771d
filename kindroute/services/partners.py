"""The sociale kaart: the partner organisations around the schools.

Kind (jeugdhulp, wijkteam/CJG, GGD, SMW, kinderopvang, SO-school, Plus-klas, logopedie…),
contact person and how to reach them, the schools they serve, agreed meeting moments, and
the people in kindroute who work for them. From a case: who can we ask, for its school.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select

from kindroute.errors import AccessDenied, InvalidInput, NotFound
from kindroute.services import access
from kindroute.services.dto import Actor, JsonMixin
from kindroute.services.text import check_name, check_text
from kindroute.store.models import Partner, PartnerPerson, PartnerSchool, Person, School

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from kindroute.services.core import Services

KINDS: dict[str, str] = {
    "jeugdhulp": "Jeugdhulp",
    "wijkteam": "Wijkteam / CJG",
    "ggd": "GGD",
    "smw": "Schoolmaatschappelijk werk",
    "kinderopvang": "Kinderopvang",
    "so_school": "SO-school",
    "sbo_school": "SBO-school",
    "plusklas": "Plus-klas",
    "logopedie": "Logopedie",
    "overig": "Overig",
}


@dataclass(frozen=True)
class PartnerInfo(JsonMixin):
    id: int
    name: str
    kind: str
    kind_label: str
    contact: str
    reach: str
    meetings: str
    schools: tuple[str, ...]
    people: tuple[str, ...]


class PartnerService:
    """Use cases of the sociale kaart (``Services.partners``)."""

    def __init__(self, services: Services) -> None:
        self.s = services

    def _info(self, session: Session, p: Partner) -> PartnerInfo:
        schools = session.scalars(
            select(School.name).join(PartnerSchool, PartnerSchool.school_id == School.id)
            .where(PartnerSchool.partner_id == p.id).order_by(School.name)).all()
        people = session.scalars(
            select(Person.name).join(PartnerPerson, PartnerPerson.person_id == Person.id)
            .where(PartnerPerson.partner_id == p.id).order_by(Person.name)).all()
        return PartnerInfo(id=p.id, name=p.name, kind=p.kind, kind_label=KINDS.get(p.kind, p.kind),
                           contact=p.contact, reach=p.reach, meetings=p.meetings, schools=tuple(schools),
                           people=tuple(people))

    def add(self, actor: Actor, name: str, *, kind: str, contact: str = "", reach: str = "",
            meetings: str = "", schools: Sequence[str | int] = (),
            people: Sequence[str | int] = ()) -> PartnerInfo:
        """A new partner; the SWV, an IB or a director records them."""
        if not (access.sees_swv(actor, self.s.route) or access.school_manager(actor, self.s.route)):
            raise AccessDenied(f"U ({actor.name}) kunt geen partners toevoegen: dat doen het SWV en "
                               "de IB of directie.")
        check_name(name, "Naam van de partner")
        kind = (kind or "").strip().lower()
        if kind not in KINDS:
            raise InvalidInput(f"Onbekende soort '{kind}'. Kies uit: {', '.join(KINDS)}.")
        if contact:
            check_name(contact, "Contactpersoon")
        check_text(reach, "Bereikbaarheid", required=False)
        check_text(meetings, "Overlegmomenten", required=False)
        with self.s._uow() as uow:
            session = uow.session
            if session.scalar(select(Partner.id).where(func.lower(Partner.name) == name.strip().lower())):
                raise InvalidInput(f"Er is al een partner met de naam '{name}'.")
            row = Partner(name=name.strip(), kind=kind, contact=contact, reach=reach, meetings=meetings,
                          created_at=self.s.now())
            session.add(row)
            session.flush()
            for sid in {self.s._school(session, school).id for school in schools}:
                session.add(PartnerSchool(partner_id=row.id, school_id=sid))
            for pid in {self.s._actor(session, who).id for who in people}:
                session.add(PartnerPerson(partner_id=row.id, person_id=pid))
            session.flush()
            info = self._info(session, row)
            uow.commit()
            return info

    def list(self, actor: Actor | None = None, *, school: str | int | None = None,
             kind: str | None = None) -> list[PartnerInfo]:
        """Partners by kind and name; with ``school`` only those serving it."""
        with self.s._uow(write=False) as uow:
            session = uow.session
            stmt = select(Partner)
            if school is not None and str(school).strip():
                sid = self.s._school(session, school).id
                stmt = stmt.where(Partner.id.in_(
                    select(PartnerSchool.partner_id).where(PartnerSchool.school_id == sid)))
            if kind:
                if kind not in KINDS:
                    raise InvalidInput(f"Onbekende soort '{kind}'. Kies uit: {', '.join(KINDS)}.")
                stmt = stmt.where(Partner.kind == kind)
            rows = session.scalars(stmt.order_by(Partner.kind, Partner.name)).all()
            return [self._info(session, p) for p in rows]

    def show(self, partner: str | int) -> PartnerInfo:
        with self.s._uow(write=False) as uow:
            session = uow.session
            key = str(partner).strip()
            row: Any = session.get(Partner, int(key)) if key.isdigit() else None
            if row is None:
                row = session.scalar(select(Partner).where(func.lower(Partner.name) == key.lower()))
            if row is None:
                raise NotFound(f"Partner '{partner}' is niet bekend (geef naam of nummer).")
            return self._info(session, row)

    def for_case(self, actor: Actor | None, case_id: int) -> tuple[str, list[PartnerInfo]]:
        """Wie kunnen we vragen? The case's school and the partners serving it (access checked)."""
        detail = self.s.case_detail(actor, case_id)
        return detail.school, self.list(actor, school=detail.school_id)
