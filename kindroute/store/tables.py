"""The tables the first screen reads, as SQLAlchemy Core ``Table`` objects: no mapped classes.

The worklist's first page (and every case list) is a Core query on these tables, so it
needs ``sqlalchemy`` alone, not the ORM with its mapped classes and relationships. The ORM
models of :mod:`kindroute.store.models` map onto these same objects (``__table__ =
tables.cases``): one schema, one metadata, whichever way a table is read.

The two partial unique indexes (one open case per pupil, one holder of a role per case) are
declared beside the models in :mod:`kindroute.store.models`: their dialect options load the
PostgreSQL dialect, which the first page does not need. The schema is changed only through
Alembic migrations (``store/migrations``).
"""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

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

#: The one metadata of kindroute's schema (the ORM's ``Base.metadata`` too).
metadata = MetaData(naming_convention=NAMING_CONVENTION)

#: Key/value facts about the database itself (application marker, history heads).
kindroute_meta = Table(
    "kindroute_meta", metadata,
    Column("key", String(50), primary_key=True),
    Column("value", Text, nullable=False),
)

schools = Table(
    "schools", metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(NAME_MAX * 2), nullable=False),
    Column("brin", String(6), unique=True),
)

#: Someone who works on cases: staff of a school, the SWV or a partner organisation.
people = Table(
    "people", metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(NAME_MAX * 2), nullable=False),
    Column("organisation", String(NAME_MAX * 2)),
    # space-separated role ids this person can hold (e.g. "ib directeur")
    Column("roles", String(200), nullable=False, default=""),
    Column("school_id", Integer, ForeignKey("schools.id")),
    # argon2 hash, only for shared databases; never a password in clear
    Column("password_hash", String(200)),
    # database login name mapped to this person on a shared database
    Column("db_login", String(100), unique=True),
    Column("active", Boolean, nullable=False, default=True),
    Column("created_at", DateTime, nullable=False),
)

#: A pupil: name, date of birth, group, school. Deliberately no BSN.
pupils = Table(
    "pupils", metadata,
    Column("id", Integer, primary_key=True),
    # the name exactly as entered; the parts below are derived for sorting
    Column("name", String(NAME_MAX * 3), nullable=False),
    Column("first_name", String(NAME_MAX), nullable=False),
    Column("tussenvoegsel", String(20), nullable=False, default=""),
    Column("last_name", String(NAME_MAX), nullable=False),
    # lower-cased, accent-free name as typed (the name filter itself uses pupil_words)
    Column("search_name", String(NAME_MAX * 3), nullable=False),
    Column("date_of_birth", Date, nullable=False),
    Column("group", Integer, nullable=False),
    Column("school_id", Integer, ForeignKey("schools.id"), nullable=False, index=True),
    # when the pupil left the school (starts the retention clock)
    Column("left_school_on", Date),
    # lower-cased, accent-free "last first" for sorting on the surname
    Column("sort_name", String(NAME_MAX * 3), nullable=False, index=True),
    # the identity an import and a new case look a pupil up by
    Index("uq_pupils_identity", "name", "date_of_birth", "school_id", unique=True),
)

#: The words of a pupil's name (folded, see ``services.text.name_words``), for a name filter
#: that finds "the start of a word" through an index instead of scanning every pupil.
pupil_words = Table(
    "pupil_words", metadata,
    Column("pupil_id", Integer, ForeignKey("pupils.id", ondelete="CASCADE"), primary_key=True),
    # compared byte-wise ("C" collation on PostgreSQL) so a prefix is a range of the index
    Column("word", String(NAME_MAX * 3).with_variant(String(NAME_MAX * 3, collation="C"), "postgresql"),
           primary_key=True),
    Index("ix_pupil_words_word", "word", "pupil_id"),
)

#: A pupil's journey through the route. ``version`` guards against lost updates.
cases = Table(
    "cases", metadata,
    Column("id", Integer, primary_key=True),
    Column("pupil_id", Integer, ForeignKey("pupils.id"), nullable=False),
    Column("school_id", Integer, ForeignKey("schools.id"), nullable=False, index=True),
    # open | closed | referred (final step reached)
    Column("status", String(20), nullable=False, default="open", index=True),
    Column("opened_at", DateTime, nullable=False),
    Column("opened_by_id", Integer, ForeignKey("people.id"), nullable=False),
    Column("closed_at", DateTime),
    Column("updated_at", DateTime),
    Column("route_version", String(50), nullable=False, default=""),
    # zorgplicht clock: date the written registration (aanmelding) was received
    Column("registered_on", Date),
    Column("zorgplicht_extended", Boolean, nullable=False, default=False),
    # the decision that stops the zorgplicht clock (plaatsen | niet_plaatsen | andere_school)
    Column("zorgplicht_decision", String(30)),
    Column("zorgplicht_decided_on", Date),
    # the earliest due date of all the case's clocks (services.clocks), kept by every service
    # that changes a clock, so lists sort and filter on it from an index
    Column("next_due", Date),
    # hash of the newest history event: the head of this case's chain
    Column("history_head", String(64), nullable=False, default=""),
    Column("history_count", Integer, nullable=False, default=0),
    # 1: only steps are in the history (a case from before the keyed history); 2: every record is
    Column("history_scheme", Integer, nullable=False, default=2, server_default="1"),
    # raised by one on every change to a case (or anything in it); see models.Case
    Column("version", Integer, nullable=False, default=1),
    # a school's open cases are counted from this index alone
    Index("ix_cases_school_status", "school_id", "status"),
    # a pupil's cases with what the list filters ask of them and the order of a list by the
    # earliest clock, without reading the rows (a rare name's cases are sorted from it alone)
    Index("ix_cases_pupil_status_school", "pupil_id", "status", "school_id", "next_due"),
    # lists by the earliest clock walk this index and stop at a page; the columns after the id
    # are what the walk tests (school, status, the pupil's name words), so a case's row is read
    # only for the rows the page shows, not for every case the walk passes
    Index("ix_cases_next_due", "next_due", "id", "school_id", "status", "pupil_id"),
)

