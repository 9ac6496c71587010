"""list walk indexes: the sort-key indexes of tasks and issues carry the party paths and
status, so a list page walks the index alone and reads only its own rows

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-26 20:10:00

On a large live table, build the new indexes with CREATE INDEX CONCURRENTLY by hand
before running this revision's drops and creates, or run it in a quiet hour.
"""

from collections.abc import Sequence

from alembic import op

revision: str = '0004'
down_revision: str | None = '0003'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SORTS = ("due_at", "created_at", "updated_at")
INCLUDES = {
    "tasks": ["issuer_path", "assignee_path", "status"],
    "issues": ["reporter_path", "handler_path", "status"],
}


def upgrade() -> None:
    for table, include in INCLUDES.items():
        for key in SORTS:
            name = f"ix_{table}_{key}_id"
            op.drop_index(name, table_name=table)
            op.create_index(name, table, [key, "id"], postgresql_include=include)


def downgrade() -> None:
    for table in INCLUDES:
        for key in SORTS:
            name = f"ix_{table}_{key}_id"
            op.drop_index(name, table_name=table)
            op.create_index(name, table, [key, "id"])
