"""to-do: one partial index per kind of to-do on tasks and issues (by the unit that must
act, then due date), and the unit a notice speaks for when it reached an ancestor

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-04 09:00:00

The indexes' predicates are the kinds' states (TODO_STATES in app/tasks/models.py and
app/issues/models.py), so a to-do or a `todo=` list reads only its own entries.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0016'
down_revision: str | None = '0015'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INDEXES = [
    ('tasks', 'accept', 'assignee_org_id', "status = 'issued'"),
    (
        'tasks',
        'work',
        'assignee_org_id',
        "(status IN ('accepted', 'in_progress')"
        " OR (status = 'returned' AND returned_by = 'issuer'))",
    ),
    ('tasks', 'verify', 'issuer_org_id', "status = 'submitted'"),
    (
        'tasks',
        'extension',
        'issuer_org_id',
        "(extension_due_at IS NOT NULL AND status NOT IN ('done', 'cancelled'))",
    ),
    ('tasks', 'reissue', 'issuer_org_id', "(status = 'returned' AND returned_by = 'assignee')"),
    ('issues', 'handle', 'handler_org_id', "status IN ('open', 'acknowledged')"),
    ('issues', 'confirm', 'reporter_org_id', "status = 'resolved'"),
]


def upgrade() -> None:
    for table, kind, unit, state in INDEXES:
        op.create_index(
            f'ix_{table}_todo_{kind}',
            table,
            [unit, 'due_at', 'id'],
            unique=False,
            postgresql_where=sa.text(state),
        )
    op.add_column('notifications', sa.Column('on_behalf_of_org_id', sa.Uuid(), nullable=True))
    op.create_foreign_key(
        op.f('fk_notifications_on_behalf_of_org_id_org_units'),
        'notifications',
        'org_units',
        ['on_behalf_of_org_id'],
        ['id'],
        ondelete='CASCADE',
    )


def downgrade() -> None:
    op.drop_constraint(
        op.f('fk_notifications_on_behalf_of_org_id_org_units'), 'notifications', type_='foreignkey'
    )
    op.drop_column('notifications', 'on_behalf_of_org_id')
    for table, kind, _, _ in INDEXES:
        op.drop_index(f'ix_{table}_todo_{kind}', table_name=table)
