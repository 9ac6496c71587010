"""What each periodic job has done: one row per (kind, period).

A run claims its (kind, period) row in the same transaction as its work, so two workers
that both pick up a period do the work once (the second waits on the key, then finds it
taken), and a run that fails leaves no row behind: its retry claims the period afresh.
After the last attempt the failure itself is recorded, in a transaction of its own.
"""

from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from app.core.models import timestamp


class RunStatus(StrEnum):
    done = "done"
    failed = "failed"


class JobRun(SQLModel, table=True):
    __tablename__ = "job_runs"
    __table_args__ = (sa.Index(None, "kind", "finished_at"),)

    kind: str = Field(primary_key=True, max_length=40)
    # The local moment the period starts (the cron tick), as ISO text: readable and sortable.
    period: str = Field(primary_key=True, max_length=40)
    status: RunStatus = Field(sa_column=sa.Column(sa.String(10), nullable=False))
    attempts: int = Field(default=1)
    error: str | None = Field(default=None, max_length=2000)
    finished_at: datetime = timestamp()
