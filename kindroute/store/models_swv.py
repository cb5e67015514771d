"""The SWV's view: the verbeterbord, retrospectives, the sociale kaart and Plus-klas places."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from kindroute.store.models import NAME_MAX, Base, Person, School

# Improvement actions (verbeterbord), retrospectives, the sociale kaart and Plus-klas places.


class BoardAction(Base):
    """An improvement action on the verbeterbord, at the level of a school or (no school) the SWV."""

    __tablename__ = "board_actions"
    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int | None] = mapped_column(ForeignKey("schools.id"), index=True)
    goal: Mapped[str] = mapped_column(Text, default="")
    action: Mapped[str] = mapped_column(Text)
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    due_on: Mapped[date | None] = mapped_column(Date)
    #: idee | doen | bezig | klaar
    status: Mapped[str] = mapped_column(String(10), default="idee", index=True)
    #: A step of the route this action improves, if any.
    step: Mapped[str | None] = mapped_column(String(50))
    success: Mapped[str] = mapped_column(Text, default="")
    created_by_id: Mapped[int] = mapped_column(ForeignKey("people.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime)
    updated_at: Mapped[datetime] = mapped_column(DateTime)
    done_at: Mapped[datetime | None] = mapped_column(DateTime)

    owner: Mapped[Person | None] = relationship(foreign_keys=[owner_id])
    school: Mapped[School | None] = relationship()


class Retrospective(Base):
    """A retrospective of the improvement team: what went well, what can be better, actions."""

    __tablename__ = "retrospectives"
    id: Mapped[int] = mapped_column(primary_key=True)
    held_on: Mapped[date] = mapped_column(Date)
    school_id: Mapped[int | None] = mapped_column(ForeignKey("schools.id"))
    went_well: Mapped[str] = mapped_column(Text, default="")
    can_be_better: Mapped[str] = mapped_column(Text, default="")
    actions: Mapped[str] = mapped_column(Text, default="")
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("people.id"))
    recorded_at: Mapped[datetime] = mapped_column(DateTime)


class Partner(Base):
    """A partner organisation on the sociale kaart (jeugdhulp, GGD, kinderopvang, SO-school…)."""

    __tablename__ = "partners"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(NAME_MAX * 2), unique=True)
    kind: Mapped[str] = mapped_column(String(30), index=True)
    contact: Mapped[str] = mapped_column(String(NAME_MAX * 2), default="")
    #: How to reach them: phone, e-mail, address — as typed.
    reach: Mapped[str] = mapped_column(Text, default="")
    #: Agreed meeting moments, as typed ("elke 1e dinsdag, MDO-spreekuur").
    meetings: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(DateTime)


class PartnerSchool(Base):
    """A school a partner serves."""

    __tablename__ = "partner_schools"
    partner_id: Mapped[int] = mapped_column(ForeignKey("partners.id", ondelete="CASCADE"), primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id"), primary_key=True, index=True)


class PartnerPerson(Base):
    """A person in kindroute who works for (or with) a partner."""

    __tablename__ = "partner_people"
    partner_id: Mapped[int] = mapped_column(ForeignKey("partners.id", ondelete="CASCADE"), primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), primary_key=True)


class PlusklasLocation(Base):
    """A Plus-klas location: where, on which days, how many places."""

    __tablename__ = "plusklas_locations"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(NAME_MAX * 2), unique=True)
    #: The school that hosts the class.
    school_id: Mapped[int | None] = mapped_column(ForeignKey("schools.id"))
    days: Mapped[str] = mapped_column(String(50), default="")
    places: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(DateTime)


class PlusklasServes(Base):
    """A school a Plus-klas location serves, with the travel time or distance when known."""

    __tablename__ = "plusklas_serves"
    location_id: Mapped[int] = mapped_column(
        ForeignKey("plusklas_locations.id", ondelete="CASCADE"), primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id"), primary_key=True, index=True)
    travel_minutes: Mapped[int | None] = mapped_column(Integer)
    distance_km: Mapped[float | None] = mapped_column(Float)


class PlusklasPlacement(Base):
    """A case's request for a place (waiting), its placement, and its end."""

    __tablename__ = "plusklas_placements"
    id: Mapped[int] = mapped_column(primary_key=True)
    location_id: Mapped[int] = mapped_column(ForeignKey("plusklas_locations.id"))
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    #: wachtend | geplaatst | beeindigd
    status: Mapped[str] = mapped_column(String(12), default="wachtend")
    requested_on: Mapped[date] = mapped_column(Date)
    start_on: Mapped[date | None] = mapped_column(Date)
    end_on: Mapped[date | None] = mapped_column(Date)
    days: Mapped[str] = mapped_column(String(50), default="")
    created_by_id: Mapped[int] = mapped_column(ForeignKey("people.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime)

    __table_args__ = (Index("ix_plusklas_placements_location_status", "location_id", "status"),)
