"""to-do indexes cover what the to-do reads: its counts and page come from the partial
indexes alone (index-only scans), not from item rows scattered over the table

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-02 14:00:00

A county's to-do counts every item waiting on it exactly; reading each one's row made it
grow with the table (404 ms at 10M rows). Each index of 0016 is rebuilt from its own
definition with the party paths and units, who did the judged work, the title, status and
colour moments included.
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


def _rebuild(covering: bool) -> None:
    """Each to-do index again, from its own definition (0016's keys and predicates), with
    or without the covered columns."""
    found = op.get_bind().execute(
        sa.text(
            "SELECT indexname, tablename, indexdef FROM pg_indexes"
            " WHERE schemaname = current_schema() AND indexname ~ '^ix_(tasks|issues)_todo_'"
        )
    )
    for name, table, definition in found.all():
        head, _, predicate = definition.partition(" WHERE ")
        keys = head.split(" INCLUDE ")[0]
        include = f" INCLUDE ({', '.join([*INCLUDE[table], *SHOWN])})" if covering else ""
        op.execute(f"DROP INDEX {name}")
        op.execute(f"{keys}{include} WHERE {predicate}")


def upgrade() -> None:
    _rebuild(covering=True)


def downgrade() -> None:
    _rebuild(covering=False)
