"""ORM models: the whole schema of kindroute, typed SQLAlchemy 2.x.

The schema is changed only through Alembic migrations (``store/migrations``).
History (``case_events``) is append-only: no code path updates or deletes it,
except the retention purge, which is itself recorded in ``purge_log``.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

#: Limits on free text, checked by the services with a clear message.
NAME_MAX = 100
TEXT_MAX = 10_000


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class Meta(Base):
    """Key/value facts about the database itself (application marker, route in use)."""

    __tablename__ = "kindroute_meta"
    key: Mapped[str] = mapped_column(String(50), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


class School(Base):
    __tablename__ = "schools"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(NAME_MAX * 2))
    brin: Mapped[str | None] = mapped_column(String(6), unique=True)


class Person(Base):
    """Someone who works on cases: staff of a school, the SWV or a partner organisation."""

    __tablename__ = "people"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(NAME_MAX * 2))
    organisation: Mapped[str | None] = mapped_column(String(NAME_MAX * 2))
    #: Space-separated role ids this person can hold (e.g. "ib directeur").
    roles: Mapped[str] = mapped_column(String(200), default="")
    school_id: Mapped[int | None] = mapped_column(ForeignKey("schools.id"))
    #: argon2 hash, only for shared databases; never a password in clear.
    password_hash: Mapped[str | None] = mapped_column(String(200))
    #: Database login name mapped to this person on a shared database.
    db_login: Mapped[str | None] = mapped_column(String(100), unique=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime)

    school: Mapped[School | None] = relationship()

    @property
    def role_ids(self) -> list[str]:
        return self.roles.split()


class Pupil(Base):
    """A pupil: name, date of birth, group, school. Deliberately no BSN."""

    __tablename__ = "pupils"
    id: Mapped[int] = mapped_column(primary_key=True)
    #: The name exactly as entered; the parts below are derived for sorting.
    name: Mapped[str] = mapped_column(String(NAME_MAX * 3))
    first_name: Mapped[str] = mapped_column(String(NAME_MAX))
    tussenvoegsel: Mapped[str] = mapped_column(String(20), default="")
    last_name: Mapped[str] = mapped_column(String(NAME_MAX))
    #: Lower-cased, accent-free name as typed (the name filter itself uses ``pupil_words``).
    search_name: Mapped[str] = mapped_column(String(NAME_MAX * 3))
    date_of_birth: Mapped[date] = mapped_column(Date)
    group: Mapped[int] = mapped_column(Integer)
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id"), index=True)
    #: When the pupil left the school (starts the retention clock).
    left_school_on: Mapped[date | None] = mapped_column(Date)

    school: Mapped[School] = relationship()

    #: Lower-cased, accent-free "last first" for sorting on the surname.
    sort_name: Mapped[str] = mapped_column(String(NAME_MAX * 3), index=True)

    words: Mapped[list[PupilWord]] = relationship(cascade="all, delete-orphan", passive_deletes=True)

    #: the identity an import and a new case look a pupil up by
    __table_args__ = (Index("uq_pupils_identity", "name", "date_of_birth", "school_id", unique=True),)


class PupilWord(Base):
    """The words of a pupil's name (folded, see ``services.text.name_words``), for a name
    filter that finds "the start of a word" through an index instead of scanning every pupil."""

    __tablename__ = "pupil_words"
    pupil_id: Mapped[int] = mapped_column(ForeignKey("pupils.id", ondelete="CASCADE"), primary_key=True)
    #: Compared byte-wise ("C" collation on PostgreSQL) so a prefix is a range of the index.
    word: Mapped[str] = mapped_column(
        String(NAME_MAX * 3).with_variant(String(NAME_MAX * 3, collation="C"), "postgresql"),
        primary_key=True,
    )

    __table_args__ = (Index("ix_pupil_words_word", "word", "pupil_id"),)


class Case(Base):
    """A pupil's journey through the route. ``version`` guards against lost updates."""

    __tablename__ = "cases"
    id: Mapped[int] = mapped_column(primary_key=True)
    pupil_id: Mapped[int] = mapped_column(ForeignKey("pupils.id"))
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id"), index=True)
    #: open | closed | referred (final step reached)
    status: Mapped[str] = mapped_column(String(20), default="open", index=True)
    opened_at: Mapped[datetime] = mapped_column(DateTime)
    opened_by_id: Mapped[int] = mapped_column(ForeignKey("people.id"))
    closed_at: Mapped[datetime | None] = mapped_column(DateTime)
    updated_at: Mapped[datetime | None] = mapped_column(DateTime)
    route_version: Mapped[str] = mapped_column(String(50), default="")
    #: Zorgplicht clock: date the written registration (aanmelding) was received.
    registered_on: Mapped[date | None] = mapped_column(Date)
    zorgplicht_extended: Mapped[bool] = mapped_column(Boolean, default=False)
    #: The decision that stops the zorgplicht clock (plaatsen | niet_plaatsen | andere_school).
    zorgplicht_decision: Mapped[str | None] = mapped_column(String(30))
    zorgplicht_decided_on: Mapped[date | None] = mapped_column(Date)
    #: The earliest due date of all the case's clocks (``services.clocks``), kept by every
    #: service that changes a clock, so lists sort and filter on it from an index.
    next_due: Mapped[date | None] = mapped_column(Date)
    #: Hash of the newest history event: the head of this case's chain.
    history_head: Mapped[str] = mapped_column(String(64), default="")
    history_count: Mapped[int] = mapped_column(Integer, default=0)
    #: 1: only steps are in the history (a case from before the keyed history); 2: every record is.
    history_scheme: Mapped[int] = mapped_column(Integer, default=2, server_default="1")
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)

    #: The services raise ``version`` by one on every change to a case (or anything in it);
    #: the UPDATE carries ``WHERE version = <old>``, so a stale writer fails.
    __mapper_args__ = {"version_id_col": version, "version_id_generator": False}
    #: a school's open cases are counted from this index alone
    __table_args__ = (
        Index("ix_cases_school_status", "school_id", "status"),
        # a pupil's cases with what the list filters ask of them, without reading the rows
        Index("ix_cases_pupil_status_school", "pupil_id", "status", "school_id"),
        # lists by the earliest clock walk this index and stop at a page
        Index("ix_cases_next_due", "next_due", "id"),
        # one open case per pupil, also when two people open one at the same moment
        Index("uq_cases_open_pupil", "pupil_id", unique=True, sqlite_where=text("status = 'open'"),
              postgresql_where=text("status = 'open'")),
    )

    pupil: Mapped[Pupil] = relationship()
    school: Mapped[School] = relationship()
    tracks: Mapped[list[CaseTrack]] = relationship(
        back_populates="case", cascade="all, delete-orphan", order_by="CaseTrack.track"
    )


