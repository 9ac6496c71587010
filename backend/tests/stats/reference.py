"""The summary computed in Python from the raw rows, from its definitions (the field
descriptions in app/stats/schemas.py): an item counts for a unit when one of its party
units lies in the unit's subtree (walked through parent links, not paths); overdue and
due soon are the work-item services' own rules. The scorecards likewise, from
docs/scorecards.md: each child's subtree walked through parent links, each metric counted
from the items' columns, ranks by comparing exact fractions."""

import uuid
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from fractions import Fraction
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlmodel import col

from app.core.config import get_settings
from app.core.db import sessionmaker
from app.issues.models import Issue, IssueCategory, IssueSeverity, IssueStatus
from app.issues.repository import TABLE as ISSUES
from app.orgs.models import OrgUnit
from app.tasks.models import Task, TaskPriority, TaskStatus
from app.tasks.repository import TABLE as TASKS

TIERS = ["prefecture", "county", "street", "community"]
SECOND = timedelta(seconds=1)


@dataclass
class Raw:
    tasks: list[Any]
    issues: list[Any]
    children: dict[uuid.UUID | None, list[uuid.UUID]]

    def subtree(self, root: uuid.UUID) -> set[uuid.UUID]:
        found: set[uuid.UUID] = set()
        stack = [root]
        while stack:
            current = stack.pop()
            if current not in found:
                found.add(current)
                stack.extend(self.children.get(current, []))
        return found


async def load_raw() -> Raw:
    async with sessionmaker()() as session:
        tasks = (
            await session.execute(
                sa.select(
                    col(Task.id),
                    col(Task.issuer_org_id),
                    col(Task.assignee_org_id),
                    col(Task.status),
                    col(Task.priority),
                    col(Task.due_at),
                    col(Task.created_at),
                    col(Task.submitted_at),
                    col(Task.completed_at),
                    col(Task.blue_from),
                )
            )
        ).all()
        issues = (
            await session.execute(
                sa.select(
                    col(Issue.id),
                    col(Issue.reporter_org_id),
                    col(Issue.handler_org_id),
                    col(Issue.status),
                    col(Issue.severity),
                    col(Issue.category),
                    col(Issue.resolved_tier),
                    col(Issue.created_at),
                    col(Issue.resolved_at),
                    col(Issue.rating),
                    col(Issue.due_at),
                    col(Issue.blue_from),
                )
            )
        ).all()
        orgs = (await session.execute(sa.select(col(OrgUnit.id), col(OrgUnit.parent_id)))).all()
    children: dict[uuid.UUID | None, list[uuid.UUID]] = {}
    for org_id, parent_id in orgs:
        children.setdefault(parent_id, []).append(org_id)
    return Raw(tasks=list(tasks), issues=list(issues), children=children)


def _mean(values: list[int]) -> float | None:
    return sum(values) / len(values) if values else None


def _seconds(start: datetime, end: datetime) -> int:
    """Whole seconds between two moments."""
    return (end - start) // SECOND


def _by(moment: datetime | None, due_at: datetime) -> bool:
    """Happened, by the due date."""
    return moment is not None and moment <= due_at


def _zeros(values: Any) -> dict[str, int]:
    return {v.value: 0 for v in values}


