"""The monitor's figures kept on write: insert-only count rows, summed when read.

Every row is a delta (``n`` is +1, -1, or a folded sum). Database triggers add them in the
same transaction as the change (see :mod:`kindroute.store.figures`), so no writer updates a
shared counter row: fifty sessions stepping at once only insert.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import Date, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from kindroute.store.models import Base


class ReportCount(Base):
    """What the history says, per school and month of the event.

    ``kind``: ``move`` (an event from ``step`` to ``to_step``), ``stay`` (``step`` left after
    ``days`` days), ``lead`` (first arrival in ``step``, ``days`` after the case opened) and
    ``open`` (a case opened in ``month``)."""

    __tablename__ = "report_counts"
    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(5))
    school_id: Mapped[int] = mapped_column(Integer)
    track: Mapped[str] = mapped_column(String(50), default="")
    step: Mapped[str] = mapped_column(String(50), default="")
    to_step: Mapped[str] = mapped_column(String(50), default="")
    month: Mapped[str] = mapped_column(String(7))
    days: Mapped[int] = mapped_column(Integer, default=0)
    n: Mapped[int] = mapped_column(Integer)

    __table_args__ = (
        # the report reads one kind over a run of months from this index alone
        Index("ix_report_counts_kind_month", "kind", "month", "school_id", "step", "to_step", "days", "n"),
    )


class ReportNow(Base):
    """Where cases stand now, per school, track, step, deadline, case status and whether someone
    is at turn: the stroomschema's counts and the monitor's "now" and "overdue"."""

    __tablename__ = "report_now"
    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(Integer)
    track: Mapped[str] = mapped_column(String(50))
    step: Mapped[str] = mapped_column(String(50))
    deadline: Mapped[date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(20))
    turn: Mapped[int] = mapped_column(Integer)  # 1: someone is at turn
    n: Mapped[int] = mapped_column(Integer)

    __table_args__ = (
        Index("ix_report_now_school", "school_id", "track", "step", "status", "turn", "deadline", "n"),
    )
