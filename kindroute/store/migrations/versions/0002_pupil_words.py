"""pupil name words: an index for the name filter; a covering index of a pupil's cases

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23 11:20:00
"""

import re
import unicodedata

import sqlalchemy as sa
from alembic import op

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None

BATCH = 5000

# A frozen copy of ``services.text.fold`` and ``name_words`` as they were at this revision:
# a migration never imports live code, which may change after it shipped.
_WORD_PARTS = re.compile(r"[-'’]")


def fold(value: str) -> str:
    decomposed = unicodedata.normalize("NFKD", value)
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(stripped.casefold().split())


def name_words(name: str) -> set[str]:
    words: set[str] = set()
    for word in fold(name).split():
        words.add(word)
        words.update(part for part in _WORD_PARTS.split(word) if part)
    return words


def upgrade() -> None:
    op.create_table('pupil_words',
    sa.Column('pupil_id', sa.Integer(), nullable=False),
    sa.Column('word', sa.String(length=300).with_variant(sa.String(length=300, collation='C'), 'postgresql'), nullable=False),
    sa.ForeignKeyConstraint(['pupil_id'], ['pupils.id'], name=op.f('fk_pupil_words_pupil_id_pupils'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('pupil_id', 'word', name=op.f('pk_pupil_words'))
    )
    with op.batch_alter_table('pupil_words', schema=None) as batch_op:
        batch_op.create_index('ix_pupil_words_word', ['word', 'pupil_id'], unique=False)

    # A pupil's cases, covering the filters on status and school (replaces the plain index).
    op.create_index('ix_cases_pupil_status_school', 'cases', ['pupil_id', 'status', 'school_id'], unique=False)
    op.drop_index('ix_cases_pupil_id', table_name='cases')
    # The name filter no longer reads pupils.search_name: its index would only cost writes.
    op.drop_index('ix_pupils_search_name', table_name='pupils')

    # Existing pupils get their words, in batches (the migration runs in one transaction).
    conn = op.get_bind()
    words = sa.table('pupil_words', sa.column('pupil_id', sa.Integer), sa.column('word', sa.String))
    last = 0
    while True:
        rows = conn.execute(
            sa.text('SELECT id, name FROM pupils WHERE id > :last ORDER BY id LIMIT :n'), {'last': last, 'n': BATCH}
        ).all()
        if not rows:
            break
        conn.execute(words.insert(), [{'pupil_id': pid, 'word': w} for pid, name in rows for w in name_words(name)])
        last = rows[-1][0]


def downgrade() -> None:
    op.create_index('ix_pupils_search_name', 'pupils', ['search_name'], unique=False)
    op.create_index('ix_cases_pupil_id', 'cases', ['pupil_id'], unique=False)
    op.drop_index('ix_cases_pupil_status_school', table_name='cases')
    with op.batch_alter_table('pupil_words', schema=None) as batch_op:
        batch_op.drop_index('ix_pupil_words_word')
    op.drop_table('pupil_words')
