"""meetings: the bespreking as a record (meetings, attendees, agenda items, what was done)

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-28 23:59:00
"""

import sqlalchemy as sa
from alembic import op

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('meetings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=30), nullable=False),
    sa.Column('held_at', sa.DateTime(), nullable=False),
    sa.Column('school_id', sa.Integer(), nullable=True),
    sa.Column('chair_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('closed_at', sa.DateTime(), nullable=True),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('addendum', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['chair_id'], ['people.id'], name=op.f('fk_meetings_chair_id_people')),
    sa.ForeignKeyConstraint(['school_id'], ['schools.id'], name=op.f('fk_meetings_school_id_schools')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_meetings'))
    )
    op.create_index('ix_meetings_status_held', 'meetings', ['status', 'held_at'], unique=False)
    op.create_index('ix_meetings_kind_held', 'meetings', ['kind', 'held_at'], unique=False)
    op.create_table('meeting_attendees',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('meeting_id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=True),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('role', sa.String(length=50), nullable=False),
    sa.ForeignKeyConstraint(['meeting_id'], ['meetings.id'],
                            name=op.f('fk_meeting_attendees_meeting_id_meetings'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['person_id'], ['people.id'], name=op.f('fk_meeting_attendees_person_id_people')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_meeting_attendees'))
    )
    op.create_index(op.f('ix_meeting_attendees_meeting_id'), 'meeting_attendees', ['meeting_id'], unique=False)
    op.create_index(op.f('ix_meeting_attendees_person_id'), 'meeting_attendees', ['person_id'], unique=False)
    op.create_table('meeting_items',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('meeting_id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('conclusion', sa.Text(), nullable=False),
    sa.Column('notes', sa.Text(), nullable=False),
    sa.Column('parents_view', sa.Text(), nullable=False),
    sa.Column('pupil_view', sa.Text(), nullable=False),
    sa.Column('discussed', sa.Boolean(), nullable=True),
    sa.Column('updated_at', sa.DateTime(), nullable=True),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_meeting_items_case_id_cases')),
    sa.ForeignKeyConstraint(['meeting_id'], ['meetings.id'],
                            name=op.f('fk_meeting_items_meeting_id_meetings'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['updated_by_id'], ['people.id'],
                            name=op.f('fk_meeting_items_updated_by_id_people')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_meeting_items')),
    sa.UniqueConstraint('meeting_id', 'case_id', name=op.f('uq_meeting_items_meeting_id'))
    )
    op.create_index(op.f('ix_meeting_items_case_id'), 'meeting_items', ['case_id'], unique=False)
    op.create_index('ix_meeting_items_meeting_position', 'meeting_items', ['meeting_id', 'position'],
                    unique=False)
    op.create_table('meeting_records',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('ref_id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['item_id'], ['meeting_items.id'],
                            name=op.f('fk_meeting_records_item_id_meeting_items'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_meeting_records'))
    )
    op.create_index(op.f('ix_meeting_records_item_id'), 'meeting_records', ['item_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_meeting_records_item_id'), table_name='meeting_records')
    op.drop_table('meeting_records')
    op.drop_index('ix_meeting_items_meeting_position', table_name='meeting_items')
    op.drop_index(op.f('ix_meeting_items_case_id'), table_name='meeting_items')
    op.drop_table('meeting_items')
    op.drop_index(op.f('ix_meeting_attendees_person_id'), table_name='meeting_attendees')
    op.drop_index(op.f('ix_meeting_attendees_meeting_id'), table_name='meeting_attendees')
    op.drop_table('meeting_attendees')
    op.drop_index('ix_meetings_kind_held', table_name='meetings')
    op.drop_index('ix_meetings_status_held', table_name='meetings')
    op.drop_table('meetings')