class CaseTrack(Base):
    """Where a case stands on one track of the route (school, jeugdhulp, …)."""

    __tablename__ = "case_tracks"
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), primary_key=True)
    track: Mapped[str] = mapped_column(String(50), primary_key=True)
    step: Mapped[str] = mapped_column(String(50))
    entered_at: Mapped[datetime] = mapped_column(DateTime)
    deadline: Mapped[date | None] = mapped_column(Date)
    #: Role at turn in this step (from the route when the step was entered); None when final.
    at_turn_role: Mapped[str | None] = mapped_column(String(50))
    #: ``seq`` of the history event that entered this step (0: the case opened here).
    entered_seq: Mapped[int] = mapped_column(Integer, default=0)

    case: Mapped[Case] = relationship(back_populates="tracks")

    __table_args__ = (
        # with the deadline: the monitor counts cases now and overdue per step from this index alone
        Index("ix_case_tracks_track_step", "track", "step", "deadline"),
        # case_id last: lists ordered by deadline (then case) walk this index and stop at a page
        Index("ix_case_tracks_track_deadline", "track", "deadline", "case_id"),
        Index("ix_case_tracks_role", "at_turn_role", "track"),
    )


class Assignment(Base):
    """A person holding a role on a case, from ``started_at`` until ``ended_at`` (history kept)."""

    __tablename__ = "assignments"
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"))
    role: Mapped[str] = mapped_column(String(50))
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"))
    started_at: Mapped[datetime] = mapped_column(DateTime)
    ended_at: Mapped[datetime | None] = mapped_column(DateTime)
    assigned_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))

    person: Mapped[Person] = relationship(foreign_keys=[person_id])

    __table_args__ = (
        Index("ix_assignments_case_role", "case_id", "role"),
        # at most one person holds a role on a case at a time
        Index(
            "uq_assignments_active",
            "case_id",
            "role",
            unique=True,
            sqlite_where=text("ended_at IS NULL"),
            postgresql_where=text("ended_at IS NULL"),
        ),
        Index("ix_assignments_person_role", "person_id", "role"),
    )


