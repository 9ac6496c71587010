"""Every read the API serves matches its documented model on real rows: a list item or an
item carries exactly the model's fields, and the model accepts it. Rows are rendered by
column name, so a column added, dropped or reordered in a query cannot shift a field."""

import re
import typing
from datetime import timedelta
from typing import Any

import httpx
import pytest
from fastapi.routing import APIRoute, iter_route_contexts
from pydantic import BaseModel

from app.access.roles import Role
from app.core.models import utcnow
from app.main import create_app
from tests.support import World
from tests.workitems.helpers import act, create_task, headers, ts


def _reads() -> list[tuple[str, type[BaseModel], bool]]:
    """(path, model, whether it is a page) of every GET route with a response model."""
    found = []
    for context in iter_route_contexts(create_app().routes):
        route = context.original_route
        if not isinstance(route, APIRoute) or "GET" not in (context.methods or set()):
            continue
        model = route.response_model
        if not (isinstance(model, type) and issubclass(model, BaseModel)):
            continue
        items = model.model_fields.get("items")
        if items is not None:
            (item_model,) = typing.get_args(items.annotation)
            found.append((context.path or "", item_model, True))
        else:
            found.append((context.path or "", model, False))
    return found


READS = _reads()


@pytest.fixture(scope="module")
async def sample(client: httpx.AsyncClient, world: World) -> dict[str, str]:
    """One of everything, seen by the leader of county C1: a task with a subtask and
    feedback, an issue moved along, notifications."""
    task = await create_task(client, world, "C1", "S11", title="read-model task")
    await act(client, world, "tasks", task["id"], "accept", Role.leader, "S11")
    sub = await client.post(
        "/api/v1/tasks",
        json={
            "title": "read-model subtask",
            "parent_id": task["id"],
            "assignee_org_id": str(world.unit("M111").id),
            "due_at": ts(utcnow() + timedelta(days=2)),
        },
        headers=headers(world, Role.leader, "S11"),
    )
    assert sub.status_code == 201, sub.text
    await act(
        client,
        world,
        "tasks",
        task["id"],
        "request-extension",
        Role.officer,
        "S11",
        {"note": "rain", "due_at": ts(utcnow() + timedelta(days=30))},
    )
    issue = await client.post(
        "/api/v1/issues",
        json={"title": "read-model issue", "category": "power"},
        headers=headers(world, Role.officer, "M111"),
    )
    assert issue.status_code == 201, issue.text
    issue_id = issue.json()["id"]
    await act(client, world, "issues", issue_id, "escalate", Role.officer, "M111", {"note": "up"})
    await act(client, world, "issues", issue_id, "resolve", Role.leader, "S11", {"note": "done"})
    for kind, item_id in (("issues", issue_id), ("tasks", task["id"])):
        feedback = await client.post(
            f"/api/v1/{kind}/{item_id}/feedback",
            json={"kind": "comment", "body": "thanks"},
            headers=headers(world, Role.officer, "S11"),
        )
        assert feedback.status_code == 201, feedback.text
    return {
        "task_id": task["id"],
        "issue_id": issue_id,
        "org_id": str(world.unit("C1").id),
        "user_id": str(world.actor(Role.officer, "S11").user.id),
    }


def _check(model: type[BaseModel], item: dict[str, Any], where: str) -> None:
    # A field named like a Python keyword is shown under its alias (`from`).
    names = {field.alias or name for name, field in model.model_fields.items()}
    assert set(item) == names, (where, set(item) ^ names)
    model.model_validate(item)


# Reads whose query names what to read.
QUERY = {"/api/v1/calendar/working-days": {"from": "2026-09-28", "to": "2026-10-11"}}


@pytest.mark.parametrize(("path", "model", "is_page"), READS, ids=[p for p, _, _ in READS])
async def test_reads_match_their_models(
    client: httpx.AsyncClient,
    world: World,
    sample: dict[str, str],
    path: str,
    model: type[BaseModel],
    is_page: bool,
) -> None:
    url = re.sub(r"\{([a-z_]+)\}", lambda m: sample[m.group(1)], path)
    params = QUERY.get(path, {}) | (
        {"org_id": sample["org_id"]} if path.endswith("/stats/summary") else {}
    )
    seen = 0
    # The county's leader sees the work; its admin sees the people and the audit.
    for role in (Role.leader, Role.admin, Role.officer):
        unit = "S11" if path.endswith("/notifications") else "C1"
        response = await client.get(url, params=params, headers=headers(world, role, unit))
        if response.status_code != 200:
            continue
        body = response.json()
        items = body["items"] if is_page else [body]
        for item in items:
            _check(model, item, f"{role.value} {path}")
        seen += len(items)
    assert seen, f"no caller read anything at {path}"


def test_every_item_read_is_checked() -> None:
    paths = {p for p, _, _ in READS}
    for expected in (
        "/api/v1/tasks",
        "/api/v1/tasks/{task_id}",
        "/api/v1/issues",
        "/api/v1/issues/{issue_id}",
        "/api/v1/tasks/{task_id}/events",
        "/api/v1/issues/{issue_id}/feedback",
        "/api/v1/notifications",
    ):
        assert expected in paths
