"""The summary of a unit's subtree, read from the maintained rollups (see models.py) in
one statement (see repository.py); the scope check on the unit it names follows."""

import uuid
from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from typing import Any

import asyncpg

from app.access.roles import Perm
from app.access.scope import Principal
from app.core.errors import Forbidden, NotFound, Unprocessable
from app.core.models import utcnow
from app.issues.models import UNRESOLVED_STATUSES, IssueCategory, IssueSeverity, IssueStatus
from app.orgs.models import TIER_ORDER
from app.stats.repository import StatsRepository
from app.stats.schemas import IssueStats, StatsSummary, TaskStats
from app.tasks.models import CLOSED_STATUSES, TaskPriority, TaskStatus

DUE_SOON = timedelta(hours=48)
# due_at <= now + 48 h is due_at < now + 48 h + 1 µs (timestamps have microseconds).
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
        else:  # open and due before now (n), before now + 48 h (x)
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
    rows = await StatsRepository(connection).summary_rows(
        org_id, now=at, ahead=at + DUE_SOON + TICK
    )
    unit = next((row for row in rows if row["part"] == "unit"), None)
    path = tuple(int(k) for k in unit["d"].split(",")) if unit is not None else ()
    if unit is None or not principal.may(Perm.stats_read, path):
        raise NotFound("Unit")
    return _render(org_id, unit, at, rows)
