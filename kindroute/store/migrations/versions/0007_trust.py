"""trust: a keyed history over every case record, a chained access log, uniqueness by the database

Revision ID: 0007
Revises: 0008
Create Date: 2026-11-29 00:20:00

Existing events keep scheme 1 (plain SHA-256) and stay verifiable; new events are keyed
(scheme 2). Existing cases are ``history_scheme`` 1 until they are sealed (their records
then join the history). Only columns with defaults are added: no table is rebuilt.

On PostgreSQL the history tables refuse UPDATE (always) and DELETE (outside a retention
purge) by trigger; ``kindroute db setup-roles`` adds grants. "One open case per pupil" and
"one pupil per name, birth date and school" become unique indexes where the data allows it
(where it does not, the duplicates are logged and the index waits for the next upgrade).
"""

import logging

import sqlalchemy as sa
from alembic import op

revision = '0007'
down_revision = "0008"
branch_labels = None
depends_on = None

log = logging.getLogger("kindroute.migrations")

GUARD_FUNCTION = """
CREATE OR REPLACE FUNCTION kindroute_history_guard() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' AND current_setting('kindroute.purge', true) = 'on' THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION 'kindroute: % op % is niet toegestaan (de geschiedenis wordt alleen aangevuld)',
        TG_OP, TG_TABLE_NAME USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql
"""

GUARDED = ("case_events", "access_log", "purge_log")


def _duplicates(sql: str) -> int:
    return len(op.get_bind().execute(sa.text(sql)).all())


def upgrade() -> None:
    op.add_column('case_events', sa.Column('scheme', sa.Integer(), nullable=False, server_default='1'))
    op.add_column('case_events', sa.Column('kind', sa.String(length=20), nullable=False,
                                           server_default='step'))
    op.add_column('case_events', sa.Column('records', sa.Text(), nullable=False, server_default=''))
    op.add_column('case_events', sa.Column('gseq', sa.Integer(), nullable=True))
    op.add_column('case_events', sa.Column('gprev', sa.String(length=64), nullable=True))
    op.add_column('case_events', sa.Column('gprev_case', sa.Integer(), nullable=True))

    op.add_column('cases', sa.Column('history_scheme', sa.Integer(), nullable=False, server_default='1'))

    op.add_column('access_log', sa.Column('seq', sa.Integer(), nullable=True))
    op.add_column('access_log', sa.Column('prev_hash', sa.String(length=64), nullable=True))
    op.add_column('access_log', sa.Column('prev_case', sa.Integer(), nullable=True))
    op.add_column('access_log', sa.Column('hash', sa.String(length=64), nullable=True))
    op.create_index('uq_access_log_seq', 'access_log', ['seq'], unique=True)

    op.execute("INSERT INTO kindroute_meta (key, value) VALUES ('history_head', '')")
    op.execute("INSERT INTO kindroute_meta (key, value) VALUES ('access_head', '')")

    op.add_column('purge_log', sa.Column('case_ids', sa.Text(), nullable=False, server_default=''))
    op.add_column('purge_log', sa.Column('mac', sa.String(length=64), nullable=False, server_default=''))

    dup_open = _duplicates("SELECT pupil_id FROM cases WHERE status = 'open' "
                           "GROUP BY pupil_id HAVING COUNT(*) > 1")
    if dup_open:
        log.warning("%d pupils have more than one open case: unique index postponed", dup_open)
    else:
        op.create_index('uq_cases_open_pupil', 'cases', ['pupil_id'], unique=True,
                        sqlite_where=sa.text("status = 'open'"),
                        postgresql_where=sa.text("status = 'open'"))
    dup_pupil = _duplicates("SELECT name FROM pupils GROUP BY name, date_of_birth, school_id "
                            "HAVING COUNT(*) > 1")
    if dup_pupil:
        log.warning("%d pupils are registered twice: unique index postponed", dup_pupil)
    else:
        op.create_index('uq_pupils_identity', 'pupils', ['name', 'date_of_birth', 'school_id'], unique=True)

    if op.get_bind().dialect.name == "postgresql":
        op.execute(GUARD_FUNCTION)
        for table in GUARDED:
            op.execute(f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                       "FOR EACH ROW EXECUTE FUNCTION kindroute_history_guard()")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for table in GUARDED:
            op.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")
        op.execute("DROP FUNCTION IF EXISTS kindroute_history_guard()")
    op.execute("DELETE FROM kindroute_meta WHERE key IN ('history_head', 'access_head', "
               "'history_id', 'history_key_id')")
    op.execute("DROP INDEX IF EXISTS uq_pupils_identity")
    op.execute("DROP INDEX IF EXISTS uq_cases_open_pupil")
    with op.batch_alter_table('purge_log') as b:
        b.drop_column('mac')
        b.drop_column('case_ids')
    op.drop_index('uq_access_log_seq', table_name='access_log')
    with op.batch_alter_table('access_log') as b:
        for col in ('hash', 'prev_case', 'prev_hash', 'seq'):
            b.drop_column(col)
    with op.batch_alter_table('cases') as b:
        b.drop_column('history_scheme')
    with op.batch_alter_table('case_events') as b:
        for col in ('gprev_case', 'gprev', 'gseq', 'records', 'kind', 'scheme'):
            b.drop_column(col)
