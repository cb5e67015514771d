"""the database keeps its route: routes, the route each case ran under, joint-turn confirmations,
a decision's fields

Revision ID: 0006
Revises: 0003
Create Date: 2026-11-29 00:30:00

Existing databases get empty tables: the route in use is stored the first time kindroute opens
the database after this migration, and cases without a ``case_routes`` row ran under that first
route.
"""

import sqlalchemy as sa
from alembic import op

revision = '0006'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('routes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('version', sa.String(length=50), nullable=False),
    sa.Column('hash', sa.String(length=64), nullable=False),
    sa.Column('content', sa.Text(), nullable=False),
    sa.Column('installed_at', sa.DateTime(), nullable=False),
    sa.Column('installed_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['installed_by_id'], ['people.id'], name=op.f('fk_routes_installed_by_id_people')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_routes')),
    sa.UniqueConstraint('hash', name=op.f('uq_routes_hash')),
    sa.UniqueConstraint('version', name=op.f('uq_routes_version'))
    )
    op.create_table('case_routes',
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('from_seq', sa.Integer(), nullable=False),
    sa.Column('route_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_case_routes_case_id_cases')),
    sa.ForeignKeyConstraint(['route_id'], ['routes.id'], name=op.f('fk_case_routes_route_id_routes')),
    sa.PrimaryKeyConstraint('case_id', 'from_seq', name=op.f('pk_case_routes'))
    )
    op.create_table('turn_confirmations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('track', sa.String(length=50), nullable=False),
    sa.Column('step', sa.String(length=50), nullable=False),
    sa.Column('visit', sa.Integer(), nullable=False),
    sa.Column('trigger', sa.String(length=50), nullable=False),
    sa.Column('role', sa.String(length=50), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_turn_confirmations_case_id_cases')),
    sa.ForeignKeyConstraint(['person_id'], ['people.id'], name=op.f('fk_turn_confirmations_person_id_people')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_turn_confirmations')),
    sa.UniqueConstraint('case_id', 'track', 'visit', 'trigger', 'role', name=op.f('uq_turn_confirmations_case_id'))
    )
    with op.batch_alter_table('turn_confirmations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_turn_confirmations_case_id'), ['case_id'], unique=False)
    with op.batch_alter_table('documents', schema=None) as batch_op:
        batch_op.add_column(sa.Column('fields_json', sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('documents', schema=None) as batch_op:
        batch_op.drop_column('fields_json')
    with op.batch_alter_table('turn_confirmations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_turn_confirmations_case_id'))
    op.drop_table('turn_confirmations')
    op.drop_table('case_routes')
    op.drop_table('routes')
