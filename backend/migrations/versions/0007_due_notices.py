"""due notices: what the due-soon and overdue sweep has noticed moves from flags on tasks
and issues into due_notices, which notifications owns

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01 21:30:00

A row per (item, notice kind, unit that must act, due date): a new due date or a new
handling unit is a new key, so it is noticed afresh without resetting anything.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0007'
down_revision: str | None = '0006'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# table, item kind, the unit that must act
ITEMS = (("tasks", "task", "assignee_org_id"), ("issues", "issue", "handler_org_id"))
FLAGS = (("due_soon_notified_at", "due_soon"), ("overdue_notified_at", "overdue"))


def upgrade() -> None:
    op.create_table(
        'due_notices',
        sa.Column('entity_id', sa.Uuid(), nullable=False),
        sa.Column('kind', sa.String(length=30), nullable=False),
        sa.Column('org_id', sa.Uuid(), nullable=False),
        sa.Column('due_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column(
            'created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False
        ),
        sa.PrimaryKeyConstraint('entity_id', 'kind', 'org_id', 'due_at', name=op.f('pk_due_notices')),
    )
    for table, item, unit in ITEMS:
        for flag, kind in FLAGS:
            op.execute(
                f"INSERT INTO due_notices (entity_id, kind, org_id, due_at, created_at)"
                f" SELECT id, '{item}_{kind}', {unit}, due_at, {flag} FROM {table}"
                f" WHERE {flag} IS NOT NULL"
            )
            op.drop_column(table, flag)


def downgrade() -> None:
    for table, item, unit in ITEMS:
        for flag, kind in FLAGS:
            op.add_column(table, sa.Column(flag, sa.DateTime(timezone=True), nullable=True))
            op.execute(
                f"UPDATE {table} t SET {flag} = n.created_at FROM due_notices n"
                f" WHERE n.entity_id = t.id AND n.kind = '{item}_{kind}'"
                f" AND n.org_id = t.{unit} AND n.due_at = t.due_at"
            )
    op.drop_table('due_notices')
