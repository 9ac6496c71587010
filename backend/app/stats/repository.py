"""The statement that reads the rollup tables (see models.py); the database's triggers
write them, the application only reads.

The summary of a unit is one plain-SQL statement, written once at import: the unit itself
(its path, for the scope check that follows), its rollup rows (summed over slots), its
due-date buckets around now and now + 48 h, and a live count of the open items due within
the current hour and within the hour 48 h ahead (an index range on due_at, a few rows).
The cost depends on the number of counters of one unit (a few dozen rows plus about a
hundred buckets), never on the number of items.

The live counts read `tasks` and `issues` here rather than through their domains: they
read, never write, those tables, and belong to this one statement.
"""

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import asyncpg

from app.core.repository import Repository
from app.issues.models import UNRESOLVED_STATUSES
from app.tasks.models import CLOSED_STATUSES

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
HOUR = timedelta(hours=1)
MONTH_HOURS = 720  # the widest due-date bucket: 30 days


@dataclass(frozen=True)
class Cut:
    """A moment t, split for "open and due before t": whole 30-day buckets before t's,
    whole days of t's 30-day bucket before t's day, whole hours of t's day before t's hour
    (all from the bucket tables), then the items due within t's hour before t (live)."""

    at: datetime
    month_hour: int  # start of t's 30-day bucket, in hours since the epoch
    day_hour: int  # start of t's day, in hours since the epoch
    hour: int  # t's hour, in hours since the epoch
    hour_start: datetime

    @classmethod
    def of(cls, at: datetime) -> "Cut":
        hour = (at - EPOCH) // HOUR
        return cls(
            at=at,
            month_hour=hour // MONTH_HOURS * MONTH_HOURS,
            day_hour=hour // 24 * 24,
            hour=hour,
            hour_start=EPOCH + hour * HOUR,
        )


# The statement's parameters, numbered in the order _params() gives them.
ORG, NOW, AHEAD = "$1", "$2", "$3"
NOW_MONTH, NOW_DAY, NOW_HOUR = "$4", "$5", "$6"
AHEAD_MONTH, AHEAD_DAY, AHEAD_HOUR = "$7", "$8", "$9"
NOW_HOUR_START, AHEAD_HOUR_START = "$10", "$11"


def _params(org_id: uuid.UUID, now: Cut, ahead: Cut) -> tuple[object, ...]:
    return (
        org_id,
        now.at,
        ahead.at,
        now.month_hour,
        now.day_hour,
        now.hour,
        ahead.month_hour,
        ahead.day_hour,
        ahead.hour,
        now.hour_start,
        ahead.hour_start,
    )


def _row(part: str, labels: Sequence[str] = (), values: Sequence[str] = ()) -> str:
    """Uniform columns for the union: part, a..d (labels), n, x, y, z, w (numbers)."""
    texts = [*labels, *["''"] * (4 - len(labels))]
    nums = [*values, *["0"] * (5 - len(values))]
    return ", ".join(
        [f"'{part}' AS part"]
        + [f"{text} AS {name}" for text, name in zip(texts, "abcd", strict=True)]
        + [f"{num} AS {name}" for num, name in zip(nums, "nxyzw", strict=True)]
    )


def _total(column: str, where: str | None = None) -> str:
    summed = f"sum({column})" if where is None else f"sum({column}) FILTER (WHERE {where})"
    return f"coalesce(CAST({summed} AS BIGINT), 0)"


UNIT_KEY = "(SELECT stats_unit.key FROM stats_unit)"


def _rollup(part: str, table: str, labels: Sequence[str], counters: Sequence[str]) -> str:
    """A unit's rollup rows of `table`, summed over slots."""
    keys = [f"{table}.{label}" for label in labels]
    sums = [_total(f"{table}.{counter}") for counter in counters]
    return (
        f"SELECT {_row(part, keys, sums)} FROM {table} WHERE {table}.org_key = {UNIT_KEY}"
        f" GROUP BY {', '.join(keys)}"
    )


