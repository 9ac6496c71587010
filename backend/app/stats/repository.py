"""The statement that reads the rollup tables (see models.py); the database's triggers
write them, the application only reads.

The summary of a unit is one plain-SQL statement, written once at import: the unit itself
(its path, for the scope check that follows), its rollup rows (summed over slots), its
due-date buckets around now and the end of due soon (18:00 local of the second working day
after today), and a live count of the open items due within the current hour and within
the hour of that end (an index range on due_at, a few rows).
The cost depends on the number of counters of one unit (a few dozen rows plus about a
hundred buckets), never on the number of items.

The scorecards of a unit's children are two statements: the unit with its children, then
the children's day rows over the period and their acting-party due buckets before now
(plus the live count of the current hour, as above). The cost grows with the number of
children and days, never with the number of items.

The live counts read `tasks` and `issues` here rather than through their domains: they
read, never write, those tables, and belong to these statements.
"""

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import asyncpg

from app.core.repository import Repository
from app.issues.repository import TABLE as ISSUES
from app.tasks.repository import TABLE as TASKS

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
    """Open items due before now (n) and before the end of due soon (x), from the bucket rows each
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
    within the hour of the end of due soon before it (x). An index range on due_at, a few rows."""
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
            f"IN {_listed(TASKS.open_statuses)}",
            ["issuer_path", "assignee_path"],
        ),
        _live(
            "issue_live",
            "issues",
            f"IN {_listed(ISSUES.open_statuses)}",
            ["reporter_path", "handler_path"],
        ),
    ]
)


UNIT_AND_CHILDREN = (
    "SELECT u.path, u.name AS unit_name, u.kind AS unit_kind, c.id, c.key, c.name, c.kind"
    " FROM org_units u LEFT JOIN org_units c ON c.parent_id = u.id"
    " WHERE u.id = $1 ORDER BY c.kind, c.name, c.id"
)


# A scorecard row: part, org_key, then up to seven counters c1..c7 (see the parts).
WIDTH = 7


def _columns(part: str, org_key: str, counters: Sequence[str]) -> str:
    padded = [*counters, *["0"] * (WIDTH - len(counters))]
    numbers = ", ".join(f"{c} AS c{i}" for i, c in enumerate(padded, start=1))
    return f"'{part}' AS part, {org_key} AS org_key, {numbers}"


def _days(part: str, table: str, counters: Sequence[str]) -> str:
    """The children's day rows of the period ($2 to $3), summed per child."""
    sums = [_total(f"{table}.{c}") for c in counters]
    return (
        f"SELECT {_columns(part, f'{table}.org_key', sums)} FROM {table}"
        f" WHERE {table}.org_key = ANY($1::integer[]) AND {table}.day BETWEEN $2 AND $3"
        f" GROUP BY {table}.org_key"
    )


def _acting_due(part: str, table: str) -> str:
    """Per child: the open items due before now's hour (c1; the buckets, as in Cut) and all
    open items (c2; each has exactly one 30-day bucket)."""
    hours, start = f"{table}.hours", f"{table}.start_hour"
    before_now = (
        f"({hours} = {MONTH_HOURS} AND {start} < $4"
        f" OR {hours} = 24 AND {start} >= $4 AND {start} < $5"
        f" OR {hours} = 1 AND {start} >= $5 AND {start} < $6)"
    )
    every = f"{hours} = {MONTH_HOURS}"
    counts = [_total(f"{table}.n", before_now), _total(f"{table}.n", every)]
    # Only the rows either count reads, each kind of bucket a range of the key (org_key,
    # hours, start_hour): the day and hour buckets of other months and days (a row for
    # every hour an open item is due in) add nothing. Written as one OR, PostgreSQL reads
    # every bucket of each child and filters them.
    ranges = (
        f"hours = {MONTH_HOURS}",
        "hours = 24 AND start_hour >= $4 AND start_hour < $5",
        "hours = 1 AND start_hour >= $5 AND start_hour < $6",
    )
    buckets = " UNION ALL ".join(
        f"SELECT org_key, hours, start_hour, n FROM {table}"
        f" WHERE org_key = ANY($1::integer[]) AND {where}"
        for where in ranges
    )
    return (
        f"SELECT {_columns(part, f'{table}.org_key', counts)} FROM ({buckets}) {table}"
        f" GROUP BY {table}.org_key"
    )


