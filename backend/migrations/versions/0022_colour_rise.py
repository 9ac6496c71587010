"""colour transitions read only the items the clock will raise: an index on each item's
next colour rise (colour_rise(), sql/0022_colour_rise.sql)

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-04 19:20:00

The colour-transition job (every 5 minutes) read every task and issue: 0.9 s a table at
1M rows, for the few whose colour the clock had moved. The index holds only the items
whose recorded colour a moment will still raise, by the first such moment.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from app.core.sql_files import load_sql

revision: str = "0022"
down_revision: str | None = "0021"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

RISE = "colour_rise(colour, red_from, yellow_from, blue_from)"


def upgrade() -> None:
    load_sql(
        "0022_colour_rise.sql", "c0d654afc94935f69430dbd23da490504b99ef97a72296ebb235d2db08bfb4a7"
    )
    for table in ("tasks", "issues"):
        op.create_index(
            f"ix_{table}_colour_rise",
            table,
            [sa.text(RISE)],
            postgresql_where=sa.text(f"{RISE} IS NOT NULL"),
        )


def downgrade() -> None:
    for table in ("tasks", "issues"):
        op.drop_index(f"ix_{table}_colour_rise", table_name=table)
    op.execute("DROP FUNCTION colour_rise(varchar, timestamptz, timestamptz, timestamptz)")
