"""chase_ack to-do by due date: a chasing notice carries its item's due date (kept by
triggers, sql/0023_chase_ack.sql), and the to-do counts and pages from its index alone

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-04 19:40:00

A county leader with 2,876 unacknowledged chasing notices waited 63 ms for the to-do
(21 ms without them): each notice's item was read to order the page and to check it was
still in the caller's lists. The page now walks the notices by their items' due date,
and a notice counts while its recipient still holds a grant at the unit it reached them
at (its org_id), which the index carries.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from app.core.sql_files import load_sql

revision: str = '0023'
down_revision: str | None = '0022'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CHASING = "('chase_circular', 'chase_notice', 'chase_reminder', 'chase_supervision')"
UNACKNOWLEDGED = f"acknowledged_at IS NULL AND kind IN {CHASING}"


def upgrade() -> None:
    op.add_column(
        'notifications', sa.Column('item_due_at', sa.DateTime(timezone=True), nullable=True)
    )
    for table, item_type in (('tasks', 'task'), ('issues', 'issue')):
        op.execute(
            f"UPDATE notifications n SET item_due_at = x.due_at FROM {table} x"
            f" WHERE x.id = n.entity_id AND n.entity_type = '{item_type}'"
            f" AND n.acknowledged_at IS NULL AND n.kind IN {CHASING}"
        )
    op.drop_index('ix_notifications_unacknowledged', table_name='notifications')
    op.create_index(
        'ix_notifications_unacknowledged',
        'notifications',
        ['user_id', 'item_due_at', 'entity_type', 'entity_id'],
        postgresql_include=['org_id'],
        postgresql_where=sa.text(UNACKNOWLEDGED),
    )
    op.create_index(
        'ix_notifications_unacknowledged_entity_id',
        'notifications',
        ['entity_id'],
        postgresql_where=sa.text(UNACKNOWLEDGED),
    )
    load_sql("0023_chase_ack.sql", "c9e8474fe93ac91d98eaeb2783ce0ca5fadb7be8d9fb7d63f7d34f629e0e63db")


def downgrade() -> None:
    for trigger, table in (
        ('notifications_item_due', 'notifications'),
        ('notifications_task_due_moved', 'tasks'),
        ('notifications_issue_due_moved', 'issues'),
    ):
        op.execute(f'DROP TRIGGER {trigger} ON {table}')
    op.execute('DROP FUNCTION notifications_item_due()')
    op.execute('DROP FUNCTION notifications_item_due_moved()')
    op.drop_index('ix_notifications_unacknowledged_entity_id', table_name='notifications')
    op.drop_index('ix_notifications_unacknowledged', table_name='notifications')
    op.create_index(
        'ix_notifications_unacknowledged',
        'notifications',
        ['user_id', 'entity_type', 'entity_id'],
        postgresql_where=sa.text(UNACKNOWLEDGED),
    )
    op.drop_column('notifications', 'item_due_at')
