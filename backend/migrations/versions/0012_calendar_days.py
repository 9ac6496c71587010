"""calendar days: working days, seeded from chinese-calendar for the years it knows

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-02 01:30:00

The seed is the pinned chinese-calendar's (1.11.0: 2004 to 2026). Later years are entered
by root admins (PUT /api/v1/calendar/overrides); a newer package is not re-read, so a
database upgraded long ago and a fresh one hold the same days.
"""

from collections.abc import Sequence
from datetime import date, timedelta

import chinese_calendar
import sqlalchemy as sa
from alembic import op

from app.calendar.days import ADJUSTED_SUFFIX, ordinary

revision: str = '0012'
down_revision: str | None = '0011'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

FIRST, LAST = date(2004, 1, 1), date(2026, 12, 31)
CHINESE = {h.value: h.chinese for h in chinese_calendar.Holiday}


def _day(day: date) -> tuple[bool, str]:
    working = chinese_calendar.is_workday(day)
    _, holiday = chinese_calendar.get_holiday_detail(day)
    if holiday is None:
        return ordinary(day)
    name = CHINESE[holiday]
    return (True, f"{name}{ADJUSTED_SUFFIX}") if working else (False, name)


def upgrade() -> None:
    days = op.create_table(
        'calendar_days',
        sa.Column('day', sa.Date(), nullable=False),
        sa.Column('working', sa.Boolean(), nullable=False),
        sa.Column('name', sa.String(length=40), nullable=False),
        sa.Column('source', sa.String(length=10), nullable=False),
        sa.Column('updated_by', sa.Uuid(), nullable=True),
        sa.Column(
            'updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False
        ),
        sa.ForeignKeyConstraint(['updated_by'], ['users.id'], name=op.f('fk_calendar_days_updated_by_users'), ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('day', name=op.f('pk_calendar_days')),
    )
    rows = []
    day = FIRST
    while day <= LAST:
        working, name = _day(day)
        rows.append({'day': day, 'working': working, 'name': name, 'source': 'package'})
        day += timedelta(days=1)
    op.bulk_insert(days, rows)


def downgrade() -> None:
    op.drop_table('calendar_days')
