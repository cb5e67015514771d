"""ORM models: the whole schema of kindroute, typed SQLAlchemy 2.x.

The schema is changed only through Alembic migrations (``store/migrations``).
History (``case_events``) is append-only: no code path updates or deletes it,
except the retention purge, which is itself recorded in ``purge_log``.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, DateTime, ForeignKey, Index, Integer, String, Text, UniqueConstraint, text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from kindroute.store import tables
from kindroute.store.tables import NAME_MAX, NAMING_CONVENTION, TEXT_MAX  # noqa: F401 - re-exported


class Base(DeclarativeBase):
    #: the Core tables of :mod:`kindroute.store.tables` are on it; the models below map onto them
    metadata = tables.metadata


class Meta(Base):
    """Key/value facts about the database itself (application marker, route in use)."""

    __table__ = tables.kindroute_meta
    __tablename__ = "kindroute_meta"
    key: Mapped[str]
    value: Mapped[str]


class School(Base):
    __table__ = tables.schools
    __tablename__ = "schools"
    id: Mapped[int]
    name: Mapped[str]
    brin: Mapped[str | None]


class Person(Base):
    """Someone who works on cases: staff of a school, the SWV or a partner organisation."""

    __table__ = tables.people
    __tablename__ = "people"
    id: Mapped[int]
    name: Mapped[str]
    organisation: Mapped[str | None]
    #: Space-separated role ids this person can hold (e.g. "ib directeur").
    roles: Mapped[str]
    school_id: Mapped[int | None]
    #: argon2 hash, only for shared databases; never a password in clear.
    password_hash: Mapped[str | None]
    #: Database login name mapped to this person on a shared database.
    db_login: Mapped[str | None]
    active: Mapped[bool]
    created_at: Mapped[datetime]

    school: Mapped[School | None] = relationship()

    @property
    def role_ids(self) -> list[str]:
        return self.roles.split()


class Pupil(Base):
    """A pupil: name, date of birth, group, school. Deliberately no BSN."""

    __table__ = tables.pupils
    __tablename__ = "pupils"
    id: Mapped[int]
    #: The name exactly as entered; the parts below are derived for sorting.
    name: Mapped[str]
    first_name: Mapped[str]
    tussenvoegsel: Mapped[str]
    last_name: Mapped[str]
    #: Lower-cased, accent-free name as typed (the name filter itself uses ``pupil_words``).
    search_name: Mapped[str]
    date_of_birth: Mapped[date]
    group: Mapped[int]
    school_id: Mapped[int]
    #: When the pupil left the school (starts the retention clock).
    left_school_on: Mapped[date | None]

    school: Mapped[School] = relationship()

    #: Lower-cased, accent-free "last first" for sorting on the surname.
    sort_name: Mapped[str]

    words: Mapped[list[PupilWord]] = relationship(cascade="all, delete-orphan", passive_deletes=True)



class PupilWord(Base):
    """The words of a pupil's name (folded, see ``services.text.name_words``), for a name
    filter that finds "the start of a word" through an index instead of scanning every pupil."""

    __table__ = tables.pupil_words
    __tablename__ = "pupil_words"
    pupil_id: Mapped[int]
    #: Compared byte-wise ("C" collation on PostgreSQL) so a prefix is a range of the index.
    word: Mapped[str]



class Case(Base):
    """A pupil's journey through the route. ``version`` guards against lost updates."""

    __table__ = tables.cases
    __tablename__ = "cases"
    id: Mapped[int]
    pupil_id: Mapped[int]
    school_id: Mapped[int]
    #: open | closed | referred (final step reached)
    status: Mapped[str]
    opened_at: Mapped[datetime]
    opened_by_id: Mapped[int]
    closed_at: Mapped[datetime | None]
    updated_at: Mapped[datetime | None]
    route_version: Mapped[str]
    #: Zorgplicht clock: date the written registration (aanmelding) was received.
    registered_on: Mapped[date | None]
    zorgplicht_extended: Mapped[bool]
    #: The decision that stops the zorgplicht clock (plaatsen | niet_plaatsen | andere_school).
    zorgplicht_decision: Mapped[str | None]
    zorgplicht_decided_on: Mapped[date | None]
    #: The earliest due date of all the case's clocks (``services.clocks``), kept by every
    #: service that changes a clock, so lists sort and filter on it from an index.
    next_due: Mapped[date | None]
    #: Hash of the newest history event: the head of this case's chain.
    history_head: Mapped[str]
    history_count: Mapped[int]
    #: 1: only steps are in the history (a case from before the keyed history); 2: every record is.
    history_scheme: Mapped[int]
    version: Mapped[int]

    #: The services raise ``version`` by one on every change to a case (or anything in it);
    #: the UPDATE carries ``WHERE version = <old>``, so a stale writer fails.
    __mapper_args__ = {"version_id_col": tables.cases.c.version, "version_id_generator": False}

    pupil: Mapped[Pupil] = relationship()
    school: Mapped[School] = relationship()
    tracks: Mapped[list[CaseTrack]] = relationship(
        back_populates="case", cascade="all, delete-orphan", order_by="CaseTrack.track"
    )


