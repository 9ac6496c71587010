"""title search: tasks and issues keep the grams of their title (characters and pairs of
characters, lowercased) in a generated column with a GIN index, for `q` without pg_trgm

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-03 10:00:00

The functions are in migrations/sql/0008_search.sql. Adding a stored generated column
rewrites the table under an exclusive lock, and the index is built in the same
transaction: on a large live table, run this revision in a quiet hour (90 s for a million
rows of each table on the benchmark machine).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from app.core.sql_files import load_sql

revision: str = '0008'
down_revision: str | None = '0007'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = ("tasks", "issues")


def upgrade() -> None:
    load_sql("0008_search.sql", "0cc646c168aa216548b103b8abd8cf8770ef99fe1a5f5eb7e6682466ef2e59e6")
    for table in TABLES:
        op.add_column(
            table,
            sa.Column(
                'search_grams',
                postgresql.ARRAY(sa.Text()),
                sa.Computed('search_grams(title)', persisted=True),
                nullable=False,
            ),
        )
        op.create_index(
            op.f(f'ix_{table}_search_grams'), table, ['search_grams'], postgresql_using='gin'
        )


def downgrade() -> None:
    for table in TABLES:
        op.drop_index(op.f(f'ix_{table}_search_grams'), table_name=table)
        op.drop_column(table, 'search_grams')
    op.execute("DROP FUNCTION search_query_grams(text)")
    op.execute("DROP FUNCTION search_grams(text)")
