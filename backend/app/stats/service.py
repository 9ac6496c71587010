"""The summary of a unit's subtree, read from the maintained rollups (see models.py).

One statement reads everything: the unit itself (its path, for the scope check that
follows), its rollup rows (summed over slots), its due-date buckets around now and
now + 48 h, and a live count of the open items due within the current hour and within the
hour 48 h ahead (an index range on due_at, a few rows). The cost depends on the number of
counters of one unit (a few dozen rows plus about a hundred buckets), never on the number
of items.
"""

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from app.access.roles import Perm
from app.access.scope import Principal
from app.core.errors import Forbidden, NotFound, Unprocessable
from app.core.models import PathType, utcnow
from app.core.sql import AnySelect
from app.issues.models import (
    UNRESOLVED_STATUSES,
    Issue,
    IssueCategory,
    IssueSeverity,
    IssueStatus,
)
from app.orgs.models import TIER_ORDER, OrgUnit
from app.stats.models import IssueDueBucket, IssueRollup, TaskDueBucket, TaskRollup
from app.stats.schemas import IssueStats, StatsSummary, TaskStats
from app.tasks.models import CLOSED_STATUSES, Task, TaskPriority, TaskStatus

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
HOUR = timedelta(hours=1)
MONTH_HOURS = 720  # the widest due-date bucket: 30 days
DUE_SOON = timedelta(hours=48)
# due_at <= now + 48 h is due_at < now + 48 h + 1 µs (timestamps have microseconds).
TICK = timedelta(microseconds=1)


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


def _total(column: Any, where: Any = None) -> sa.ColumnElement[int]:
    summed = sa.func.sum(column) if where is None else sa.func.sum(column).filter(where)
    return sa.func.coalesce(sa.cast(summed, sa.BigInteger), _const(0))


def _const(value: str | int) -> sa.ColumnElement[Any]:
    if isinstance(value, int):
        return sa.literal_column(str(value), sa.BigInteger)
    return sa.literal_column(f"'{value}'", sa.String)


def _row(part: str, labels: Iterable[Any], values: Iterable[Any]) -> list[Any]:
    """Uniform columns for the union: part, a..d (labels), n, x, y, z, w (numbers)."""
    cols: list[Any] = [_const(part).label("part")]
    texts = list(labels)
    nums = list(values)
    cols += [(texts[i] if i < len(texts) else _const("")).label("abcd"[i]) for i in range(4)]
    cols += [(nums[i] if i < len(nums) else _const(0)).label("nxyzw"[i]) for i in range(5)]
    return cols


def _param(name: str, type_: Any) -> Any:
    return sa.bindparam(name, type_=type_, required=False)


ORG = _param("org_id", sa.Uuid)
Moment = sa.DateTime(timezone=True)
NOW, AHEAD = _param("now", Moment), _param("ahead", Moment)
NOW_MONTH, AHEAD_MONTH = _param("now_month", sa.Integer), _param("ahead_month", sa.Integer)
NOW_DAY, NOW_HOUR = _param("now_day", sa.Integer), _param("now_hour", sa.Integer)
AHEAD_DAY, AHEAD_HOUR = _param("ahead_day", sa.Integer), _param("ahead_hour", sa.Integer)
NOW_HOUR_START, AHEAD_HOUR_START = _param("now_hour_start", Moment), _param("ahead_start", Moment)


def _params(org_id: uuid.UUID, at: datetime) -> dict[str, Any]:
    now, ahead = Cut.of(at), Cut.of(at + DUE_SOON + TICK)
    return {
        "org_id": org_id,
        "now": now.at,
        "ahead": ahead.at,
        "now_month": now.month_hour,
        "ahead_month": ahead.month_hour,
        "now_day": now.day_hour,
        "now_hour": now.hour,
        "ahead_day": ahead.day_hour,
        "ahead_hour": ahead.hour,
        "now_hour_start": now.hour_start,
        "ahead_start": ahead.hour_start,
    }


def _due(part: str, bucket: type[TaskDueBucket] | type[IssueDueBucket], key: Any) -> AnySelect:
    """Open items due before now (n) and before now + 48 h (x), from the bucket rows each
    cut needs (see Cut): a hundred rows or so, however many items there are."""
    org, hours, start, n = (
        col(bucket.org_key),
        col(bucket.hours),
        col(bucket.start_hour),
        col(bucket.n),
    )
    months, days, hourly = hours == MONTH_HOURS, hours == 24, hours == 1

    def before(cut_month: Any, cut_day: Any, cut_hour: Any) -> sa.ColumnElement[bool]:
        return sa.or_(
            sa.and_(months, start < cut_month),
            sa.and_(days, start >= cut_month, start < cut_day),
            sa.and_(hourly, start >= cut_day, start < cut_hour),
        )

    before_now = before(NOW_MONTH, NOW_DAY, NOW_HOUR)
    before_ahead = before(AHEAD_MONTH, AHEAD_DAY, AHEAD_HOUR)
    return sa.select(*_row(part, [], [_total(n, before_now), _total(n, before_ahead)])).where(
        org == key, sa.or_(before_now, before_ahead)
    )


