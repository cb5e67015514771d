"""the SWV's view: verbeterbord, retrospectives, sociale kaart, Plus-klas places; monitor indexes

Revision ID: 0004
Revises: 0005
Create Date: 2026-11-29 00:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = '0004'
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # The monitor reads these two indexes alone: per step now / overdue, and a period's steps.
    op.drop_index('ix_case_tracks_track_step', table_name='case_tracks')
    op.create_index('ix_case_tracks_track_step', 'case_tracks', ['track', 'step', 'deadline'], unique=False)
    op.drop_index('ix_case_events_at', table_name='case_events')
    op.create_index('ix_case_events_at', 'case_events', ['at', 'from_step', 'to_step', 'case_id', 'track', 'seq'], unique=False)

    op.create_table('board_actions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('school_id', sa.Integer(), nullable=True),
    sa.Column('goal', sa.Text(), nullable=False),
    sa.Column('action', sa.Text(), nullable=False),
    sa.Column('owner_id', sa.Integer(), nullable=True),
    sa.Column('due_on', sa.Date(), nullable=True),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('step', sa.String(length=50), nullable=True),
    sa.Column('success', sa.Text(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('done_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['school_id'], ['schools.id'], name=op.f('fk_board_actions_school_id_schools')),
    sa.ForeignKeyConstraint(['owner_id'], ['people.id'], name=op.f('fk_board_actions_owner_id_people')),
    sa.ForeignKeyConstraint(['created_by_id'], ['people.id'], name=op.f('fk_board_actions_created_by_id_people')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_board_actions'))
    )
    op.create_index(op.f('ix_board_actions_school_id'), 'board_actions', ['school_id'], unique=False)
    op.create_index(op.f('ix_board_actions_status'), 'board_actions', ['status'], unique=False)

    op.create_table('retrospectives',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('held_on', sa.Date(), nullable=False),
    sa.Column('school_id', sa.Integer(), nullable=True),
    sa.Column('went_well', sa.Text(), nullable=False),
    sa.Column('can_be_better', sa.Text(), nullable=False),
    sa.Column('actions', sa.Text(), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=False),
    sa.Column('recorded_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['school_id'], ['schools.id'], name=op.f('fk_retrospectives_school_id_schools')),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['people.id'], name=op.f('fk_retrospectives_recorded_by_id_people')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_retrospectives'))
    )

    op.create_table('partners',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('kind', sa.String(length=30), nullable=False),
    sa.Column('contact', sa.String(length=200), nullable=False),
    sa.Column('reach', sa.Text(), nullable=False),
    sa.Column('meetings', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_partners')),
    sa.UniqueConstraint('name', name=op.f('uq_partners_name'))
    )
    op.create_index(op.f('ix_partners_kind'), 'partners', ['kind'], unique=False)

    op.create_table('partner_schools',
    sa.Column('partner_id', sa.Integer(), nullable=False),
    sa.Column('school_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['partner_id'], ['partners.id'], name=op.f('fk_partner_schools_partner_id_partners'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['school_id'], ['schools.id'], name=op.f('fk_partner_schools_school_id_schools')),
    sa.PrimaryKeyConstraint('partner_id', 'school_id', name=op.f('pk_partner_schools'))
    )
    op.create_index(op.f('ix_partner_schools_school_id'), 'partner_schools', ['school_id'], unique=False)

    op.create_table('partner_people',
    sa.Column('partner_id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['partner_id'], ['partners.id'], name=op.f('fk_partner_people_partner_id_partners'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['person_id'], ['people.id'], name=op.f('fk_partner_people_person_id_people')),
    sa.PrimaryKeyConstraint('partner_id', 'person_id', name=op.f('pk_partner_people'))
    )

    op.create_table('plusklas_locations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('school_id', sa.Integer(), nullable=True),
    sa.Column('days', sa.String(length=50), nullable=False),
    sa.Column('places', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['school_id'], ['schools.id'], name=op.f('fk_plusklas_locations_school_id_schools')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_plusklas_locations')),
    sa.UniqueConstraint('name', name=op.f('uq_plusklas_locations_name'))
    )

    op.create_table('plusklas_serves',
    sa.Column('location_id', sa.Integer(), nullable=False),
    sa.Column('school_id', sa.Integer(), nullable=False),
    sa.Column('travel_minutes', sa.Integer(), nullable=True),
    sa.Column('distance_km', sa.Float(), nullable=True),
    sa.ForeignKeyConstraint(['location_id'], ['plusklas_locations.id'], name=op.f('fk_plusklas_serves_location_id_plusklas_locations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['school_id'], ['schools.id'], name=op.f('fk_plusklas_serves_school_id_schools')),
    sa.PrimaryKeyConstraint('location_id', 'school_id', name=op.f('pk_plusklas_serves'))
    )
    op.create_index(op.f('ix_plusklas_serves_school_id'), 'plusklas_serves', ['school_id'], unique=False)

    op.create_table('plusklas_placements',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('location_id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('requested_on', sa.Date(), nullable=False),
    sa.Column('start_on', sa.Date(), nullable=True),
    sa.Column('end_on', sa.Date(), nullable=True),
    sa.Column('days', sa.String(length=50), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['location_id'], ['plusklas_locations.id'], name=op.f('fk_plusklas_placements_location_id_plusklas_locations')),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_plusklas_placements_case_id_cases')),
    sa.ForeignKeyConstraint(['created_by_id'], ['people.id'], name=op.f('fk_plusklas_placements_created_by_id_people')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_plusklas_placements'))
    )
    op.create_index(op.f('ix_plusklas_placements_case_id'), 'plusklas_placements', ['case_id'], unique=False)
    op.create_index('ix_plusklas_placements_location_status', 'plusklas_placements', ['location_id', 'status'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_plusklas_placements_location_status', table_name='plusklas_placements')
    op.drop_index(op.f('ix_plusklas_placements_case_id'), table_name='plusklas_placements')
    op.drop_table('plusklas_placements')
    op.drop_index(op.f('ix_plusklas_serves_school_id'), table_name='plusklas_serves')
    op.drop_table('plusklas_serves')
    op.drop_table('plusklas_locations')
    op.drop_table('partner_people')
    op.drop_index(op.f('ix_partner_schools_school_id'), table_name='partner_schools')
    op.drop_table('partner_schools')
    op.drop_index(op.f('ix_partners_kind'), table_name='partners')
    op.drop_table('partners')
    op.drop_table('retrospectives')
    op.drop_index(op.f('ix_board_actions_status'), table_name='board_actions')
    op.drop_index(op.f('ix_board_actions_school_id'), table_name='board_actions')
    op.drop_table('board_actions')
    op.drop_index('ix_case_events_at', table_name='case_events')
    op.create_index('ix_case_events_at', 'case_events', ['at'], unique=False)
    op.drop_index('ix_case_tracks_track_step', table_name='case_tracks')
    op.create_index('ix_case_tracks_track_step', 'case_tracks', ['track', 'step'], unique=False)
