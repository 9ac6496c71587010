"""due notices by job: the due_notices job sweeps every unit, so the per-unit sweep marks
and their indexes give way to one partial index on the open items' due dates

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-02 02:00:00

Reading notifications no longer sweeps (0010 and app/jobs/): the job reads, across every
unit, the open items due before a moment. The open statuses are those of 0014 (a
submitted task is no longer waiting on its assignee).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0015'
down_revision: str | None = '0014'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# table, the acting unit's path column (0009's indexes), the open statuses now
OPEN = (
    ("tasks", "assignee_path", "'accepted', 'in_progress', 'issued', 'returned'"),
    ("issues", "handler_path", "'acknowledged', 'open'"),
)
OPEN_0009 = {
    "tasks": "'accepted', 'in_progress', 'issued', 'returned', 'submitted'",
    "issues": "'acknowledged', 'open'",
}


def upgrade() -> None:
    op.drop_table('due_sweeps')
    for table, path, statuses in OPEN:
        for key in ("due_at", "updated_at"):
            op.drop_index(op.f(f'ix_{table}_{path}_{key}_open'), table_name=table)
        op.create_index(
            op.f(f'ix_{table}_due_at_open'),
            table,
            ['due_at'],
            postgresql_where=sa.text(f"status IN ({statuses})"),
        )


def downgrade() -> None:
    for table, path, _ in OPEN:
        op.drop_index(op.f(f'ix_{table}_due_at_open'), table_name=table)
        for key in ("due_at", "updated_at"):
            op.create_index(
                op.f(f'ix_{table}_{path}_{key}_open'),
                table,
                [path, key],
                postgresql_where=sa.text(f"status IN ({OPEN_0009[table]})"),
            )
    op.create_table(
        'due_sweeps',
        sa.Column('org_id', sa.Uuid(), nullable=False),
        sa.Column('kind', sa.String(length=30), nullable=False),
        sa.Column('swept_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('swept_before', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('org_id', 'kind', name=op.f('pk_due_sweeps')),
    )