def _live(part: str, due_at: Any, is_open: Any, parties: Any) -> AnySelect:
    """The rest, counted from the items: open and due within now's hour before now (n), or
    within the hour of now + 48 h before it (x). An index range on due_at, a few rows."""
    return sa.select(
        *_row(
            part,
            [],
            [
                sa.func.count().filter(due_at < NOW),
                sa.func.count().filter(due_at >= AHEAD_HOUR_START),
            ],
        )
    ).where(
        is_open,
        parties,
        sa.or_(
            sa.and_(due_at >= NOW_HOUR_START, due_at < NOW),
            sa.and_(due_at >= AHEAD_HOUR_START, due_at < AHEAD),
        ),
    )


def _in(column: Any, low: Any, high: Any) -> sa.ColumnElement[bool]:
    return sa.and_(column >= low, column < high)


def summary_statement() -> AnySelect:
    """Everything for one unit in one statement; parameters: see _params()."""
    path = col(OrgUnit.path)
    last = sa.func.cardinality(path)
    unit = (
        sa.select(
            col(OrgUnit.key),
            col(OrgUnit.name),
            col(OrgUnit.kind),
            col(OrgUnit.tier),
            path.label("low"),
            # The next sibling's path: the end of the subtree's range (see access.scope).
            sa.func.array_append(sa.func.trim_array(path, 1), path[last] + 1, type_=PathType).label(
                "high"
            ),
        )
        .where(col(OrgUnit.id) == ORG)
        .cte("stats_unit")
    )
    key = sa.select(unit.c.key).scalar_subquery()
    low = sa.select(unit.c.low).scalar_subquery()
    high = sa.select(unit.c.high).scalar_subquery()
    about = sa.select(
        *_row(
            "unit",
            [unit.c.name, unit.c.kind, unit.c.tier, sa.func.array_to_string(unit.c.low, ",")],
            [],
        )
    )
    t, i = TaskRollup, IssueRollup
    tasks = (
        sa.select(
            *_row(
                "task",
                [col(t.status), col(t.priority)],
                [_total(col(c)) for c in (t.n, t.on_time, t.timed, t.seconds)],
            )
        )
        .where(col(t.org_key) == key)
        .group_by(col(t.status), col(t.priority))
    )
    issues = (
        sa.select(
            *_row(
                "issue",
                [col(i.dimension), col(i.value)],
                [_total(col(c)) for c in (i.n, i.timed, i.seconds, i.rated, i.rating_sum)],
            )
        )
        .where(col(i.org_key) == key)
        .group_by(col(i.dimension), col(i.value))
    )
    task_live = _live(
        "task_live",
        col(Task.due_at),
        col(Task.status).not_in([s.value for s in CLOSED_STATUSES]),
        sa.or_(_in(col(Task.issuer_path), low, high), _in(col(Task.assignee_path), low, high)),
    )
    issue_live = _live(
        "issue_live",
        col(Issue.due_at),
        col(Issue.status).in_([s.value for s in UNRESOLVED_STATUSES]),
        sa.or_(_in(col(Issue.reporter_path), low, high), _in(col(Issue.handler_path), low, high)),
    )
    parts = [
        about,
        tasks,
        issues,
        _due("task_due", TaskDueBucket, key),
        _due("issue_due", IssueDueBucket, key),
        task_live,
        issue_live,
    ]
    return sa.union_all(*parts)  # type: ignore[return-value]


@dataclass(frozen=True)
class Compiled:
    sql: str
    names: tuple[str, ...]  # positional parameter names, in order
    constants: dict[str, Any]


_compiled: dict[tuple[str, str], Compiled] = {}


def compiled_for(dialect: Any) -> Compiled:
    """The statement compiled once per dialect (it is large; building and caching it per
    request cost more than running it)."""
    key = (dialect.name, dialect.driver)
    found = _compiled.get(key)
    if found is None:
        compiled = summary_statement().compile(
            dialect=dialect, compile_kwargs={"render_postcompile": True}
        )
        assert compiled.positiontup is not None
        found = _compiled[key] = Compiled(
            str(compiled), tuple(compiled.positiontup), dict(compiled.params)
        )
    return found


def _mean(total: int, count: int) -> float | None:
    return total / count if count else None


