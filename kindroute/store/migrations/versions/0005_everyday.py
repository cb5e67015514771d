"""school years: the rollover of a school's groups and what undoes it

Revision ID: 0005
Revises: 0006
Create Date: 2026-11-29 00:05:00
"""

import sqlalchemy as sa
from alembic import op

revision = '0005'
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('school_years',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('school_id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('started_at', sa.DateTime(), nullable=False),
    sa.Column('started_by_id', sa.Integer(), nullable=False),
    sa.Column('fingerprint', sa.String(length=64), nullable=False),
    sa.Column('undone_at', sa.DateTime(), nullable=True),
    sa.Column('undone_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['school_id'], ['schools.id'], name=op.f('fk_school_years_school_id_schools')),
    sa.ForeignKeyConstraint(['started_by_id'], ['people.id'], name=op.f('fk_school_years_started_by_id_people')),
    sa.ForeignKeyConstraint(['undone_by_id'], ['people.id'], name=op.f('fk_school_years_undone_by_id_people')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_school_years'))
    )
    op.create_index('ix_school_years_school_year', 'school_years', ['school_id', 'year'], unique=False)
    op.create_table('school_year_changes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('school_year_id', sa.Integer(), nullable=False),
    sa.Column('pupil_id', sa.Integer(), nullable=False),
    sa.Column('old_group', sa.Integer(), nullable=False),
    sa.Column('new_group', sa.Integer(), nullable=False),
    sa.Column('old_left_on', sa.Date(), nullable=True),
    sa.Column('new_left_on', sa.Date(), nullable=True),
    sa.Column('note_ids', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['school_year_id'], ['school_years.id'], name=op.f('fk_school_year_changes_school_year_id_school_years'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_school_year_changes'))
    )
    op.create_index(op.f('ix_school_year_changes_school_year_id'), 'school_year_changes', ['school_year_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_school_year_changes_school_year_id'), table_name='school_year_changes')
    op.drop_table('school_year_changes')
    op.drop_index('ix_school_years_school_year', table_name='school_years')
    op.drop_table('school_years')
