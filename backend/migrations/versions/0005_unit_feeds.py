"""unit feeds: task_feed and issue_feed, one row per item and unit whose subtree holds
one of its parties, kept by triggers

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-26 20:45:00

The newest-first list of a unit (the default list view) is then a range of the feed's
primary key, whatever the size of the table or the age of the unit's items. Inserts add
the rows; updates that move a party or the creation time replace them; deletes cascade.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0005'
down_revision: str | None = '0004'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

FEEDS = {
    "tasks": ("task_feed", "issuer_path", "assignee_path"),
    "issues": ("issue_feed", "reporter_path", "handler_path"),
}


def _rows(source: str, first: str, second: str) -> str:
    return (
        f"SELECT DISTINCT k, n.created_at, n.id FROM {source} n, "
        f"unnest(n.{first} || n.{second}) AS k"
    )


def upgrade() -> None:
    for table, (feed, first, second) in FEEDS.items():
        op.create_table(
            feed,
            sa.Column('unit_key', sa.Integer(), nullable=False),
            sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
            sa.Column('id', sa.Uuid(), nullable=False),
            sa.ForeignKeyConstraint(
                ['id'], [f'{table}.id'], name=op.f(f'fk_{feed}_id_{table}'), ondelete='CASCADE'
            ),
            sa.PrimaryKeyConstraint('unit_key', 'created_at', 'id', name=op.f(f'pk_{feed}')),
        )
        op.create_index(op.f(f'ix_{feed}_id'), feed, ['id'], unique=False)
        changed = (
            f"(o.{first}, o.{second}, o.created_at) IS DISTINCT FROM "
            f"(n.{first}, n.{second}, n.created_at)"
        )
        moved = (
            f"(SELECT n.* FROM old_rows o JOIN new_rows n ON n.id = o.id WHERE {changed})"
        )
        op.execute(f"""
CREATE FUNCTION {feed}_add() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO {feed} (unit_key, created_at, id) {_rows('new_rows', first, second)};
    RETURN NULL;
END $$""")
        op.execute(f"""
CREATE FUNCTION {feed}_move() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM {feed} f USING old_rows o JOIN new_rows n ON n.id = o.id
        WHERE f.id = o.id AND {changed};
    INSERT INTO {feed} (unit_key, created_at, id) {_rows(moved, first, second)};
    RETURN NULL;
END $$""")
        op.execute(f"""
CREATE TRIGGER {feed}_inserted AFTER INSERT ON {table}
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION {feed}_add()""")
        op.execute(f"""
CREATE TRIGGER {feed}_updated AFTER UPDATE ON {table}
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION {feed}_move()""")
        op.execute(f"INSERT INTO {feed} (unit_key, created_at, id) {_rows(table, first, second)}")


def downgrade() -> None:
    for table, (feed, _, _) in FEEDS.items():
        op.execute(f"DROP TRIGGER {feed}_updated ON {table}")
        op.execute(f"DROP TRIGGER {feed}_inserted ON {table}")
        op.execute(f"DROP FUNCTION {feed}_move()")
        op.execute(f"DROP FUNCTION {feed}_add()")
        op.drop_index(op.f(f'ix_{feed}_id'), table_name=feed)
        op.drop_table(feed)
