"""to-do indexes cover what the to-do reads: its counts and page come from the partial
indexes alone (index-only scans), not from item rows scattered over the table

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-02 14:00:00

A county's to-do counts every item waiting on it exactly; reading each one's row made it
grow with the table (404 ms at 10M rows). Each index of 0016 is rebuilt with the party
paths and units, who did the judged work, the title, status and colour moments included.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0020'
down_revision: str | None = '0019'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SHOWN = ['title', 'status', 'red_from', 'yellow', 'yellow_from', 'blue_from']
INCLUDE = {
    'tasks': ['issuer_path', 'assignee_path', 'issuer_org_id', 'assignee_org_id', 'submitted_by'],
    'issues': [
        'reporter_path',
        'handler_path',
        'reporter_org_id',
        'handler_org_id',
        'resolved_by_user_id',
    ],
}
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


def _rebuild(covering: bool) -> None:
    for table, kind, unit, state in INDEXES:
        name = f'ix_{table}_todo_{kind}'
        op.drop_index(name, table_name=table)
        op.create_index(
            name,
            table,
            [unit, 'due_at', 'id'],
            unique=False,
            postgresql_include=[*INCLUDE[table], *SHOWN] if covering else [],
            postgresql_where=sa.text(state),
        )


def upgrade() -> None:
    _rebuild(covering=True)


def downgrade() -> None:
    _rebuild(covering=False)
