"""The chasing ladder (催办): each root unit's policy, and the steps taken on each item.

A step is recorded once per item, step and deadline in force (chase_steps' key), so a
sweep may run any number of times, concurrently or after a gap, and a new deadline (an
approved extension, a 督办单) starts the item's ladder afresh.
"""

import uuid
from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from app.core.models import one_of, timestamp

# Every step's working days lie in this range.
MAX_WORKING_DAYS = 30


class Step(StrEnum):
    """The rungs, in the order an item climbs them."""

    reminder = "reminder"  # 提醒: before the deadline, to the unit that must act
    notice = "notice"  # 催办通知: after it, to that unit's leaders and officers
    circular = "circular"  # 通报: to the issuing (reporting) unit and the acting unit's parent
    supervision = "supervision"  # 督办: the tier above issues a 督办单 (note and new date)


class Clock(StrEnum):
    """Which deadline an item is chased against."""

    due = "due"  # its due date
    acceptance = "acceptance"  # an unsigned task's acceptance limit (签收)


class ChasingPolicy(SQLModel, table=True):
    """One root unit's ladder, in working days; a root without a row uses DEFAULT_POLICY."""

    __tablename__ = "chasing_policies"
    __table_args__ = (
        sa.CheckConstraint(
            f"reminder_days_before BETWEEN 0 AND {MAX_WORKING_DAYS}"
            f" AND notice_days_after BETWEEN 0 AND {MAX_WORKING_DAYS}"
            " AND notice_days_after < circular_days_after"
            " AND circular_days_after < supervision_days_after"
            f" AND supervision_days_after <= {MAX_WORKING_DAYS}",
            name="steps_valid",
        ),
    )

    root_org_id: uuid.UUID = Field(primary_key=True, foreign_key="org_units.id", ondelete="CASCADE")
    reminder_days_before: int = Field(sa_type=sa.SmallInteger)
    notice_days_after: int = Field(sa_type=sa.SmallInteger)
    circular_days_after: int = Field(sa_type=sa.SmallInteger)
    supervision_days_after: int = Field(sa_type=sa.SmallInteger)
    updated_by: uuid.UUID | None = Field(default=None, foreign_key="users.id", ondelete="SET NULL")
    updated_at: datetime = timestamp()


class ChaseStep(SQLModel, table=True):
    """That an item reached a step for the deadline then in force. A supervision step
    also names the unit that must issue the 督办单, and when it was issued."""

    __tablename__ = "chase_steps"
    __table_args__ = (
        sa.CheckConstraint(one_of("step", Step), name="step_valid"),
        sa.CheckConstraint(one_of("clock", Clock), name="clock_valid"),
        sa.CheckConstraint("entity_type IN ('task','issue')", name="entity_type_valid"),
        # The supervision to-do: steps waiting on a 督办单, by the unit that must issue it.
        sa.Index(
            "ix_chase_steps_supervisor_waiting",
            "supervisor_org_id",
            postgresql_where=sa.text("step = 'supervision' AND supervised_at IS NULL"),
        ),
    )

    entity_id: uuid.UUID = Field(primary_key=True)
    step: str = Field(primary_key=True, max_length=12)
    deadline: datetime = Field(primary_key=True, sa_type=sa.DateTime(timezone=True))
    entity_type: str = Field(max_length=10)
    clock: str = Field(max_length=12)
    recorded_at: datetime = timestamp()
    supervisor_org_id: uuid.UUID | None = Field(
        default=None, foreign_key="org_units.id", ondelete="CASCADE"
    )
    supervised_at: datetime | None = timestamp(nullable=True)
    supervised_by: uuid.UUID | None = Field(
        default=None, foreign_key="users.id", ondelete="SET NULL"
    )