def _due(part: str, table: str) -> str:
    """Open items due before now (n) and before now + 48 h (x), from the bucket rows each
    cut needs (see Cut): a hundred rows or so, however many items there are."""

    def before(month: str, day: str, hour: str) -> str:
        hours, start = f"{table}.hours", f"{table}.start_hour"
        return (
            f"({hours} = {MONTH_HOURS} AND {start} < {month}"
            f" OR {hours} = 24 AND {start} >= {month} AND {start} < {day}"
            f" OR {hours} = 1 AND {start} >= {day} AND {start} < {hour})"
        )

    before_now = before(NOW_MONTH, NOW_DAY, NOW_HOUR)
    before_ahead = before(AHEAD_MONTH, AHEAD_DAY, AHEAD_HOUR)
    counts = [_total(f"{table}.n", before_now), _total(f"{table}.n", before_ahead)]
    return (
        f"SELECT {_row(part, values=counts)} FROM {table}"
        f" WHERE {table}.org_key = {UNIT_KEY} AND ({before_now} OR {before_ahead})"
    )


def _live(part: str, table: str, is_open: str, parties: Sequence[str]) -> str:
    """The rest, counted from the items: open and due within now's hour before now (n), or
    within the hour of now + 48 h before it (x). An index range on due_at, a few rows."""
    due_at = f"{table}.due_at"
    counts = [
        f"count(*) FILTER (WHERE {due_at} < {NOW})",
        f"count(*) FILTER (WHERE {due_at} >= {AHEAD_HOUR_START})",
    ]
    # The unit's subtree: from its path to its next sibling's (see app.access.scope).
    in_subtree = " OR ".join(
        f"{table}.{column} >= (SELECT stats_unit.low FROM stats_unit)"
        f" AND {table}.{column} < (SELECT stats_unit.high FROM stats_unit)"
        for column in parties
    )
    return (
        f"SELECT {_row(part, values=counts)} FROM {table}"
        f" WHERE {table}.status {is_open} AND ({in_subtree})"
        f" AND ({due_at} >= {NOW_HOUR_START} AND {due_at} < {NOW}"
        f" OR {due_at} >= {AHEAD_HOUR_START} AND {due_at} < {AHEAD})"
    )


def _listed(statuses: Sequence[str]) -> str:
    return "(" + ", ".join(f"'{status}'" for status in sorted(statuses)) + ")"


SUMMARY = " UNION ALL ".join(
    [
        "WITH stats_unit AS (SELECT key, name, kind, tier, path AS low,"
        " array_append(trim_array(path, 1), path[cardinality(path)] + 1) AS high"
        f" FROM org_units WHERE id = {ORG})"
        " SELECT "
        + _row("unit", ["name", "kind", "tier", "array_to_string(low, ',')"])
        + " FROM stats_unit",
        _rollup(
            "task",
            "stats_task_rollups",
            ["status", "priority"],
            ["n", "on_time", "timed", "seconds"],
        ),
        _rollup(
            "issue",
            "stats_issue_rollups",
            ["dimension", "value"],
            ["n", "timed", "seconds", "rated", "rating_sum"],
        ),
        _due("task_due", "stats_task_due"),
        _due("issue_due", "stats_issue_due"),
        _live(
            "task_live",
            "tasks",
            f"NOT IN {_listed([s.value for s in CLOSED_STATUSES])}",
            ["issuer_path", "assignee_path"],
        ),
        _live(
            "issue_live",
            "issues",
            f"IN {_listed([s.value for s in UNRESOLVED_STATUSES])}",
            ["reporter_path", "handler_path"],
        ),
    ]
)


class StatsRepository(Repository):
    async def summary_rows(
        self, org_id: uuid.UUID, *, now: datetime, ahead: datetime
    ) -> list[asyncpg.Record]:
        """The unit's row (part 'unit': a name, b kind, c tier, d its path as "1,4,17"; none
        when there is no such unit) and its counters as of `now`, with open items due before
        `now` and before `ahead` (see _row and the parts above for the columns)."""
        rows: list[asyncpg.Record] = await (await self.connection()).fetch(
            SUMMARY, *_params(org_id, Cut.of(now), Cut.of(ahead))
        )
        return rows

    async def compact(self) -> None:
        """Fold every unit's slots into slot 0 (see models.py), so summaries read few rows."""
        connection = await self.connection()
        await connection.execute("SELECT stats_compact()")
