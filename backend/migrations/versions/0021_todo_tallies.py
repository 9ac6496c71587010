"""to-do tallies: how many items wait in each kind of to-do, per (acting unit, other
party's unit), kept by triggers, so that a to-do's counts cost what its units are, not
what waits on them

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-02 19:30:00

A county's to-do counted every item waiting on it, which grows with the table (2,993 at
1M rows, ten times that at 10M). sql/0021_todo.sql keeps the tallies; they are filled
from the rows here (todo_rebuild(), which locks tasks and issues against writes while it
runs). Two small indexes find the items a person did the judged work on, which their own
count leaves out.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from app.core.sql_files import load_sql

revision: str = '0021'
down_revision: str | None = '0020'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

FUNCTIONS = [
    "todo_task_rows(tasks, integer)",
    "todo_issue_rows(issues, integer)",
    "todo_track_tasks()",
    "todo_track_issues()",
    "todo_clear()",
    "todo_rebuild()",
    "todo_compact()",
]
TRIGGERS = [
    (f"todo_{table}_{verb}", table)
    for table in ("tasks", "issues")
    for verb in ("inserted", "updated", "deleted", "truncated")
]


def upgrade() -> None:
    op.create_table(
        'todo_tallies',
        sa.Column('kind', sa.String(length=20), nullable=False),
        sa.Column('acting_org_id', sa.Uuid(), nullable=False),
        sa.Column('other_org_id', sa.Uuid(), nullable=False),
        sa.Column('slot', sa.SmallInteger(), autoincrement=False, nullable=False),
        sa.Column('n', sa.BigInteger(), server_default='0', nullable=False),
        sa.PrimaryKeyConstraint(
            'kind', 'acting_org_id', 'other_org_id', 'slot', name=op.f('pk_todo_tallies')
        ),
    )
    op.create_index(
        'ix_tasks_verify_submitted_by',
        'tasks',
        ['submitted_by'],
        postgresql_where=sa.text("status = 'submitted'"),
    )
    op.create_index(
        'ix_issues_confirm_resolved_by_user_id',
        'issues',
        ['resolved_by_user_id'],
        postgresql_where=sa.text("status = 'resolved'"),
    )
    load_sql("0021_todo.sql", "15e0605b64dfd05a6a60d3780b6eba2e02d656666f1844de266a281a015380a4")
    op.execute("SELECT todo_rebuild()")


def downgrade() -> None:
    for trigger, table in TRIGGERS:
        op.execute(f"DROP TRIGGER {trigger} ON {table}")
    for function in FUNCTIONS:
        op.execute(f"DROP FUNCTION {function}")
    op.drop_index('ix_issues_confirm_resolved_by_user_id', table_name='issues')
    op.drop_index('ix_tasks_verify_submitted_by', table_name='tasks')
    op.drop_table('todo_tallies')
