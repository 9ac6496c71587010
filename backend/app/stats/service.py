"""The summary of a unit's subtree and the scorecards of its children, read from the
maintained rollups (see models.py and repository.py). docs/scorecards.md defines every
scorecard metric."""

import uuid
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import Enum
from fractions import Fraction
from typing import Any

import asyncpg

from app.access.roles import Perm
from app.access.scope import Principal
from app.calendar.service import local_date, local_zone
from app.core.errors import Forbidden, NotFound, Problem, Unprocessable
from app.core.models import utcnow
from app.issues.models import UNRESOLVED_STATUSES, IssueCategory, IssueSeverity, IssueStatus
from app.orgs.models import TIER_ORDER
from app.stats.repository import ISSUE_DAY_COUNTERS, TASK_DAY_COUNTERS, StatsRepository
from app.stats.schemas import (
    IssueStats,
    Metric,
    Scorecards,
    StatsSummary,
    TaskStats,
    UnitScorecard,
)
from app.tasks.models import CLOSED_STATUSES, TaskPriority, TaskStatus

# Due soon is due_at <= the end of the second working day, that is due_at < it + 1 µs
# (timestamps have microseconds).
TICK = timedelta(microseconds=1)


def _mean(total: int, count: int) -> float | None:
    return total / count if count else None


