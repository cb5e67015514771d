"""The route the database keeps, which route each case ran under, joint-turn confirmations, and the
school-year rollover with what undoes it."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from kindroute.store.models import NAME_MAX, TEXT_MAX, Base  # noqa: F401


class RouteVersion(Base):
    """A route the database has used: stored when the database was first used or a route was
    installed. The newest row is the route in use; older rows replay the cases that ran under them."""

    __tablename__ = "routes"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(NAME_MAX * 2))
    version: Mapped[str] = mapped_column(String(50), unique=True)
    #: SHA-256 of ``content``.
    hash: Mapped[str] = mapped_column(String(64), unique=True)
    #: The route file's text, exactly as read.
    content: Mapped[str] = mapped_column(Text)
    installed_at: Mapped[datetime] = mapped_column(DateTime)
    #: Who installed it (None: stored when the database was first used).
    installed_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))


class CaseRoute(Base):
    """Which route a case ran under from which history event on (``from_seq`` 0: from the start).

    A case without rows ran under the database's first route."""

    __tablename__ = "case_routes"

    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), primary_key=True)
    from_seq: Mapped[int] = mapped_column(Integer, primary_key=True)
    route_id: Mapped[int] = mapped_column(ForeignKey("routes.id"))


class TurnConfirmation(Base):
    """One role's confirmation of a step with a joint turn (``turn = "all"``)."""

    __tablename__ = "turn_confirmations"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    track: Mapped[str] = mapped_column(String(50))
    step: Mapped[str] = mapped_column(String(50))
    #: ``entered_seq`` of the visit of the step this confirmation belongs to.
    visit: Mapped[int] = mapped_column(Integer)
    trigger: Mapped[str] = mapped_column(String(50))
    role: Mapped[str] = mapped_column(String(50))
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"))
    at: Mapped[datetime] = mapped_column(DateTime)

    __table_args__ = (UniqueConstraint("case_id", "track", "visit", "trigger", "role"),)
# --- everyday: the school-year rollover and what undoes it


class SchoolYear(Base):
    """A school moved up a year (``kindroute schoolyear start``): who, when, and the school's
    state right after, so it can be undone as long as nothing changed since."""

    __tablename__ = "school_years"
    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id"))
    #: The first calendar year of the school year (2026 for 2026-2027).
    year: Mapped[int] = mapped_column(Integer)
    started_at: Mapped[datetime] = mapped_column(DateTime)
    started_by_id: Mapped[int] = mapped_column(ForeignKey("people.id"))
    #: SHA-256 over the school's pupils and cases right after the rollover.
    fingerprint: Mapped[str] = mapped_column(String(64))
    undone_at: Mapped[datetime | None] = mapped_column(DateTime)
    undone_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))

    __table_args__ = (Index("ix_school_years_school_year", "school_id", "year"),)


class SchoolYearChange(Base):
    """One pupil's change in a rollover: the group before and after, the day they left, the
    notes added to their open cases. No foreign keys to pupils or notes: a retention purge
    may remove those later (an undo is long impossible by then)."""

    __tablename__ = "school_year_changes"
    id: Mapped[int] = mapped_column(primary_key=True)
    school_year_id: Mapped[int] = mapped_column(ForeignKey("school_years.id", ondelete="CASCADE"), index=True)
    pupil_id: Mapped[int] = mapped_column(Integer)
    old_group: Mapped[int] = mapped_column(Integer)
    new_group: Mapped[int] = mapped_column(Integer)
    old_left_on: Mapped[date | None] = mapped_column(Date)
    new_left_on: Mapped[date | None] = mapped_column(Date)
    #: Space-separated ids of the notes the rollover added.
    note_ids: Mapped[str] = mapped_column(Text, default="")
