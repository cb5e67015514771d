"""Meetings (besprekingen): the meeting, its attendees, its agenda items and what was done for them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    Boolean,
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


class Meeting(Base):
    """A bespreking: a kind, a moment, a chair, attendees and an agenda of cases.

    ``status`` goes open -> closed; a closed meeting changes only by its ``addendum``.
    ``position`` is the agenda item the chair was at (the walk resumes there).
    """

    __tablename__ = "meetings"
    id: Mapped[int] = mapped_column(primary_key=True)
    #: groepsbespreking | leerlingbespreking | mdo | oudergesprek | overdracht
    kind: Mapped[str] = mapped_column(String(30))
    held_at: Mapped[datetime] = mapped_column(DateTime)
    school_id: Mapped[int | None] = mapped_column(ForeignKey("schools.id"))
    chair_id: Mapped[int] = mapped_column(ForeignKey("people.id"))
    status: Mapped[str] = mapped_column(String(20), default="open")
    created_at: Mapped[datetime] = mapped_column(DateTime)
    closed_at: Mapped[datetime | None] = mapped_column(DateTime)
    position: Mapped[int] = mapped_column(Integer, default=0)
    addendum: Mapped[str] = mapped_column(Text, default="")

    __table_args__ = (Index("ix_meetings_status_held", "status", "held_at"),
                      Index("ix_meetings_kind_held", "kind", "held_at"))


class MeetingAttendee(Base):
    """Someone at the table: a person, or a parent by name as given; each with a role."""

    __tablename__ = "meeting_attendees"
    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"), index=True)
    person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"), index=True)
    name: Mapped[str] = mapped_column(String(NAME_MAX * 2))
    role: Mapped[str] = mapped_column(String(50))


class MeetingItem(Base):
    """One case on a meeting's agenda, at ``position`` (0, 1, … in the chair's order).

    ``discussed``: None not yet, True besproken, False niet aan toegekomen.
    """

    __tablename__ = "meeting_items"
    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"))
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    conclusion: Mapped[str] = mapped_column(Text, default="")
    notes: Mapped[str] = mapped_column(Text, default="")
    parents_view: Mapped[str] = mapped_column(Text, default="")
    pupil_view: Mapped[str] = mapped_column(Text, default="")
    discussed: Mapped[bool | None] = mapped_column(Boolean)
    updated_at: Mapped[datetime | None] = mapped_column(DateTime)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))

    __table_args__ = (
        UniqueConstraint("meeting_id", "case_id"),
        # the walk reads one item by its position: one index step, however long the agenda
        Index("ix_meeting_items_meeting_position", "meeting_id", "position"),
    )


class MeetingRecord(Base):
    """What was done for an item during the meeting: an agreement made, a step taken.

    ``ref_id`` is the agreement's id, or the step's ``case_events.seq``.
    """

    __tablename__ = "meeting_records"
    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("meeting_items.id", ondelete="CASCADE"), index=True)
    #: agreement | step
    kind: Mapped[str] = mapped_column(String(20))
    ref_id: Mapped[int] = mapped_column(Integer)
    at: Mapped[datetime] = mapped_column(DateTime)
