"""due order: the unit feeds carry each item's due date and status, with an index by
(unit, due date); due notices are swept from where each unit's last sweep stopped

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-03 14:00:00

A unit's list by due date (the workbench, the lists as they open, the overdue filter) is
then a range of its feed's (unit_key, due_at, id) index, whatever the size of the tables;
the triggers (migrations/sql/0009_feeds.sql) keep the new columns. due_sweeps remembers,
per unit and notice kind, when its last sweep ran and up to which due date it looked, so
the next one reads only the items due since or changed since; the partial indexes on the
open items answer both questions per unit.

Backfilling the feeds rewrites them: on a large live database, run this revision in a
quiet hour (about half a minute per million rows of each table).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from app.core.sql_files import load_sql

revision: str = '0009'
down_revision: str | None = '0008'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

FEEDS = {"task_feed": "tasks", "issue_feed": "issues"}
# table, the acting unit's path column, its open statuses
OPEN = (
    ("tasks", "assignee_path", "'accepted', 'in_progress', 'issued', 'returned', 'submitted'"),
    ("issues", "handler_path", "'acknowledged', 'open'"),
)


def upgrade() -> None:
    for feed, table in FEEDS.items():
        op.add_column(feed, sa.Column('due_at', sa.DateTime(timezone=True), nullable=True))
        op.add_column(feed, sa.Column('status', sa.String(length=20), nullable=True))
        op.execute(
            f"UPDATE {feed} f SET due_at = t.due_at, status = t.status FROM {table} t"
            " WHERE t.id = f.id"
        )
        op.alter_column(feed, 'due_at', nullable=False)
        op.alter_column(feed, 'status', nullable=False)
        op.create_index(
            op.f(f'ix_{feed}_unit_key_due_at_id'),
            feed,
            ['unit_key', 'due_at', 'id'],
            postgresql_include=['status'],
        )
    load_sql("0009_feeds.sql", "995801fa76f7946b2918f51f41bf11f3a3e19ed564dc64a292e98578d61f70ec")
    for table, path, statuses in OPEN:
        for key in ("due_at", "updated_at"):
            op.create_index(
                op.f(f'ix_{table}_{path}_{key}_open'),
                table,
                [path, key],
                postgresql_where=sa.text(f"status IN ({statuses})"),
            )
    op.create_table(
        'due_sweeps',
        sa.Column('org_id', sa.Uuid(), nullable=False),
        sa.Column('kind', sa.String(length=30), nullable=False),
        sa.Column('swept_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('swept_before', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('org_id', 'kind', name=op.f('pk_due_sweeps')),
    )


def downgrade() -> None:
    op.drop_table('due_sweeps')
    for table, path, _ in OPEN:
        for key in ("due_at", "updated_at"):
            op.drop_index(op.f(f'ix_{table}_{path}_{key}_open'), table_name=table)
    load_sql("0006_feeds.sql", "29d92886d94b1580bb12f4c25d0d62e1885f026fb65a9f84f7de67fd6a7623e0")
    for feed in FEEDS:
        op.drop_index(op.f(f'ix_{feed}_unit_key_due_at_id'), table_name=feed)
        op.drop_column(feed, 'status')
        op.drop_column(feed, 'due_at')
