"""What is decided about the child: goals, the OPP as versions, instemming, hoorrecht, decision
periods."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    Date,
    DateTime,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from kindroute.store.models import NAME_MAX, TEXT_MAX, Base  # noqa: F401


class Goal(Base):
    """A goal of the plan (handelingsgericht werken): area, goal, approach, who, evaluation date."""

    __tablename__ = "goals"
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    area: Mapped[str] = mapped_column(String(NAME_MAX))
    goal: Mapped[str] = mapped_column(Text)
    approach: Mapped[str] = mapped_column(Text, default="")
    #: Who works on it: a role of the route (parents included) or a person.
    who_role: Mapped[str | None] = mapped_column(String(50))
    who_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    start_on: Mapped[date] = mapped_column(Date)
    evaluate_on: Mapped[date] = mapped_column(Date)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("people.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime)


class GoalEvaluation(Base):
    """An evaluation of a goal: behaald | deels | niet, with a note, by whom."""

    __tablename__ = "goal_evaluations"
    id: Mapped[int] = mapped_column(primary_key=True)
    goal_id: Mapped[int] = mapped_column(ForeignKey("goals.id"), index=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    evaluated_on: Mapped[date] = mapped_column(Date)
    result: Mapped[str] = mapped_column(String(20))
    note: Mapped[str] = mapped_column(Text, default="")
    by_id: Mapped[int] = mapped_column(ForeignKey("people.id"))
    at: Mapped[datetime] = mapped_column(DateTime)


class OppVersion(Base):
    """One version of a case's OPP. Adjusting an adopted OPP makes a new (concept) version."""

    __tablename__ = "opp_versions"
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    #: concept | vastgesteld
    status: Mapped[str] = mapped_column(String(20), default="concept")
    uitstroomprofiel: Mapped[str] = mapped_column(Text, default="")
    reasons: Mapped[str] = mapped_column(Text, default="")
    stimulerend: Mapped[str] = mapped_column(Text, default="")
    belemmerend: Mapped[str] = mapped_column(Text, default="")
    #: The handelingsdeel besides its goals: support, who gives it, how long.
    support: Mapped[str] = mapped_column(Text, default="")
    support_who: Mapped[str] = mapped_column(Text, default="")
    duration: Mapped[str] = mapped_column(Text, default="")
    created_by_id: Mapped[int] = mapped_column(ForeignKey("people.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime)
    adopted_on: Mapped[date | None] = mapped_column(Date)
    adopted_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))

    __table_args__ = (UniqueConstraint("case_id", "version"),)


class OppGoal(Base):
    """A goal in the handelingsdeel of one OPP version."""

    __tablename__ = "opp_goals"
    opp_version_id: Mapped[int] = mapped_column(ForeignKey("opp_versions.id"), primary_key=True)
    goal_id: Mapped[int] = mapped_column(ForeignKey("goals.id"), primary_key=True)


class OppInstemming(Base):
    """The parents' instemming on the handelingsdeel of one OPP version."""

    __tablename__ = "opp_instemming"
    id: Mapped[int] = mapped_column(primary_key=True)
    opp_version_id: Mapped[int] = mapped_column(ForeignKey("opp_versions.id"), index=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    given_on: Mapped[date] = mapped_column(Date)
    given_by: Mapped[str] = mapped_column(String(NAME_MAX * 2))
    #: eens | oneens | deels
    outcome: Mapped[str] = mapped_column(String(20))
    #: What follows when the parents do not (fully) agree.
    note: Mapped[str] = mapped_column(Text, default="")
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("people.id"))
    recorded_at: Mapped[datetime] = mapped_column(DateTime)


class OppHoorrecht(Base):
    """The pupil heard on one OPP version: their view in their own words, and how it was weighed."""

    __tablename__ = "opp_hoorrecht"
    id: Mapped[int] = mapped_column(primary_key=True)
    opp_version_id: Mapped[int] = mapped_column(ForeignKey("opp_versions.id"), index=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    heard_on: Mapped[date] = mapped_column(Date)
    view: Mapped[str] = mapped_column(Text)
    weighed: Mapped[str] = mapped_column(Text, default="")
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("people.id"))
    recorded_at: Mapped[datetime] = mapped_column(DateTime)


class DecisionPeriod(Base):
    """Period and details of an SWV decision (arrangement or TLV), kept beside its document.

    Read only: these are now fields of the route's ``arrangement`` and ``tlv`` decisions
    (``documents.fields_json``). Rows recorded before still count as those fields; they are not
    moved there, because documents are sealed in the keyed history and rewriting them would show
    as a change outside kindroute in ``audit verify``."""

    __tablename__ = "decision_periods"
    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id"), unique=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    #: arrangement | tlv
    kind: Mapped[str] = mapped_column(String(20))
    start_on: Mapped[date] = mapped_column(Date)
    end_on: Mapped[date] = mapped_column(Date)
    #: arrangement: hours or kind of support
    support: Mapped[str] = mapped_column(Text, default="")
    #: tlv: sbo | so, and for SO the category laag | midden | hoog
    tlv_type: Mapped[str | None] = mapped_column(String(10))
    tlv_category: Mapped[str | None] = mapped_column(String(10))
    #: tlv: the school year it is to be used in, e.g. 2026-2027
    school_year: Mapped[str | None] = mapped_column(String(20))
    bezwaar_until: Mapped[date | None] = mapped_column(Date)