def _render(
    org_id: uuid.UUID, unit: Mapping[str, Any], at: datetime, rows: Iterable[Mapping[str, Any]]
) -> StatsSummary:
    """The summary from the statement's rows (see StatsRepository.summary_rows)."""
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
    for row in rows:
        part, a, b = row["part"], row["a"], row["b"]
        n, x, y, z, w = row["n"], row["x"], row["y"], row["z"], row["w"]
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
        else:  # open and due before now (n), before the end of due soon (x)
            due[part][0] += n
            due[part][1] += x
    overdue = {e: due[f"{e}_due"][0] + due[f"{e}_live"][0] for e in ("task", "issue")}
    before_ahead = {e: due[f"{e}_due"][1] + due[f"{e}_live"][1] for e in ("task", "issue")}
    all_timed = sum(resolve_timed.values())
    return StatsSummary(
        org_id=org_id,
        org_name=unit["a"],
        kind=unit["b"],
        tier=unit["c"],
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
    connection: asyncpg.Connection,
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
    stats = StatsRepository(connection)
    ahead = await stats.due_soon_until(at) + TICK
    rows = await stats.summary_rows(org_id, now=at, ahead=ahead)
    unit = next((row for row in rows if row["part"] == "unit"), None)
    path = tuple(int(k) for k in unit["d"].split(",")) if unit is not None else ()
    if unit is None or not principal.may(Perm.stats_read, path):
        raise NotFound("Unit")
    return _render(org_id, unit, at, rows)


# The longest period a scorecard covers, in days.
MAX_PERIOD_DAYS = 366


class Better(Enum):
    higher = "higher"
    lower = "lower"


@dataclass(frozen=True)
class MetricDefinition:
    """A scorecard metric: its numerator and denominator (counters of a unit, see
    `_counters`), and which way is better when units are ranked (None: a count, not
    ranked)."""

    name: str
    numerator: str
    denominator: str
    better: Better | None


# Tasks count against their assignee, issues against their current handler, each once (see
# docs/scorecards.md). "received" and "handled" are the tasks issued and the issues raised
# in the period; the overdue metrics are as of now, whatever the period.
METRICS = (
    MetricDefinition("tasks_received", "received", "received", None),
    MetricDefinition("tasks_accepted_on_time", "accepted_on_time", "received", Better.higher),
    MetricDefinition("tasks_done_on_time", "done_on_time", "received", Better.higher),
    MetricDefinition("tasks_overdue", "tasks_overdue", "tasks_open", Better.lower),
    MetricDefinition("tasks_returned", "returned", "submitted", Better.lower),
    MetricDefinition("tasks_done_first_submission", "done_first", "done", Better.higher),
    MetricDefinition("issues_handled", "handled", "handled", None),
    MetricDefinition("issues_resolved", "resolved", "handled", Better.higher),
    MetricDefinition("issues_resolved_on_time", "resolved_on_time", "handled", Better.higher),
    MetricDefinition("issues_overdue", "issues_overdue", "issues_open", Better.lower),
    MetricDefinition("satisfaction", "rating_sum", "rated", Better.higher),
)
# Which counter each column c1..c7 of a part holds (see StatsRepository.scorecard_rows).
PART_COUNTERS: dict[str, tuple[str, ...]] = {
    "task_days": TASK_DAY_COUNTERS,
    "issue_days": ISSUE_DAY_COUNTERS,
    "task_due": ("tasks_overdue", "tasks_open"),
    "issue_due": ("issues_overdue", "issues_open"),
    "task_live": ("tasks_overdue",),
    "issue_live": ("issues_overdue",),
}


def _counters(rows: Iterable[Mapping[str, Any]]) -> dict[int, Counter[str]]:
    counts: dict[int, Counter[str]] = defaultdict(Counter)
    for row in rows:
        for i, counter in enumerate(PART_COUNTERS[row["part"]], start=1):
            counts[row["org_key"]][counter] += row[f"c{i}"]
    return counts


def _ranks(units: list[UnitScorecard]) -> None:
    """Rank each ranked metric among the units of the same kind: 1 is best, ties share a
    rank (1, 2, 2, 4); a unit whose denominator is 0 has none."""
    for definition in METRICS:
        if definition.better is None:
            continue
        kinds: dict[str, list[tuple[Fraction, Metric]]] = defaultdict(list)
        for unit in units:
            metric = unit.metrics[definition.name]
            if metric.denominator:
                rate = Fraction(metric.numerator, metric.denominator)
                kinds[unit.kind].append((rate, metric))
        for ranked in kinds.values():
            ranked.sort(key=lambda pair: pair[0], reverse=definition.better is Better.higher)
            for position, (rate, metric) in enumerate(ranked):
                tied = position > 0 and ranked[position - 1][0] == rate
                metric.rank = ranked[position - 1][1].rank if tied else position + 1


def period(first: date | None, last: date | None, today: date) -> tuple[date, date]:
    """The period asked for; by default the current month up to today (local dates)."""
    last = last or today
    first = first or last.replace(day=1)
    if last < first:
        raise Unprocessable("`to` is before `from`.")
    if (last - first).days >= MAX_PERIOD_DAYS:
        raise Unprocessable(f"A scorecard covers at most {MAX_PERIOD_DAYS} days.")
    return first, last


async def scorecards(
    connection: asyncpg.Connection,
    principal: Principal,
    org_id: uuid.UUID | None,
    first: date | None,
    last: date | None,
    *,
    at: datetime | None = None,
) -> Scorecards:
    """The scorecards of `org_id`'s children (default: the caller's one grant unit) for the
    local dates `first` to `last`, with the overdue metrics as of `at`."""
    org_id = org_id or _default_unit(principal)
    at = at or utcnow()
    first, last = period(first, last, local_date(at))
    stats = StatsRepository(connection)
    family = await stats.unit_and_children(org_id)
    if not family or not principal.may(Perm.stats_read, tuple(family[0]["path"])):
        raise NotFound("Unit")
    children = [row for row in family if row["id"] is not None]
    zone = local_zone().key
    rows = await stats.scorecard_rows(
        [c["key"] for c in children], len(family[0]["path"]), first, last, at, zone
    )
    if any(row["part"] == "zone" for row in rows):
        raise Problem(
            f"The scorecards are kept in another time zone than TIME_ZONE ({zone}); an "
            "operator moves them (docs/scorecards.md).",
            status=503,
            slug="stats-zone-changed",
        )
    counts = _counters(row for row in rows if row["part"] != "zone")
    units = [
        UnitScorecard(
            org_id=child["id"],
            name=child["name"],
            kind=child["kind"],
            metrics={
                d.name: Metric(
                    numerator=counts[child["key"]][d.numerator],
                    denominator=counts[child["key"]][d.denominator],
                    rank=None,
                )
                for d in METRICS
            },
        )
        for child in children
    ]
    _ranks(units)
    return Scorecards(
        org_id=org_id,
        org_name=family[0]["unit_name"],
        period_from=first,
        period_to=last,
        time_zone=zone,
        as_of=at,
        units=units,
    )
