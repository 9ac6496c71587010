"""chase_ack to-do: each person's chasing notices not yet acknowledged (已阅), by recipient

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-02 12:00:00

The supervise to-do reads ix_chase_steps_supervisor_waiting (0018); the chase_ack to-do
needs its own index, so that it costs what the caller's unacknowledged notices hold.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0019'
down_revision: str | None = '0018'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        'ix_notifications_unacknowledged',
        'notifications',
        ['user_id', 'entity_type', 'entity_id'],
        postgresql_where=sa.text(
            "acknowledged_at IS NULL AND kind IN"
            " ('chase_circular', 'chase_notice', 'chase_reminder', 'chase_supervision')"
        ),
    )


def downgrade() -> None:
    op.drop_index('ix_notifications_unacknowledged', table_name='notifications')
