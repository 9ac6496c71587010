"""procrastinate 3.10.0: the job queue's tables and functions, in their own schema

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02 01:00:00

The file is procrastinate's own schema.sql of the pinned version, unchanged. A later
procrastinate version gets its own revision, applying that version's migration files
(procrastinate/sql/migrations) in order, and the pin moves with it.
"""

from collections.abc import Sequence

from alembic import op

from app.core.sql_files import load_sql

revision: str = '0010'
down_revision: str | None = '0009'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.execute("CREATE SCHEMA procrastinate")
    op.execute("SET LOCAL search_path TO procrastinate")
    load_sql(
        "0010_procrastinate_3_10_0.sql",
        "c70ec4b400a60ad9592787653aae5ae77ae41bf801d56b5bd2712751a07f2009",
    )
    op.execute("SET LOCAL search_path TO DEFAULT")


def downgrade() -> None:
    op.execute("DROP SCHEMA procrastinate CASCADE")