def expected_summary(raw: Raw, org_id: uuid.UUID, at: datetime) -> dict[str, Any]:
    """{"tasks": ..., "issues": ...} as the summary endpoint should show them."""
    units = raw.subtree(org_id)
    tasks = [t for t in raw.tasks if t.issuer_org_id in units or t.assignee_org_id in units]
    issues = [i for i in raw.issues if i.reporter_org_id in units or i.handler_org_id in units]

    closed = {TaskStatus.done.value, TaskStatus.cancelled.value}
    done = [t for t in tasks if t.status == TaskStatus.done.value and t.completed_at is not None]
    task_status = _zeros(TaskStatus) | Counter(t.status for t in tasks)
    priority = _zeros(TaskPriority) | Counter(t.priority for t in tasks)

    unresolved = [i for i in issues if i.status in (IssueStatus.open, IssueStatus.acknowledged)]
    resolved = [
        i
        for i in issues
        if i.status in (IssueStatus.resolved, IssueStatus.closed) and i.resolved_tier
    ]
    timed = [i for i in resolved if i.resolved_at is not None]
    by_tier = {
        tier: [_seconds(i.created_at, i.resolved_at) for i in timed if i.resolved_tier == tier]
        for tier in TIERS
    }
    _tiers = dict.fromkeys(TIERS, 0)
    completion = [_seconds(t.created_at, t.completed_at) for t in done]
    rated = [i.rating for i in issues if i.rating is not None]
    return {
        "tasks": {
            "total": len(tasks),
            "by_status": task_status,
            "by_priority": priority,
            "open": sum(1 for t in tasks if t.status not in closed),
            "overdue": sum(1 for t in tasks if TASKS.is_overdue(t.due_at, t.status, at)),
            "due_soon": sum(
                1 for t in tasks if TASKS.is_due_soon(t.due_at, t.blue_from, t.status, at)
            ),
            "urgent_open": sum(
                1 for t in tasks if t.status not in closed and t.priority == TaskPriority.urgent
            ),
            # On time: submitted by the due date (verification counts against the issuer).
            "done_on_time": sum(1 for t in done if _by(t.submitted_at, t.due_at)),
            "done_late": sum(1 for t in done if not _by(t.submitted_at, t.due_at)),
            "avg_seconds_to_complete": _mean(completion),
        },
        "issues": {
            "total": len(issues),
            "by_status": _zeros(IssueStatus) | Counter(i.status for i in issues),
            "open": len(unresolved),
            "overdue": sum(1 for i in issues if ISSUES.is_overdue(i.due_at, i.status, at)),
            "due_soon": sum(
                1 for i in issues if ISSUES.is_due_soon(i.due_at, i.blue_from, i.status, at)
            ),
            "open_by_severity": _zeros(IssueSeverity) | Counter(i.severity for i in unresolved),
            "open_by_category": _zeros(IssueCategory) | Counter(i.category for i in unresolved),
            "resolved_by_tier": _tiers | Counter(i.resolved_tier for i in resolved),
            "avg_seconds_to_resolve": _mean([s for values in by_tier.values() for s in values]),
            "avg_seconds_to_resolve_by_tier": {t: _mean(v) for t, v in by_tier.items()},
            "rated": len(rated),
            "avg_rating": _mean(rated),
        },
    }


@dataclass
class ScoreRaw:
    tasks: list[Any]
    issues: list[Any]
    units: dict[uuid.UUID, Any]
    children: dict[uuid.UUID | None, list[uuid.UUID]]

    def subtree(self, root: uuid.UUID) -> set[uuid.UUID]:
        return Raw(tasks=[], issues=[], children=self.children).subtree(root)


async def load_score_raw() -> ScoreRaw:
    async with sessionmaker()() as session:
        tasks = (await session.execute(sa.select(Task))).scalars().all()
        issues = (await session.execute(sa.select(Issue))).scalars().all()
        orgs = (await session.execute(sa.select(OrgUnit))).scalars().all()
    children: dict[uuid.UUID | None, list[uuid.UUID]] = {}
    for org in orgs:
        children.setdefault(org.parent_id, []).append(org.id)
    return ScoreRaw(
        tasks=list(tasks),
        issues=list(issues),
        units={org.id: org for org in orgs},
        children=children,
    )


def _local_day(moment: datetime) -> date:
    return moment.astimezone(ZoneInfo(get_settings().time_zone)).date()


