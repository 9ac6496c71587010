"""Maintained rollups for the dashboard summary (`GET /api/v1/stats/summary`) and the
scorecards (`GET /api/v1/stats/scorecards`).

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

The scorecards count an item once, against the unit that must act on it (a task's
assignee, an issue's current handler) and each of that unit's ancestors, never against
the issuer or reporter: `org_key` runs over the acting party's path only. Tasks and
issues are kept per local day of their issue or raising (`stats_task_days`,
`stats_issue_days`; the day in the zone `stats_zone` holds), and the open ones by due date
in the same buckets as above (`stats_assignee_task_due`, `stats_handler_issue_due`), so
"overdue now" per child unit is read the way the summary reads it. docs/scorecards.md
defines every metric. Migration 0014 (sql/0014_stats.sql) keeps them.
"""

from datetime import date
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


class StatsZone(SQLModel, table=True):
    """One row: the time zone whose local dates `stats_task_days` and `stats_issue_days`
    are kept in (TIME_ZONE when migration 0014 ran; see docs/scorecards.md to change it)."""

    __tablename__ = "stats_zone"

    time_zone: str = Field(primary_key=True, max_length=64)


class _Days(SQLModel):
    org_key: int = _key()
    day: date = Field(primary_key=True)
    slot: int = _key(sa.SmallInteger)


class TaskDayRollup(_Days, table=True):
    """Tasks (cancelled ones left out) issued on `day`, against each unit of the assignee's
    path: how many, and how many were accepted by the acceptance limit, submitted at least
    once, returned at least once by the issuer, done, done having been submitted by the due
    date, done at the first submission."""

    __tablename__ = "stats_task_days"

    received: int = _counter()
    accepted_on_time: int = _counter()
    submitted: int = _counter()
    returned: int = _counter()
    done: int = _counter()
    done_on_time: int = _counter()
    done_first: int = _counter()


class IssueDayRollup(_Days, table=True):
    """Issues raised on `day`, against each unit of the current handler's path: how many,
    resolved (or closed), resolved by the due date, rated, and the sum of the ratings."""

    __tablename__ = "stats_issue_days"

    handled: int = _counter()
    resolved: int = _counter()
    resolved_on_time: int = _counter()
    rated: int = _counter()
    rating_sum: int = _counter()


class AssigneeTaskDueBucket(_DueBuckets, table=True):
    """Tasks whose due date counts (issued, accepted, in progress or returned) by due date,
    against each unit of the assignee's path."""

    __tablename__ = "stats_assignee_task_due"


class HandlerIssueDueBucket(_DueBuckets, table=True):
    """Unresolved issues by due date, against each unit of the current handler's path."""

    __tablename__ = "stats_handler_issue_due"
