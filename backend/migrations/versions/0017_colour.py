"""colour (亮灯): the moments each colour starts, the yellow flag and the recorded colour on
tasks and issues, kept by triggers (sql/0017_colour.sql)

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-04 09:00:00

Existing open rows are filled set-wise by the trigger itself: one UPDATE per table sets the
yellow flag from the timeline (a task returned and not submitted since, an issue reopened
and not resolved since), and the trigger works out the moments and the colour as of the
migration. Those first colours are not events: history starts there.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from app.core.sql_files import load_sql

revision: str = '0017'
down_revision: str | None = '0016'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = {'tasks': ('issuer_path', 'assignee_path'), 'issues': ('reporter_path', 'handler_path')}
MOMENTS = ('red_from', 'yellow_from', 'blue_from')
FUNCTIONS = [
    "colour_working_day_before(date, integer)",
    "colour_working_day_after(date, integer)",
    "colour_blue_from(timestamptz)",
    "colour_blue_until(timestamptz)",
    "colour_at(timestamptz, boolean, timestamptz, timestamptz, timestamptz)",
    "colour_task_moments()",
    "colour_issue_moments()",
    "colour_changed()",
]
TRIGGERS = [
    ('colour_tasks_moments', 'tasks'),
    ('colour_issues_moments', 'issues'),
    ('colour_tasks_changed', 'tasks'),
    ('colour_issues_changed', 'issues'),
]


def upgrade() -> None:
    for table, parties in TABLES.items():
        for moment in MOMENTS:
            op.add_column(table, sa.Column(moment, sa.DateTime(timezone=True), nullable=True))
        op.add_column(
            table, sa.Column('yellow', sa.Boolean(), server_default='false', nullable=False)
        )
        op.add_column(
            table, sa.Column('colour', sa.String(length=10), server_default='green', nullable=False)
        )
        op.create_check_constraint(
            op.f(f'ck_{table}_colour_valid'),
            table,
            "colour IN ('red','yellow','blue','green')",
        )
        include = [*parties, 'status', 'colour']
        for moment in MOMENTS:
            op.create_index(
                f'ix_{table}_{moment}',
                table,
                [moment],
                postgresql_include=include,
                postgresql_where=sa.text(f'{moment} IS NOT NULL'),
            )
        op.create_index(
            f'ix_{table}_yellow',
            table,
            ['created_at', 'id'],
            postgresql_include=include,
            postgresql_where=sa.text('yellow'),
        )
    load_sql("0017_colour.sql", "eda532e3fb0578b5d06e50b412502ad27e6d8c413b7d74d7b4338f5d79032bcb")
    # The moments and the recorded colour come from the trigger itself; the changes are
    # not events (history starts here).
    for table in TABLES:
        op.execute(f"ALTER TABLE {table} DISABLE TRIGGER colour_{table}_changed")
    op.execute(
        """
        UPDATE tasks AS t SET yellow = EXISTS (
            SELECT 1 FROM item_events AS r
            WHERE r.entity_id = t.id AND r.entity_type = 'task' AND r.action = 'return'
              AND NOT EXISTS (
                SELECT 1 FROM item_events AS s
                WHERE s.entity_id = t.id AND s.entity_type = 'task'
                  AND s.action = 'submit' AND s.id > r.id))
        WHERE t.status IN ('issued', 'accepted', 'in_progress', 'returned')
        """
    )
    op.execute(
        """
        UPDATE issues AS i SET yellow = EXISTS (
            SELECT 1 FROM item_events AS e
            WHERE e.entity_id = i.id AND e.entity_type = 'issue' AND e.action = 'reopen')
        WHERE i.status IN ('open', 'acknowledged')
        """
    )
    for table in TABLES:
        op.execute(f"ALTER TABLE {table} ENABLE TRIGGER colour_{table}_changed")


def downgrade() -> None:
    for trigger, table in TRIGGERS:
        op.execute(f"DROP TRIGGER {trigger} ON {table}")
    for function in FUNCTIONS:
        op.execute(f"DROP FUNCTION {function}")
    for table in TABLES:
        for index in (*MOMENTS, 'yellow'):
            op.drop_index(f'ix_{table}_{index}', table_name=table)
        op.drop_constraint(op.f(f'ck_{table}_colour_valid'), table, type_='check')
        for column in ('colour', 'yellow', *MOMENTS):
            op.drop_column(table, column)