def _acting_live(part: str, table: str, path: str, statuses: Sequence[str]) -> str:
    """Per child: the open items due within now's hour before now (c1), counted from the
    items (an index range on due_at; a child's key stands right after its parent's, at
    position $8 of the acting party's path)."""
    child = f"{table}.{path}[$8::integer]"
    return (
        f"SELECT {_columns(part, child, ['count(*)'])} FROM {table}"
        f" WHERE {table}.status IN {_listed(statuses)} AND {child} = ANY($1::integer[])"
        f" AND {table}.due_at >= $7 AND {table}.due_at < $9 GROUP BY {child}"
    )


TASK_DAY_COUNTERS = (
    "received",
    "accepted_on_time",
    "submitted",
    "returned",
    "done",
    "done_on_time",
    "done_first",
)
ISSUE_DAY_COUNTERS = ("handled", "resolved", "resolved_on_time", "rated", "rating_sum")
SCORECARDS = " UNION ALL ".join(
    [
        _days("task_days", "stats_task_days", TASK_DAY_COUNTERS),
        _days("issue_days", "stats_issue_days", ISSUE_DAY_COUNTERS),
        _acting_due("task_due", "stats_assignee_task_due"),
        _acting_due("issue_due", "stats_handler_issue_due"),
        _acting_live("task_live", "tasks", "assignee_path", TASKS.open_statuses),
        _acting_live("issue_live", "issues", "handler_path", ISSUES.open_statuses),
        # The zone the day rows are kept in (the service checks it is TIME_ZONE).
        "SELECT 'zone' AS part, NULL, " + ", ".join(["0"] * WIDTH) + " FROM stats_zone"
        " WHERE time_zone <> $10",
    ]
)


class StatsRepository(Repository):
    async def summary_rows(
        self, org_id: uuid.UUID, *, now: datetime, ahead: datetime
    ) -> list[asyncpg.Record]:
        """The unit's row (part 'unit': a name, b kind, c tier, d its path as "1,4,17"; none
        when there is no such unit) and its counters as of `now`, with open items due before
        `now` and before `ahead` (see _row and the parts above for the columns)."""
        rows: list[asyncpg.Record] = await self.fetch(
            SUMMARY, *_params(org_id, Cut.of(now), Cut.of(ahead))
        )
        return rows

    async def due_soon_until(self, at: datetime) -> datetime:
        """The latest due date that is due soon (blue) at `at`: 18:00 local of the second
        working day after its local date (see migrations/sql/0017_colour.sql)."""
        until: datetime = await self.fetchval("SELECT colour_blue_until($1)", at)
        return until

    async def compact(self) -> None:
        """Fold every unit's slots into slot 0 (see models.py), so summaries read few rows."""
        await self.execute("SELECT stats_compact()")

    async def unit_and_children(self, org_id: uuid.UUID) -> list[asyncpg.Record]:
        """The unit (path, unit_name, unit_kind) on every row, with one child per row (id,
        key, name, kind; all null when it has none); no rows when there is no such unit."""
        rows: list[asyncpg.Record] = await self.fetch(UNIT_AND_CHILDREN, org_id)
        return rows

    async def scorecard_rows(
        self, keys: Sequence[int], depth: int, first: date, last: date, now: datetime, zone: str
    ) -> list[asyncpg.Record]:
        """The rows of the units `keys` (children of a unit `depth` deep) for the local days
        `first` to `last`, as of `now` (part, org_key, c1..c7; see the parts above), and a
        'zone' row when the day rows are kept in a zone other than `zone`."""
        cut = Cut.of(now)
        rows: list[asyncpg.Record] = await self.fetch(
            SCORECARDS,
            list(keys), first, last, cut.month_hour, cut.day_hour, cut.hour,
            cut.hour_start, depth + 1, now, zone,
        )  # fmt: skip
        return rows
