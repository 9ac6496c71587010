"""Building blocks for work-item tests: rows put straight into any state, and API calls."""

import uuid
from datetime import datetime, timedelta
from typing import Any

import httpx
import sqlalchemy as sa
from sqlmodel import col

from app.access.roles import Role
from app.core.db import sessionmaker
from app.core.models import utcnow
from app.issues.models import Issue
from app.orgs.models import OrgUnit
from app.tasks.models import Task
from tests.support import World

PROBLEM_JSON = "application/problem+json"


def ts(value: datetime) -> str:
    return value.isoformat()


async def insert_task(
    world: World,
    issuer: str,
    assignee: str,
    *,
    status: str = "issued",
    returned_by: str | None = None,
    due_in: timedelta = timedelta(days=7),
    due_at: datetime | None = None,
    extension: bool = False,
    parent_id: uuid.UUID | None = None,
    title: str = "a task",
    **extra: Any,
) -> uuid.UUID:
    """A task put straight into `status` (no events), for tests of what comes next."""
    issuer_unit, assignee_unit = world.unit(issuer), world.unit(assignee)
    now = utcnow()
    due = due_at or now + due_in
    if status.startswith("returned_by_"):
        returned_by = status.removeprefix("returned_by_")
        status = "returned"
    task = Task(
        title=title,
        issuer_org_id=issuer_unit.id,
        issuer_path=list(issuer_unit.path),
        assignee_org_id=assignee_unit.id,
        assignee_path=list(assignee_unit.path),
        due_at=due,
        status=status,
        returned_by=returned_by,
        parent_id=parent_id,
        extension_due_at=due + timedelta(days=3) if extension else None,
        extension_note="need more time" if extension else None,
        extension_requested_at=now if extension else None,
        **extra,
    )
    async with sessionmaker()() as session:
        session.add(task)
        await session.commit()
    return task.id


async def insert_issue(
    world: World,
    reporter: str,
    handler: str | None = None,
    *,
    status: str = "open",
    resolved_ago: timedelta = timedelta(days=1),
    due_in: timedelta = timedelta(days=7),
    due_at: datetime | None = None,
    title: str = "an issue",
    category: str = "power",
    severity: str = "normal",
    **extra: Any,
) -> uuid.UUID:
    """An issue put straight into `status`; resolved/closed ones were resolved by the handler
    `resolved_ago`."""
    reporter_unit = world.unit(reporter)
    handler_unit = world.unit(handler or reporter)
    now = utcnow()
    resolved = status in ("resolved", "closed")
    issue = Issue(
        title=title,
        category=category,
        severity=severity,
        status=status,
        reporter_org_id=reporter_unit.id,
        reporter_path=list(reporter_unit.path),
        handler_org_id=handler_unit.id,
        handler_path=list(handler_unit.path),
        due_at=due_at or now + due_in,
        resolved_by_org_id=handler_unit.id if resolved else None,
        resolved_tier=handler_unit.tier if resolved else None,
        resolved_at=now - resolved_ago if resolved else None,
        resolution="fixed" if resolved else None,
        rating=4 if status == "closed" else None,
        closed_at=now if status == "closed" else None,
        **extra,
    )
    async with sessionmaker()() as session:
        session.add(issue)
        await session.commit()
    return issue.id


async def set_columns(model: type[Task] | type[Issue], item_id: uuid.UUID, **values: Any) -> None:
    async with sessionmaker()() as session:
        await session.execute(sa.update(model).where(col(model.id) == item_id).values(**values))
        await session.commit()


async def org_path(org_id: uuid.UUID) -> list[int]:
    async with sessionmaker()() as session:
        path = (
            await session.execute(sa.select(col(OrgUnit.path)).where(col(OrgUnit.id) == org_id))
        ).scalar_one()
    return list(path)


def headers(world: World, role: Role, unit: str, **extra: str) -> dict[str, str]:
    return {**world.actor(role, unit).headers, **extra}


async def create_task(
    client: httpx.AsyncClient,
    world: World,
    issuer: str,
    assignee: str,
    *,
    role: Role = Role.officer,
    **fields: Any,
) -> dict[str, Any]:
    body = {
        "title": fields.pop("title", f"task {issuer}->{assignee}"),
        "assignee_org_id": str(world.unit(assignee).id),
        "due_at": ts(fields.pop("due_at", utcnow() + timedelta(days=7))),
        **fields,
    }
    response = await client.post("/api/v1/tasks", json=body, headers=headers(world, role, issuer))
    assert response.status_code == 201, response.text
    data: dict[str, Any] = response.json()
    return data


async def act(
    client: httpx.AsyncClient,
    world: World,
    kind: str,
    item_id: Any,
    action: str,
    role: Role,
    unit: str,
    body: dict[str, Any] | None = None,
    expect: int = 200,
    **header_values: str,
) -> dict[str, Any]:
    response = await client.post(
        f"/api/v1/{kind}/{item_id}/{action}",
        json=body,
        headers=headers(world, role, unit, **header_values),
    )
    assert response.status_code == expect, f"{action}: {response.status_code} {response.text}"
    data: dict[str, Any] = response.json()
    return data


def assert_problem(response: httpx.Response, status: int, *words: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(PROBLEM_JSON)
    body: dict[str, Any] = response.json()
    assert body["status"] == status
    for word in words:
        assert word in body["detail"], (word, body["detail"])
    return body
