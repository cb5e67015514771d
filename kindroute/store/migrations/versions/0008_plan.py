"""the plan: goals and their evaluations, the OPP as versions with instemming and hoorrecht,
SWV decision periods, the zorgplicht decision, and every case's earliest clock (cases.next_due)

Revision ID: 0008
Revises: 0004
Create Date: 2026-11-29 00:45:00
"""

from datetime import date, timedelta

import sqlalchemy as sa
from alembic import op

revision = '0008'
down_revision = "0004"
branch_labels = None
depends_on = None

BATCH = 5000
# Frozen copy of the zorgplicht rule at this revision: 6 weeks, once extended by 4.
ZORGPLICHT_DAYS = 42
ZORGPLICHT_EXTENDED_DAYS = 70


def _people_fk(table: str, column: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint([column], ['people.id'], name=op.f(f'fk_{table}_{column}_people'))


def upgrade() -> None:
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.add_column(sa.Column('zorgplicht_decision', sa.String(length=30), nullable=True))
        batch_op.add_column(sa.Column('zorgplicht_decided_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('next_due', sa.Date(), nullable=True))
        batch_op.create_index('ix_cases_next_due', ['next_due', 'id'], unique=False)

    op.create_table('goals',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('area', sa.String(length=100), nullable=False),
    sa.Column('goal', sa.Text(), nullable=False),
    sa.Column('approach', sa.Text(), nullable=False),
    sa.Column('who_role', sa.String(length=50), nullable=True),
    sa.Column('who_id', sa.Integer(), nullable=True),
    sa.Column('start_on', sa.Date(), nullable=False),
    sa.Column('evaluate_on', sa.Date(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_goals_case_id_cases')),
    _people_fk('goals', 'who_id'),
    _people_fk('goals', 'created_by_id'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_goals'))
    )
    op.create_index(op.f('ix_goals_case_id'), 'goals', ['case_id'], unique=False)

    op.create_table('goal_evaluations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('goal_id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('evaluated_on', sa.Date(), nullable=False),
    sa.Column('result', sa.String(length=20), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('by_id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['goal_id'], ['goals.id'], name=op.f('fk_goal_evaluations_goal_id_goals')),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_goal_evaluations_case_id_cases')),
    _people_fk('goal_evaluations', 'by_id'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_goal_evaluations'))
    )
    op.create_index(op.f('ix_goal_evaluations_goal_id'), 'goal_evaluations', ['goal_id'], unique=False)
    op.create_index(op.f('ix_goal_evaluations_case_id'), 'goal_evaluations', ['case_id'], unique=False)

    op.create_table('opp_versions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('uitstroomprofiel', sa.Text(), nullable=False),
    sa.Column('reasons', sa.Text(), nullable=False),
    sa.Column('stimulerend', sa.Text(), nullable=False),
    sa.Column('belemmerend', sa.Text(), nullable=False),
    sa.Column('support', sa.Text(), nullable=False),
    sa.Column('support_who', sa.Text(), nullable=False),
    sa.Column('duration', sa.Text(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('adopted_on', sa.Date(), nullable=True),
    sa.Column('adopted_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_opp_versions_case_id_cases')),
    _people_fk('opp_versions', 'created_by_id'),
    _people_fk('opp_versions', 'adopted_by_id'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_opp_versions')),
    sa.UniqueConstraint('case_id', 'version', name=op.f('uq_opp_versions_case_id'))
    )
    op.create_index(op.f('ix_opp_versions_case_id'), 'opp_versions', ['case_id'], unique=False)

    op.create_table('opp_goals',
    sa.Column('opp_version_id', sa.Integer(), nullable=False),
    sa.Column('goal_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['opp_version_id'], ['opp_versions.id'],
                            name=op.f('fk_opp_goals_opp_version_id_opp_versions')),
    sa.ForeignKeyConstraint(['goal_id'], ['goals.id'], name=op.f('fk_opp_goals_goal_id_goals')),
    sa.PrimaryKeyConstraint('opp_version_id', 'goal_id', name=op.f('pk_opp_goals'))
    )

    op.create_table('opp_instemming',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('opp_version_id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('given_on', sa.Date(), nullable=False),
    sa.Column('given_by', sa.String(length=200), nullable=False),
    sa.Column('outcome', sa.String(length=20), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=False),
    sa.Column('recorded_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['opp_version_id'], ['opp_versions.id'],
                            name=op.f('fk_opp_instemming_opp_version_id_opp_versions')),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_opp_instemming_case_id_cases')),
    _people_fk('opp_instemming', 'recorded_by_id'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_opp_instemming'))
    )
    op.create_index(op.f('ix_opp_instemming_opp_version_id'), 'opp_instemming', ['opp_version_id'])
    op.create_index(op.f('ix_opp_instemming_case_id'), 'opp_instemming', ['case_id'])

    op.create_table('opp_hoorrecht',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('opp_version_id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('heard_on', sa.Date(), nullable=False),
    sa.Column('view', sa.Text(), nullable=False),
    sa.Column('weighed', sa.Text(), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=False),
    sa.Column('recorded_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['opp_version_id'], ['opp_versions.id'],
                            name=op.f('fk_opp_hoorrecht_opp_version_id_opp_versions')),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_opp_hoorrecht_case_id_cases')),
    _people_fk('opp_hoorrecht', 'recorded_by_id'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_opp_hoorrecht'))
    )
    op.create_index(op.f('ix_opp_hoorrecht_opp_version_id'), 'opp_hoorrecht', ['opp_version_id'])
    op.create_index(op.f('ix_opp_hoorrecht_case_id'), 'opp_hoorrecht', ['case_id'])

    op.create_table('decision_periods',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('document_id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('start_on', sa.Date(), nullable=False),
    sa.Column('end_on', sa.Date(), nullable=False),
    sa.Column('support', sa.Text(), nullable=False),
    sa.Column('tlv_type', sa.String(length=10), nullable=True),
    sa.Column('tlv_category', sa.String(length=10), nullable=True),
    sa.Column('school_year', sa.String(length=20), nullable=True),
    sa.Column('bezwaar_until', sa.Date(), nullable=True),
    sa.ForeignKeyConstraint(['document_id'], ['documents.id'],
                            name=op.f('fk_decision_periods_document_id_documents')),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_decision_periods_case_id_cases')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_decision_periods')),
    sa.UniqueConstraint('document_id', name=op.f('uq_decision_periods_document_id'))
    )
    op.create_index(op.f('ix_decision_periods_case_id'), 'decision_periods', ['case_id'])

    _fill_next_due(op.get_bind())


def _as_date(value: object) -> date | None:
    if value is None or isinstance(value, date):
        return value  # type: ignore[return-value]
    return date.fromisoformat(str(value)[:10])


def _fill_next_due(conn: sa.Connection) -> None:
    """The earliest clock of every open case from what this revision's data knows: the step
    terms of the tracks with someone at turn, the zorgplicht term, open agreements' due dates."""
    last = 0
    while True:
        rows = conn.execute(sa.text(
            "SELECT id, registered_on, zorgplicht_extended FROM cases "
            "WHERE status = 'open' AND id > :last ORDER BY id LIMIT :n"), {'last': last, 'n': BATCH}).all()
        if not rows:
            break
        ids = [r[0] for r in rows]
        due: dict[int, list[date]] = {i: [] for i in ids}
        for cid, registered, extended in rows:
            reg = _as_date(registered)
            if reg is not None:
                due[cid].append(reg + timedelta(days=ZORGPLICHT_EXTENDED_DAYS if extended else ZORGPLICHT_DAYS))
        lo, hi = ids[0], ids[-1]
        for cid, d in conn.execute(sa.text(
                "SELECT case_id, deadline FROM case_tracks WHERE case_id BETWEEN :lo AND :hi "
                "AND deadline IS NOT NULL AND at_turn_role IS NOT NULL"), {'lo': lo, 'hi': hi}):
            if cid in due:
                due[cid].append(_as_date(d))  # type: ignore[arg-type]
        for cid, d in conn.execute(sa.text(
                "SELECT case_id, due_on FROM agreements WHERE case_id BETWEEN :lo AND :hi "
                "AND due_on IS NOT NULL AND done_at IS NULL"), {'lo': lo, 'hi': hi}):
            if cid in due:
                due[cid].append(_as_date(d))  # type: ignore[arg-type]
        updates = [{'i': cid, 'd': min(ds)} for cid, ds in due.items() if ds]
        if updates:
            conn.execute(sa.text("UPDATE cases SET next_due = :d WHERE id = :i"), updates)
        last = ids[-1]


def downgrade() -> None:
    for table in ('decision_periods', 'opp_hoorrecht', 'opp_instemming', 'opp_goals', 'opp_versions',
                  'goal_evaluations', 'goals'):
        op.drop_table(table)
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.drop_index('ix_cases_next_due')
        batch_op.drop_column('next_due')
        batch_op.drop_column('zorgplicht_decided_on')
        batch_op.drop_column('zorgplicht_decision')