class CaseTrack(Base):
    """Where a case stands on one track of the route (school, jeugdhulp, …)."""

    __table__ = tables.case_tracks
    __tablename__ = "case_tracks"
    case_id: Mapped[int]
    track: Mapped[str]
    step: Mapped[str]
    entered_at: Mapped[datetime]
    deadline: Mapped[date | None]
    #: Role at turn in this step (from the route when the step was entered); None when final.
    at_turn_role: Mapped[str | None]
    #: ``seq`` of the history event that entered this step (0: the case opened here).
    entered_seq: Mapped[int]

    case: Mapped[Case] = relationship(back_populates="tracks")



class Assignment(Base):
    """A person holding a role on a case, from ``started_at`` until ``ended_at`` (history kept)."""

    __table__ = tables.assignments
    __tablename__ = "assignments"
    id: Mapped[int]
    case_id: Mapped[int]
    role: Mapped[str]
    person_id: Mapped[int]
    started_at: Mapped[datetime]
    ended_at: Mapped[datetime | None]
    assigned_by_id: Mapped[int | None]

    person: Mapped[Person] = relationship(foreign_keys=[tables.assignments.c.person_id])



class ConsentRecord(Base):
    """Consent to share the case with an outside role, for a purpose, for a period."""

    __table__ = tables.consents
    __tablename__ = "consents"
    id: Mapped[int]
    case_id: Mapped[int]
    role: Mapped[str]
    organisation: Mapped[str | None]
    purpose: Mapped[str]
    given_by: Mapped[str]
    pupil_cosigned: Mapped[bool]
    valid_from: Mapped[date]
    valid_until: Mapped[date | None]
    withdrawn_on: Mapped[date | None]
    withdrawn_by_id: Mapped[int | None]
    withdrawn_reason: Mapped[str | None]
    recorded_by_id: Mapped[int]
    recorded_at: Mapped[datetime]


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

    __table__ = tables.case_events
    __tablename__ = "case_events"
    id: Mapped[int]
    case_id: Mapped[int]
    seq: Mapped[int]
    track: Mapped[str]
    from_step: Mapped[str]
    to_step: Mapped[str]
    trigger: Mapped[str]
    actor_id: Mapped[int]
    actor_name: Mapped[str]
    at: Mapped[datetime]
    note: Mapped[str]
    prev_hash: Mapped[str]
    hash: Mapped[str]
    scheme: Mapped[int]
    kind: Mapped[str]
    records: Mapped[str]
    #: the global link of scheme 2 events: position, and the hash and case of the one before
    gseq: Mapped[int | None]
    gprev: Mapped[str | None]
    gprev_case: Mapped[int | None]

    actor: Mapped[Person] = relationship()



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


class RegisterEvent(Base):
    """A change to people, schools or the installed routes, chained with HMAC-SHA256 (the register
    chain, one for the whole database; see :mod:`kindroute.services.register`)."""

    __tablename__ = "register_events"
    id: Mapped[int] = mapped_column(primary_key=True)
    seq: Mapped[int] = mapped_column(Integer, unique=True)
    kind: Mapped[str] = mapped_column(String(30))
    #: JSON: [table, key, digest or null] of every row the change touched
    records: Mapped[str] = mapped_column(Text, default="")
    actor_id: Mapped[int] = mapped_column(Integer, default=0)
    actor_name: Mapped[str] = mapped_column(String(NAME_MAX * 2), default="")
    at: Mapped[datetime] = mapped_column(DateTime)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


# The partial unique indexes of the tables above (see store/tables.py for why they are here).
# one open case per pupil, also when two people open one at the same moment
Index("uq_cases_open_pupil", tables.cases.c.pupil_id, unique=True,
      sqlite_where=text("status = 'open'"), postgresql_where=text("status = 'open'"))
# at most one person holds a role on a case at a time
Index("uq_assignments_active", tables.assignments.c.case_id, tables.assignments.c.role, unique=True,
      sqlite_where=text("ended_at IS NULL"), postgresql_where=text("ended_at IS NULL"))

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
