"""Maintained rollups for the dashboard summary (`GET /api/v1/stats/summary`).

An item counts for unit U when one of its party units lies in U's subtree, which is the
same as U's key appearing in one of the item's party paths. So each task or issue adds
itself once to every distinct key of the union of its party paths (task: issuer and
assignee; issue: reporter and current handler), and a summary for U reads only the rows
whose `org_key` is U's key, however many items there are.

The rows are kept by statement-level triggers on `tasks` and `issues` (migration 0003): each
INSERT, UPDATE or DELETE subtracts what the old rows contributed and adds what the new rows
contribute, so a status change, an escalation (new handler path) or a moved due date
adjusts exactly the rows it affects. `stats_rebuild()` recomputes everything from the raw
rows (after bulk loads; the consistency test compares both).

`slot` spreads concurrent writers over a few copies of each counter (pg_backend_pid() % 4)
so that parallel transactions seldom wait on the same row; readers sum over slots.
Counters may be negative within a slot; their sum never is. `stats_compact()` folds the
slots together and drops rows that reached zero.

Overdue and due soon depend on the clock, so open items are also counted by due date in
buckets of 30 days, a day and an hour (`hours` = 720, 24 or 1; `start_hour` = hours since
the Unix epoch, UTC, a multiple of `hours`): "open and due before t" is the 30-day buckets
before t's 30-day bucket, plus the day buckets of that bucket before t's day, plus the hour
buckets of t's day before t's hour, plus a live count of the few items due within t's hour
(an index range on due_at). A summary reads about a hundred bucket rows at most.
"""

from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

SLOTS = 4


def _key(sa_type: Any = sa.Integer) -> Any:
    return Field(primary_key=True, sa_type=sa_type, sa_column_kwargs={"autoincrement": False})


def _counter() -> Any:
    return Field(default=0, sa_type=sa.BigInteger, sa_column_kwargs={"server_default": "0"})


class TaskRollup(SQLModel, table=True):
    """Tasks by status and priority, per unit (summed over slots)."""

    __tablename__ = "stats_task_rollups"

    org_key: int = _key()
    status: str = Field(primary_key=True, max_length=20)
    priority: str = Field(primary_key=True, max_length=10)
    slot: int = _key(sa.SmallInteger)
    n: int = _counter()
    # Done tasks: completed by their due date; with a completion time; seconds from
    # creation to completion (floor, summed).
    on_time: int = _counter()
    timed: int = _counter()
    seconds: int = _counter()


class IssueRollup(SQLModel, table=True):
    """Issues along a few dimensions, one row per (dimension, value): `status` (every
    issue), `severity` and `category` (unresolved ones), `tier` (resolved or closed ones, by
    the tier that resolved them). A unit has a couple of dozen rows, whatever the volume."""

    __tablename__ = "stats_issue_rollups"

    org_key: int = _key()
    dimension: str = Field(primary_key=True, max_length=10)
    value: str = Field(primary_key=True, max_length=20)
    slot: int = _key(sa.SmallInteger)
    n: int = _counter()
    # `tier` rows: issues with a resolution time; seconds from raising to resolution.
    timed: int = _counter()
    seconds: int = _counter()
    # `status` rows: issues the reporter rated (on closing), and the sum of the ratings.
    rated: int = _counter()
    rating_sum: int = _counter()


class _DueBuckets(SQLModel):
    """Open items of one unit by due date: `n` items due in the `hours` from `start_hour`
    (30-day, day and hour buckets; see the module docstring)."""

    org_key: int = _key()
    hours: int = _key(sa.SmallInteger)
    start_hour: int = _key()
    slot: int = _key(sa.SmallInteger)
    n: int = _counter()


class TaskDueBucket(_DueBuckets, table=True):
    """Open tasks (not done or cancelled) by due date, in 30-day, day and hour buckets."""

    __tablename__ = "stats_task_due"


class IssueDueBucket(_DueBuckets, table=True):
    """Unresolved issues (open or acknowledged) by due date, in 30-day, day and hour
    buckets."""

    __tablename__ = "stats_issue_due"
