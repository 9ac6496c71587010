"""Working days: one row per date, so that counting and stepping are index range scans.

Seeded by migration from the pinned `chinese-calendar` package for the years it knows;
later years and local changes are entered by root admins (overrides). A year entered by
override is filled with the ordinary week (Monday to Friday working) first, then the
State Council's holidays and adjusted working days are written over it.
"""

import uuid
from datetime import date, datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from app.core.models import timestamp


class DaySource(StrEnum):
    package = "package"  # chinese-calendar, at the migration
    week = "week"  # the ordinary week, filled in for a year entered by override
    override = "override"  # entered by a root admin


class CalendarDay(SQLModel, table=True):
    __tablename__ = "calendar_days"

    day: date = Field(primary_key=True)
    working: bool
    name: str = Field(max_length=40)
    source: DaySource = Field(sa_column=sa.Column(sa.String(10), nullable=False))
    updated_by: uuid.UUID | None = Field(default=None, foreign_key="users.id", ondelete="SET NULL")
    updated_at: datetime = timestamp()