class ConsentRecord(Base):
    """Consent to share the case with an outside role, for a purpose, for a period."""

    __tablename__ = "consents"
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    role: Mapped[str] = mapped_column(String(50))
    organisation: Mapped[str | None] = mapped_column(String(NAME_MAX * 2))
    purpose: Mapped[str] = mapped_column(String(500))
    given_by: Mapped[str] = mapped_column(String(NAME_MAX * 2))
    pupil_cosigned: Mapped[bool] = mapped_column(Boolean, default=False)
    valid_from: Mapped[date] = mapped_column(Date)
    valid_until: Mapped[date | None] = mapped_column(Date)
    withdrawn_on: Mapped[date | None] = mapped_column(Date)
    withdrawn_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    withdrawn_reason: Mapped[str | None] = mapped_column(Text)
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("people.id"))
    recorded_at: Mapped[datetime] = mapped_column(DateTime)


class Note(Base):
    __tablename__ = "notes"
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("people.id"))
    at: Mapped[datetime] = mapped_column(DateTime)
    step: Mapped[str | None] = mapped_column(String(50))
    text: Mapped[str] = mapped_column(Text)

    author: Mapped[Person] = relationship()


class Agreement(Base):
    """An agreement: who does what by when, done or not."""

    __tablename__ = "agreements"
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    what: Mapped[str] = mapped_column(Text)
    who_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    who_role: Mapped[str | None] = mapped_column(String(50))
    due_on: Mapped[date | None] = mapped_column(Date)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("people.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime)
    done_at: Mapped[datetime | None] = mapped_column(DateTime)
    done_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))

    who: Mapped[Person | None] = relationship(foreign_keys=[who_id])


class ChecklistTick(Base):
    """A checklist item of a step marked done (needed by the ``checklist_complete`` guard)."""

    __tablename__ = "checklist_ticks"
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    step: Mapped[str] = mapped_column(String(50))
    item: Mapped[str] = mapped_column(String(50))
    done_by_id: Mapped[int] = mapped_column(ForeignKey("people.id"))
    done_at: Mapped[datetime] = mapped_column(DateTime)
    #: Which visit of the step this tick belongs to (steps can be visited again).
    visit: Mapped[int] = mapped_column(Integer, default=0)

    __table_args__ = (UniqueConstraint("case_id", "step", "item", "visit"),)


class Document(Base):
    """A recorded document or decision: OPP vastgesteld, expert advice, SWV decision."""

    __tablename__ = "documents"
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    #: opp | deskundigenadvies | swv_besluit
    kind: Mapped[str] = mapped_column(String(30))
    #: e.g. vastgesteld (opp), toegekend/afgewezen (swv_besluit), the expert's name (advice)
    outcome: Mapped[str] = mapped_column(String(NAME_MAX * 2), default="")
    title: Mapped[str] = mapped_column(Text, default="")
    #: Step the case was in when this was recorded.
    step: Mapped[str | None] = mapped_column(String(50))
    author_id: Mapped[int] = mapped_column(ForeignKey("people.id"))
    at: Mapped[datetime] = mapped_column(DateTime)
    #: JSON object of a decision's fields (``[[decisions]] fields``), e.g. a TLV's category.
    fields_json: Mapped[str | None] = mapped_column(Text)


