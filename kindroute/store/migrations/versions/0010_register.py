"""the register chain: changes to people, schools and installed routes, sealed with the history key

Revision ID: 0010
Revises: 0007
Create Date: 2026-11-29 03:30:00
"""

import sqlalchemy as sa
from alembic import op

revision = '0010'
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('register_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=30), nullable=False),
    sa.Column('records', sa.Text(), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=False),
    sa.Column('actor_name', sa.String(length=200), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('prev_hash', sa.String(length=64), nullable=False),
    sa.Column('hash', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_register_events')),
    sa.UniqueConstraint('seq', name=op.f('uq_register_events_seq'))
    )
    # existing people, schools and routes are sealed by the first change (or 'kindroute audit seal'):
    # the key is not the database's to hold, so a migration cannot seal them
    if op.get_bind().dialect.name == "postgresql":
        # kindroute_history_guard() comes from revision 0007: the register is only ever added to
        op.execute("CREATE TRIGGER register_events_append_only BEFORE UPDATE OR DELETE ON register_events "
                   "FOR EACH ROW EXECUTE FUNCTION kindroute_history_guard()")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS register_events_append_only ON register_events")
    op.drop_table('register_events')
