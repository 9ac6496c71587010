"""separation of duties: who submitted a task, who resolved an issue

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-03 09:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0013'
down_revision: str | None = '0012'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column('tasks', sa.Column('submitted_by', sa.Uuid(), nullable=True))
    op.add_column('issues', sa.Column('resolved_by_user_id', sa.Uuid(), nullable=True))
    op.create_foreign_key(
        op.f('fk_issues_resolved_by_user_id_users'),
        'issues',
        'users',
        ['resolved_by_user_id'],
        ['id'],
        ondelete='SET NULL',
    )
    # Existing items: the actor of the latest submission (resolution) on the timeline.
    op.execute(
        """
        UPDATE tasks t SET submitted_by = e.actor_id
        FROM (SELECT DISTINCT ON (entity_id) entity_id, actor_id FROM item_events
              WHERE entity_type = 'task' AND action = 'submit'
              ORDER BY entity_id, id DESC) e
        WHERE e.entity_id = t.id AND t.submitted_at IS NOT NULL
        """
    )
    op.execute(
        """
        UPDATE issues i SET resolved_by_user_id = u.id
        FROM (SELECT DISTINCT ON (entity_id) entity_id, actor_id FROM item_events
              WHERE entity_type = 'issue' AND action = 'resolve'
              ORDER BY entity_id, id DESC) e
        JOIN users u ON u.id = e.actor_id
        WHERE e.entity_id = i.id AND i.resolved_at IS NOT NULL
        """
    )


def downgrade() -> None:
    op.drop_constraint(op.f('fk_issues_resolved_by_user_id_users'), 'issues', type_='foreignkey')
    op.drop_column('issues', 'resolved_by_user_id')
    op.drop_column('tasks', 'submitted_by')