# name: (better, where "higher" ranks high rates first, "lower" low ones, None: unranked)
BETTER = {
    "tasks_received": None,
    "tasks_accepted_on_time": "higher",
    "tasks_done_on_time": "higher",
    "tasks_overdue": "lower",
    "tasks_returned": "lower",
    "tasks_done_first_submission": "higher",
    "issues_handled": None,
    "issues_resolved": "higher",
    "issues_resolved_on_time": "higher",
    "issues_overdue": "lower",
    "satisfaction": "higher",
}


def _unit_metrics(
    raw: ScoreRaw, unit_id: uuid.UUID, first: date, last: date, at: datetime
) -> dict[str, tuple[int, int]]:
    """A unit's metrics as docs/scorecards.md defines them, from the rows."""
    units = raw.subtree(unit_id)
    assigned = [t for t in raw.tasks if t.assignee_org_id in units]
    handled_all = [i for i in raw.issues if i.handler_org_id in units]
    received = [
        t
        for t in assigned
        if t.status != TaskStatus.cancelled and first <= _local_day(t.created_at) <= last
    ]
    accepted = [
        t
        for t in received
        if t.accepted_at is not None
        and (t.accept_due_at is None or t.accepted_at <= t.accept_due_at)
    ]
    done = [t for t in received if t.status == TaskStatus.done]
    submitted = [t for t in received if t.submission_count > 0]
    handled = [i for i in handled_all if first <= _local_day(i.created_at) <= last]
    resolved = [i for i in handled if i.status in (IssueStatus.resolved, IssueStatus.closed)]
    rated = [i.rating for i in handled if i.rating is not None]
    counting = [t for t in assigned if t.status in TASKS.open_statuses]
    unresolved = [i for i in handled_all if i.status in ISSUES.open_statuses]
    return {
        "tasks_received": (len(received), len(received)),
        "tasks_accepted_on_time": (len(accepted), len(received)),
        "tasks_done_on_time": (
            sum(1 for t in done if _by(t.submitted_at, t.due_at)),
            len(received),
        ),
        "tasks_overdue": (
            sum(1 for t in counting if TASKS.is_overdue(t.due_at, t.status, at)),
            len(counting),
        ),
        "tasks_returned": (sum(1 for t in submitted if t.return_count > 0), len(submitted)),
        "tasks_done_first_submission": (
            sum(1 for t in done if t.submission_count == 1),
            len(done),
        ),
        "issues_handled": (len(handled), len(handled)),
        "issues_resolved": (len(resolved), len(handled)),
        "issues_resolved_on_time": (
            sum(1 for i in resolved if _by(i.resolved_at, i.due_at)),
            len(handled),
        ),
        "issues_overdue": (
            sum(1 for i in unresolved if ISSUES.is_overdue(i.due_at, i.status, at)),
            len(unresolved),
        ),
        "satisfaction": (sum(rated), len(rated)),
    }


def expected_scorecards(
    raw: ScoreRaw, org_id: uuid.UUID, first: date, last: date, at: datetime
) -> dict[uuid.UUID, dict[str, dict[str, Any]]]:
    """Per child of `org_id`: {metric: {numerator, denominator, rank}}."""
    children = raw.children.get(org_id, [])
    metrics = {c: _unit_metrics(raw, c, first, last, at) for c in children}
    result: dict[uuid.UUID, dict[str, dict[str, Any]]] = {}
    for child in children:
        kind = raw.units[child].kind
        peers = [c for c in children if raw.units[c].kind == kind]
        result[child] = {}
        for name, (numerator, denominator) in metrics[child].items():
            rank = None
            if BETTER[name] is not None and denominator:
                mine = Fraction(numerator, denominator)
                rates = [Fraction(*metrics[p][name]) for p in peers if metrics[p][name][1]]
                better = [r for r in rates if (r > mine if BETTER[name] == "higher" else r < mine)]
                rank = 1 + len(better)
            result[child][name] = {
                "numerator": numerator,
                "denominator": denominator,
                "rank": rank,
            }
    return result
