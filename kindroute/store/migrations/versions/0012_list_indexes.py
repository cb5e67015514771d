"""the case lists' two indexes carry what the list filters test: the walk by the earliest clock
(ix_cases_next_due) and a pupil's cases (ix_cases_pupil_status_school) answer school, status,
pupil and clock from the index, reading a case's row only for the rows a page shows

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-29 06:10:00
"""

from __future__ import annotations

from alembic import op

revision = '0012'
down_revision = "0011"
branch_labels = None
depends_on = None

#: (index, its columns before, its columns from this revision)
INDEXES = (
    ("ix_cases_next_due", ["next_due", "id"], ["next_due", "id", "school_id", "status", "pupil_id"]),
    ("ix_cases_pupil_status_school", ["pupil_id", "status", "school_id"],
     ["pupil_id", "status", "school_id", "next_due"]),
)


def upgrade() -> None:
    for name, _before, after in INDEXES:
        op.drop_index(name, table_name="cases")
        op.create_index(name, "cases", after, unique=False)


def downgrade() -> None:
    for name, before, _after in INDEXES:
        op.drop_index(name, table_name="cases")
        op.create_index(name, "cases", before, unique=False)