#: Where a case stands on one track of the route (school, jeugdhulp, …).
case_tracks = Table(
    "case_tracks", metadata,
    Column("case_id", Integer, ForeignKey("cases.id"), primary_key=True),
    Column("track", String(50), primary_key=True),
    Column("step", String(50), nullable=False),
    Column("entered_at", DateTime, nullable=False),
    Column("deadline", Date),
    # role at turn in this step (from the route when the step was entered); None when final
    Column("at_turn_role", String(50)),
    # seq of the history event that entered this step (0: the case opened here)
    Column("entered_seq", Integer, nullable=False, default=0),
    # with the deadline: the monitor counts cases now and overdue per step from this index alone
    Index("ix_case_tracks_track_step", "track", "step", "deadline"),
    # case_id last: lists ordered by deadline (then case) walk this index and stop at a page
    Index("ix_case_tracks_track_deadline", "track", "deadline", "case_id"),
    Index("ix_case_tracks_role", "at_turn_role", "track"),
)

#: A person holding a role on a case, from ``started_at`` until ``ended_at`` (history kept).
assignments = Table(
    "assignments", metadata,
    Column("id", Integer, primary_key=True),
    Column("case_id", Integer, ForeignKey("cases.id"), nullable=False),
    Column("role", String(50), nullable=False),
    Column("person_id", Integer, ForeignKey("people.id"), nullable=False),
    Column("started_at", DateTime, nullable=False),
    Column("ended_at", DateTime),
    Column("assigned_by_id", Integer, ForeignKey("people.id")),
    Index("ix_assignments_case_role", "case_id", "role"),
    Index("ix_assignments_person_role", "person_id", "role"),
)

#: Consent to share the case with an outside role, for a purpose, for a period.
consents = Table(
    "consents", metadata,
    Column("id", Integer, primary_key=True),
    Column("case_id", Integer, ForeignKey("cases.id"), nullable=False, index=True),
    Column("role", String(50), nullable=False),
    Column("organisation", String(NAME_MAX * 2)),
    Column("purpose", String(500), nullable=False),
    Column("given_by", String(NAME_MAX * 2), nullable=False),
    Column("pupil_cosigned", Boolean, nullable=False, default=False),
    Column("valid_from", Date, nullable=False),
    Column("valid_until", Date),
    Column("withdrawn_on", Date),
    Column("withdrawn_by_id", Integer, ForeignKey("people.id")),
    Column("withdrawn_reason", Text),
    Column("recorded_by_id", Integer, ForeignKey("people.id"), nullable=False),
    Column("recorded_at", DateTime, nullable=False),
)

#: One change to a case: append-only, hash-chained per case and (scheme 2) across all cases.
#: Scheme 1: a step, sealed with plain SHA-256 (``store.chain``). Scheme 2: any change
#: (``kind``), sealed with HMAC-SHA256, with digests of the records it touched
#: (``store.hmac_chain``).
case_events = Table(
    "case_events", metadata,
    Column("id", Integer, primary_key=True),
    Column("case_id", Integer, ForeignKey("cases.id"), nullable=False),
    Column("seq", Integer, nullable=False),  # 1, 2, … per case
    Column("track", String(50), nullable=False),
    Column("from_step", String(50), nullable=False),
    Column("to_step", String(50), nullable=False),
    Column("trigger", String(50), nullable=False),
    Column("actor_id", Integer, ForeignKey("people.id"), nullable=False),
    Column("actor_name", String(NAME_MAX * 2), nullable=False),
    Column("at", DateTime, nullable=False),
    Column("note", Text, nullable=False, default=""),
    Column("prev_hash", String(64), nullable=False),
    Column("hash", String(64), nullable=False),
    Column("scheme", Integer, nullable=False, default=1, server_default="1"),
    Column("kind", String(20), nullable=False, default="step", server_default="step"),
    Column("records", Text, nullable=False, default="", server_default=""),
    # the global link of scheme 2 events: position, and the hash and case of the one before
    Column("gseq", Integer),
    Column("gprev", String(64)),
    Column("gprev_case", Integer),
    UniqueConstraint("case_id", "seq"),
    # covering the monitor's pass over a period's steps (entered, left, per month)
    Index("ix_case_events_at", "at", "from_step", "to_step", "case_id", "track", "seq"),
)