def _render(
    org_id: uuid.UUID, unit: Sequence[Any], at: datetime, rows: Iterable[Sequence[Any]]
) -> StatsSummary:
    task_status = dict.fromkeys((s.value for s in TaskStatus), 0)
    task_priority = dict.fromkeys((p.value for p in TaskPriority), 0)
    issue_status = dict.fromkeys((s.value for s in IssueStatus), 0)
    severity = dict.fromkeys((s.value for s in IssueSeverity), 0)
    category = dict.fromkeys((c.value for c in IssueCategory), 0)
    tiers = [t.value for t in TIER_ORDER]
    resolved = dict.fromkeys(tiers, 0)
    resolve_timed = dict.fromkeys(tiers, 0)
    resolve_seconds = dict.fromkeys(tiers, 0)
    urgent_open = on_time = done_timed = done_seconds = rated = rating_sum = 0
    due = {"task_due": [0, 0], "task_live": [0, 0], "issue_due": [0, 0], "issue_live": [0, 0]}
    closed = {s.value for s in CLOSED_STATUSES}
    unresolved = {s.value for s in UNRESOLVED_STATUSES}
    for part, a, b, _, _, n, x, y, z, w in rows:
        if part == "unit":
            continue
        if part == "task":
            task_status[a] = task_status.get(a, 0) + n
            task_priority[b] = task_priority.get(b, 0) + n
            if a not in closed and b == TaskPriority.urgent:
                urgent_open += n
            on_time += x
            done_timed += y
            done_seconds += z
        elif part == "issue":
            if a == "status":
                issue_status[b] = issue_status.get(b, 0) + n
                rated += z
                rating_sum += w
            elif a == "severity":
                severity[b] = severity.get(b, 0) + n
            elif a == "category":
                category[b] = category.get(b, 0) + n
            elif a == "tier":
                resolved[b] = resolved.get(b, 0) + n
                resolve_timed[b] = resolve_timed.get(b, 0) + x
                resolve_seconds[b] = resolve_seconds.get(b, 0) + y
        else:  # open and due before now (n), before now + 48 h (x)
            due[part][0] += n
            due[part][1] += x
    overdue = {e: due[f"{e}_due"][0] + due[f"{e}_live"][0] for e in ("task", "issue")}
    before_ahead = {e: due[f"{e}_due"][1] + due[f"{e}_live"][1] for e in ("task", "issue")}
    all_timed = sum(resolve_timed.values())
    return StatsSummary(
        org_id=org_id,
        org_name=unit[1],
        kind=unit[2],
        tier=unit[3],
        as_of=at,
        tasks=TaskStats(
            total=sum(task_status.values()),
            by_status=task_status,
            by_priority=task_priority,
            open=sum(v for s, v in task_status.items() if s not in closed),
            overdue=overdue["task"],
            due_soon=before_ahead["task"] - overdue["task"],
            urgent_open=urgent_open,
            done_on_time=on_time,
            done_late=done_timed - on_time,
            avg_seconds_to_complete=_mean(done_seconds, done_timed),
        ),
        issues=IssueStats(
            total=sum(issue_status.values()),
            by_status=issue_status,
            open=sum(v for s, v in issue_status.items() if s in unresolved),
            overdue=overdue["issue"],
            due_soon=before_ahead["issue"] - overdue["issue"],
            open_by_severity=severity,
            open_by_category=category,
            resolved_by_tier=resolved,
            avg_seconds_to_resolve=_mean(sum(resolve_seconds.values()), all_timed),
            avg_seconds_to_resolve_by_tier={
                t: _mean(resolve_seconds[t], resolve_timed[t]) for t in resolve_timed
            },
            rated=rated,
            avg_rating=_mean(rating_sum, rated),
        ),
    )


def _default_unit(principal: Principal) -> uuid.UUID:
    roots = principal.paths(Perm.stats_read)
    if not roots:
        raise Forbidden("Your roles do not allow reading statistics.")
    if len(roots) > 1:
        raise Unprocessable("You hold roles at several units: name the org_id.")
    return next(g.org_id for g in principal.grants if g.path == roots[0])


async def summary(
    session: AsyncSession,
    principal: Principal,
    org_id: uuid.UUID | None,
    *,
    at: datetime | None = None,
) -> StatsSummary:
    """Counts for `org_id`'s subtree (default: the caller's one grant unit), as of `at`.

    The statement reads the unit along with its counters; the scope check on the unit's
    path follows, and a unit outside the caller's scope is 404 (its counts are dropped).
    """
    org_id = org_id or _default_unit(principal)
    at = at or utcnow()
    connection = await session.connection()
    statement = compiled_for(connection.dialect)
    values = statement.constants | _params(org_id, at)
    rows: Sequence[Sequence[Any]] = (
        await connection.exec_driver_sql(
            statement.sql, tuple(values[name] for name in statement.names)
        )
    ).all()
    unit = next((row for row in rows if row[0] == "unit"), None)
    path = tuple(int(k) for k in unit[4].split(",")) if unit is not None else ()
    if unit is None or not principal.may(Perm.stats_read, path):
        raise NotFound("Unit")
    return _render(org_id, unit, at, rows)
