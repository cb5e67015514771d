"""Plus-klas places: locations, placements and the waiting list ("thuis nabij").

A location has a host school, days, a number of places and the schools it serves (with the
travel time or distance when known). A case asks for a place at a location serving its
school: it is placed when a place is free and nobody asked before it, otherwise it joins the
waiting list, in order of request. Leaving frees the place; the first on the list is next.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select

from kindroute.errors import AccessDenied, InvalidInput, NotFound
from kindroute.services import access
from kindroute.services.dto import Actor, JsonMixin
from kindroute.services.text import check_name, check_text, parse_date
from kindroute.store.models import (
    Case,
    PlusklasLocation,
    PlusklasPlacement,
    PlusklasServes,
    Pupil,
    School,
)
from kindroute.workflow.model import Route

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from kindroute.services.core import Services

WAITING, PLACED, ENDED = "wachtend", "geplaatst", "beeindigd"
STATUS_LABELS = {WAITING: "wachtlijst", PLACED: "geplaatst", ENDED: "beëindigd"}
#: The guard of the route's step into a Plus-klas (``plusklas_place``: a free place).
PLACE_GUARD = "plusklas_place"
#: The Plus-klas step of a route that does not guard one with :data:`PLACE_GUARD`.
PLACE_STEP = "plusklas"


def plusklas_roles(route: Route) -> frozenset[str]:
    """The roles that run Plus-klas places beside the SWV's own: those at turn in the steps the
    route enters under the ``plusklas_place`` guard, or else in its step ``plusklas`` (the
    default route's, whose role is ``plusklas``)."""
    steps = {t.dest for t in route.triggers.values() if any(g.name == PLACE_GUARD for g in t.guards)}
    if not steps and PLACE_STEP in route.steps:
        steps = {PLACE_STEP}
    return frozenset(role for step in steps for role in route.steps[step].turn_roles)


@dataclass(frozen=True)
class PlacementInfo(JsonMixin):
    id: int
    case_id: int
    pupil: str | None  # None when the person may not see the case
    school: str
    location: str
    status: str
    requested_on: date
    start_on: date | None
    end_on: date | None
    days: str
    position: int | None  # place on the waiting list (1 = next)


@dataclass(frozen=True)
class ServesInfo(JsonMixin):
    school: str
    travel_minutes: int | None
    distance_km: float | None


@dataclass(frozen=True)
class LocationInfo(JsonMixin):
    id: int
    name: str
    school: str | None
    days: str
    places: int
    occupied: int
    free: int
    waiting: int
    serves: tuple[ServesInfo, ...]
    placements: tuple[PlacementInfo, ...]  # placed and waiting, of cases the person may see


class PlusklasService:
    """Use cases of Plus-klas places (``Services.plusklas``)."""

    def __init__(self, services: Services) -> None:
        self.s = services

    # ------------------------------------------------------------------ helpers
    def _location(self, session: Session, location: str | int, *, lock: bool = False) -> PlusklasLocation:
        key = str(location).strip()
        stmt = select(PlusklasLocation)
        stmt = stmt.where(PlusklasLocation.id == int(key)) if key.isdigit() else stmt.where(
            func.lower(PlusklasLocation.name) == key.lower())
        row = session.scalar(stmt.with_for_update() if lock else stmt)
        if row is None:
            raise NotFound(f"Plus-klaslocatie '{location}' is niet bekend (geef naam of nummer).")
        return row

    @staticmethod
    def _occupied(session: Session, location_id: int) -> int:
        return session.scalar(select(func.count()).select_from(PlusklasPlacement).where(
            PlusklasPlacement.location_id == location_id, PlusklasPlacement.status == PLACED)) or 0

    def _runs_places(self, actor: Actor) -> bool:
        """The SWV (a role that sees the SWV's cases) and the Plus-klas run the places."""
        route = self.s.route
        return access.sees_swv(actor, route) or bool(plusklas_roles(route) & set(actor.roles))

    def _case(self, session: Session, actor: Actor, case_id: int) -> Case:
        case = session.get(Case, int(case_id))
        if case is None:
            raise NotFound(f"Casus {case_id} bestaat niet.")
        if not access.can_see(session, actor, case.id, self.s.route, self.s.today()):
            raise AccessDenied(f"U ({actor.name}) heeft geen toegang tot casus {case_id}.")
        if not (self._runs_places(actor) or access.manages_school(actor, case.school_id, self.s.route)):
            raise AccessDenied(f"U ({actor.name}) kunt geen Plus-klasplaats regelen: dat doen de "
                               "Plus-klas, het SWV en de IB of directie van de school.")
        return case

    def _waiting(self, session: Session, location_id: int) -> list[PlusklasPlacement]:
        return list(session.scalars(
            select(PlusklasPlacement)
            .where(PlusklasPlacement.location_id == location_id, PlusklasPlacement.status == WAITING)
            .order_by(PlusklasPlacement.requested_on, PlusklasPlacement.id)))

    def _placement_info(self, session: Session, p: PlusklasPlacement, position: int | None,
                        visible: bool = True) -> PlacementInfo:
        case = session.get(Case, p.case_id)
        pupil = session.get(Pupil, case.pupil_id) if case and visible else None
        school = session.get(School, case.school_id) if case else None
        loc = session.get(PlusklasLocation, p.location_id)
        return PlacementInfo(id=p.id, case_id=p.case_id, pupil=pupil.name if pupil else None,
                             school=school.name if school else "?", location=loc.name if loc else "?",
                             status=p.status, requested_on=p.requested_on, start_on=p.start_on,
                             end_on=p.end_on, days=p.days, position=position)

    # ------------------------------------------------------------------ use cases
    def add_location(self, actor: Actor, name: str, *, places: int, school: str | int | None = None,
                     days: str = "", serves: Sequence[tuple[Any, ...]] = ()) -> LocationInfo:
        """A new location; ``serves``: (school, travel minutes or None[, distance in km]). The host
        school is served too (0 minutes)."""
        if not self._runs_places(actor):
            raise AccessDenied(f"U ({actor.name}) kunt geen Plus-klaslocatie toevoegen: dat doen het SWV "
                               "en de Plus-klas.")
        check_name(name, "Naam van de locatie")
        check_text(days, "Dagen", required=False)
        if not isinstance(places, int) or places < 1:
            raise InvalidInput(f"Aantal plaatsen moet een positief geheel getal zijn, niet {places!r}.")
        with self.s._uow() as uow:
            session = uow.session
            if session.scalar(select(PlusklasLocation.id).where(
                    func.lower(PlusklasLocation.name) == name.strip().lower())):
                raise InvalidInput(f"Er is al een Plus-klaslocatie '{name}'.")
            host = self.s._school(session, school) if school not in (None, "") else None
            row = PlusklasLocation(name=name.strip(), school_id=host.id if host else None, days=days.strip(),
                                   places=places, created_at=self.s.now())
            session.add(row)
            session.flush()
            served: dict[int, tuple[int | None, float | None]] = {host.id: (0, 0.0)} if host else {}
            for school_key, minutes, *rest in serves:
                km = rest[0] if rest else None
                if minutes is not None and (not isinstance(minutes, int) or minutes < 0):
                    raise InvalidInput(f"Reistijd moet een geheel aantal minuten zijn, niet {minutes!r}.")
                if km is not None and (not isinstance(km, int | float) or km < 0):
                    raise InvalidInput(f"Afstand moet een getal in kilometers zijn, niet {km!r}.")
                served[self.s._school(session, school_key).id] = (minutes, km)
            for sid, (minutes, km) in served.items():
                session.add(PlusklasServes(location_id=row.id, school_id=sid, travel_minutes=minutes,
                                           distance_km=km))
            session.flush()
            uow.commit()
            location_id = row.id
        return next(loc for loc in self.list(actor) if loc.id == location_id)

    def place(self, actor: Actor, case_id: int, location: str | int, *, start: str | date | None = None,
              days: str = "", requested: str | date | None = None) -> PlacementInfo:
        """Place the case when a place is free and it is first in line; else put it on the waiting list.

        ``requested``: when the place was asked for, if earlier than today (its place in line)."""
        check_text(days, "Dagen", required=False)
        start_on = parse_date(start, "Startdatum") if start else self.s.today()
        asked = parse_date(requested, "Aangevraagd op") if requested else self.s.today()
        if asked > self.s.today():
            raise InvalidInput("De datum van aanvraag ligt in de toekomst.")
        if start_on < asked:
            raise InvalidInput("De startdatum ligt voor de aanvraag.")
        with self.s._uow() as uow:
            session = uow.session
            case = self._case(session, actor, case_id)
            loc = self._location(session, location, lock=True)  # one placement at a time per location
            if session.get(PlusklasServes, (loc.id, case.school_id)) is None:
                school = session.get(School, case.school_id)
                raise InvalidInput(f"{loc.name} bedient {school.name if school else 'deze school'} niet.")
            mine = session.scalars(select(PlusklasPlacement).where(
                PlusklasPlacement.case_id == case.id, PlusklasPlacement.status.in_((WAITING, PLACED)))).all()
            if any(p.status == PLACED for p in mine):
                raise InvalidInput(f"Casus {case.id} heeft al een plaats in de Plus-klas.")
            entry = next((p for p in mine if p.location_id == loc.id), None)
            if entry is None:
                entry = PlusklasPlacement(location_id=loc.id, case_id=case.id, status=WAITING,
                                          requested_on=asked, days=days.strip(),
                                          created_by_id=actor.id, created_at=self.s.now())
                session.add(entry)
                session.flush()
            queue = self._waiting(session, loc.id)
            first = queue[0].id == entry.id if queue else True
            position: int | None = None
            if first and self._occupied(session, loc.id) < loc.places:
                entry.status, entry.start_on = PLACED, start_on
                if days.strip():
                    entry.days = days.strip()
                for other in mine:  # placed here: off the other locations' lists
                    if other.id != entry.id:
                        other.status, other.end_on = ENDED, self.s.today()
            else:
                position = [p.id for p in queue].index(entry.id) + 1
            self.s._touch(case)
            self.s._seal(session, case, "plusklas", actor, [entry, *(p for p in mine if p.id != entry.id)])
            info = self._placement_info(session, entry, position)
            uow.commit()
            return info

    def leave(self, actor: Actor, case_id: int, *, on: str | date | None = None) -> PlacementInfo:
        """End the case's placement (or take it off the waiting list)."""
        end_on = parse_date(on, "Einddatum") if on else self.s.today()
        with self.s._uow() as uow:
            session = uow.session
            case = self._case(session, actor, case_id)
            entry = session.scalar(select(PlusklasPlacement).where(
                PlusklasPlacement.case_id == case.id, PlusklasPlacement.status.in_((PLACED, WAITING)))
                .order_by(PlusklasPlacement.status == WAITING))  # a placement before a waiting entry
            if entry is None:
                raise InvalidInput(f"Casus {case.id} heeft geen plaats en staat niet op een wachtlijst.")
            if entry.start_on is not None and end_on < entry.start_on:
                raise InvalidInput("De einddatum ligt voor de start van de plaatsing.")
            entry.status, entry.end_on = ENDED, end_on
            self.s._touch(case)
            self.s._seal(session, case, "plusklas", actor, [entry])
            info = self._placement_info(session, entry, None)
            uow.commit()
            return info

    def list(self, actor: Actor | None) -> list[LocationInfo]:
        """Every location with its occupancy; placements and the waiting list of visible cases."""
        today = self.s.today()
        with self.s._uow(write=False) as uow:
            session = uow.session
            visible = set(session.scalars(
                select(PlusklasPlacement.case_id).join(Case, Case.id == PlusklasPlacement.case_id)
                .where(PlusklasPlacement.status.in_((PLACED, WAITING)),
                       access.visible_clause(actor, self.s.route, today))))
            out = []
            for loc in session.scalars(select(PlusklasLocation).order_by(PlusklasLocation.name)):
                host = session.get(School, loc.school_id) if loc.school_id else None
                serves = tuple(
                    ServesInfo(school=name, travel_minutes=m, distance_km=km)
                    for name, m, km in session.execute(
                        select(School.name, PlusklasServes.travel_minutes, PlusklasServes.distance_km)
                        .join(PlusklasServes, PlusklasServes.school_id == School.id)
                        .where(PlusklasServes.location_id == loc.id).order_by(School.name)))
                placed = list(session.scalars(select(PlusklasPlacement).where(
                    PlusklasPlacement.location_id == loc.id, PlusklasPlacement.status == PLACED)
                    .order_by(PlusklasPlacement.start_on, PlusklasPlacement.id)))
                queue = self._waiting(session, loc.id)
                shown: list[Any] = [self._placement_info(session, p, None) for p in placed
                                    if p.case_id in visible]
                shown += [self._placement_info(session, p, i) for i, p in enumerate(queue, 1)
                          if p.case_id in visible]
                out.append(LocationInfo(
                    id=loc.id, name=loc.name, school=host.name if host else None, days=loc.days,
                    places=loc.places, occupied=len(placed), free=max(0, loc.places - len(placed)),
                    waiting=len(queue), serves=serves, placements=tuple(shown)))
            return out