class CaseEvent(Base):
    """One change to a case: append-only, hash-chained per case and (scheme 2) across all cases.

    Scheme 1: a step, sealed with plain SHA-256 (``store.chain``). Scheme 2: any change (``kind``),
    sealed with HMAC-SHA256, with digests of the records it touched (``store.hmac_chain``).
    """

    __tablename__ = "case_events"
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"))
    seq: Mapped[int] = mapped_column(Integer)  # 1, 2, … per case
    track: Mapped[str] = mapped_column(String(50))
    from_step: Mapped[str] = mapped_column(String(50))
    to_step: Mapped[str] = mapped_column(String(50))
    trigger: Mapped[str] = mapped_column(String(50))
    actor_id: Mapped[int] = mapped_column(ForeignKey("people.id"))
    actor_name: Mapped[str] = mapped_column(String(NAME_MAX * 2))
    at: Mapped[datetime] = mapped_column(DateTime)
    note: Mapped[str] = mapped_column(Text, default="")
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))
    scheme: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    kind: Mapped[str] = mapped_column(String(20), default="step", server_default="step")
    records: Mapped[str] = mapped_column(Text, default="", server_default="")
    #: the global link of scheme 2 events: position, and the hash and case of the one before
    gseq: Mapped[int | None] = mapped_column(Integer)
    gprev: Mapped[str | None] = mapped_column(String(64))
    gprev_case: Mapped[int | None] = mapped_column(Integer)

    actor: Mapped[Person] = relationship()

    __table_args__ = (
        UniqueConstraint("case_id", "seq"),
        # covering the monitor's pass over a period's steps (entered, left, per month)
        Index("ix_case_events_at", "at", "from_step", "to_step", "case_id", "track", "seq"),
    )


class AccessLog(Base):
    """Reads of a case by an outside role (who, when, which case), chained with HMAC-SHA256."""

    __tablename__ = "access_log"
    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"))
    case_id: Mapped[int] = mapped_column(Integer, index=True)
    at: Mapped[datetime] = mapped_column(DateTime)
    action: Mapped[str] = mapped_column(String(30), default="read")
    seq: Mapped[int | None] = mapped_column(Integer)
    prev_hash: Mapped[str | None] = mapped_column(String(64))
    prev_case: Mapped[int | None] = mapped_column(Integer)
    hash: Mapped[str | None] = mapped_column(String(64))

    __table_args__ = (Index("uq_access_log_seq", "seq", unique=True),)


class PurgeLog(Base):
    """A retention purge: when, by whom, and anonymous counts of what was removed."""

    __tablename__ = "purge_log"
    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime)
    by_id: Mapped[int] = mapped_column(ForeignKey("people.id"))
    cases_removed: Mapped[int] = mapped_column(Integer)
    #: JSON: anonymous counts per school / final step / year closed.
    counts_json: Mapped[str] = mapped_column(Text, default="{}")
    #: the removed cases' ids (JSON), so the history's links to them are known to be gone on purpose
    case_ids: Mapped[str] = mapped_column(Text, default="", server_default="")
    mac: Mapped[str] = mapped_column(String(64), default="", server_default="")


# The models of each further part, defined beside this module and importable from here.
from kindroute.store.models_meetings import (  # noqa: E402, F401
    Meeting,
    MeetingAttendee,
    MeetingItem,
    MeetingRecord,
)
from kindroute.store.models_plan import (  # noqa: E402, F401
    DecisionPeriod,
    Goal,
    GoalEvaluation,
    OppGoal,
    OppHoorrecht,
    OppInstemming,
    OppVersion,
)
from kindroute.store.models_report import (  # noqa: E402, F401
    ReportCount,
    ReportNow,
)
from kindroute.store.models_route import (  # noqa: E402, F401
    CaseRoute,
    RouteVersion,
    SchoolYear,
    SchoolYearChange,
    TurnConfirmation,
)
from kindroute.store.models_swv import (  # noqa: E402, F401
    BoardAction,
    Partner,
    PartnerPerson,
    PartnerSchool,
    PlusklasLocation,
    PlusklasPlacement,
    PlusklasServes,
    Retrospective,
)
