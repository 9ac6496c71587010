"""scorecards: per-unit daily rollups of tasks (by assignee) and issues (by handler), the
acceptance limit and the submission and return counts on tasks

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-02 09:00:00

sql/0014_stats.sql replaces 0006_stats.sql: the same counters for the summary with one
definition of overdue and on time (a submitted task is no longer overdue; a done task is
on time when it was submitted by its due date), plus the scorecard tables' triggers. The
new columns are filled from what is stored: the acceptance limit from the working-day
calendar (the first working day after the local issue date, 18:00), the counts from the
timeline. Every counter is then recomputed (stats_rebuild), which locks tasks and issues
against writes while it runs. docs/scorecards.md defines the metrics.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from app.core.config import get_settings
from app.core.sql_files import load_sql

revision: str = '0014'
down_revision: str | None = '0013'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

NEW_FUNCTIONS = [
    "stats_score_tasks()",
    "stats_score_issues()",
    "stats_score_task_rows(tasks[], tasks[])",
    "stats_score_issue_rows(issues[], issues[])",
    "stats_task_score_rows(tasks, integer)",
    "stats_task_acting_due_rows(tasks, integer)",
    "stats_issue_score_rows(issues, integer)",
    "stats_issue_acting_due_rows(issues, integer)",
    "stats_local_day(timestamptz)",
]
NEW_TRIGGERS = [
    (f"stats_{table}_scored_{verb}", table)
    for table in ("tasks", "issues")
    for verb in ("inserted", "updated", "deleted")
]


def _counter(name: str) -> sa.Column:
    return sa.Column(name, sa.BigInteger(), server_default='0', nullable=False)


def _day_table(name: str, counters: Sequence[str]) -> None:
    op.create_table(
        name,
        sa.Column('org_key', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('day', sa.Date(), nullable=False),
        sa.Column('slot', sa.SmallInteger(), autoincrement=False, nullable=False),
        *(_counter(c) for c in counters),
        sa.PrimaryKeyConstraint('org_key', 'day', 'slot', name=op.f(f'pk_{name}')),
    )


def _due_table(name: str) -> None:
    op.create_table(
        name,
        sa.Column('org_key', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('hours', sa.SmallInteger(), autoincrement=False, nullable=False),
        sa.Column('start_hour', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('slot', sa.SmallInteger(), autoincrement=False, nullable=False),
        _counter('n'),
        sa.PrimaryKeyConstraint('org_key', 'hours', 'start_hour', 'slot', name=op.f(f'pk_{name}')),
    )


def upgrade() -> None:
    op.add_column('tasks', sa.Column('accept_due_at', sa.DateTime(timezone=True), nullable=True))
    for column in ('submission_count', 'return_count'):
        op.add_column(
            'tasks', sa.Column(column, sa.SmallInteger(), server_default='0', nullable=False)
        )
    zone = get_settings().time_zone
    op.execute(
        sa.text(
            "UPDATE tasks AS t SET accept_due_at = ("
            " SELECT (min(c.day) + time '18:00') AT TIME ZONE :zone FROM calendar_days AS c"
            " WHERE c.working AND c.day > (t.created_at AT TIME ZONE :zone)::date)"
        ).bindparams(zone=zone)
    )
    op.execute(
        "UPDATE tasks AS t SET submission_count = e.submissions, return_count = e.returns"
        " FROM (SELECT entity_id, count(*) FILTER (WHERE action = 'submit') AS submissions,"
        " count(*) FILTER (WHERE action = 'return' AND from_status = 'submitted') AS returns"
        " FROM item_events WHERE entity_type = 'task' GROUP BY entity_id) AS e"
        " WHERE e.entity_id = t.id AND (e.submissions > 0 OR e.returns > 0)"
    )
    op.create_table(
        'stats_zone',
        sa.Column('time_zone', sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint('time_zone', name=op.f('pk_stats_zone')),
    )
    op.execute(sa.text("INSERT INTO stats_zone (time_zone) VALUES (:zone)").bindparams(zone=zone))
    _day_table(
        'stats_task_days',
        ('received', 'accepted_on_time', 'submitted', 'returned', 'done', 'done_on_time',
         'done_first'),
    )
    _day_table('stats_issue_days', ('handled', 'resolved', 'resolved_on_time', 'rated', 'rating_sum'))
    _due_table('stats_assignee_task_due')
    _due_table('stats_handler_issue_due')
    load_sql("0014_stats.sql", "c71ae563602b1e6c61224f5b8ef808bbc8553ba945cb916a575f2a6554f46c49")
    op.execute("SELECT stats_rebuild()")


def downgrade() -> None:
    load_sql("0006_stats.sql", "22be39e23a9a8c468dce202a54597258da47d72e3c0905fcb66cb7c4b62a726f")
    for trigger, table in NEW_TRIGGERS:
        op.execute(f"DROP TRIGGER {trigger} ON {table}")
    for function in NEW_FUNCTIONS:
        op.execute(f"DROP FUNCTION {function}")
    for table in (
        'stats_handler_issue_due',
        'stats_assignee_task_due',
        'stats_issue_days',
        'stats_task_days',
        'stats_zone',
    ):
        op.drop_table(table)
    for column in ('return_count', 'submission_count', 'accept_due_at'):
        op.drop_column('tasks', column)
    op.execute("SELECT stats_rebuild()")
