"""Every timestamp a client sends lies in years 2000-2099 with a real-world UTC offset:
anything else is a 422 naming the field and changes nothing. A new task is due in the
future."""

from datetime import timedelta
from typing import Any

import httpx
import pytest

from app.access.roles import Role
from app.core.models import utcnow
from tests.support import World
from tests.workitems.helpers import assert_problem, create_task, headers, insert_task, ts

OUT_OF_WINDOW = [
    "0001-01-01T00:00:00Z",
    "0001-01-01T00:00:00+14:00",
    "9999-12-31T23:59:59-14:00",
    "1999-12-31T23:59:59Z",
    "2100-01-01T00:00:00Z",
    "2099-12-31T23:00:00-14:00",  # 2100-01-01 in UTC
    "2050-06-01T12:00:00+14:30",  # no zone lies beyond ±14:00
    "2050-06-01T12:00:00-23:59",
]


def _locations(response: httpx.Response) -> list[list[str]]:
    return [error["loc"] for error in response.json()["errors"]]


async def _task_row(client: httpx.AsyncClient, world: World, task_id: Any) -> dict[str, Any]:
    response = await client.get(
        f"/api/v1/tasks/{task_id}", headers=headers(world, Role.officer, "S11")
    )
    assert response.status_code == 200
    data: dict[str, Any] = response.json()
    return data


@pytest.mark.parametrize("when", OUT_OF_WINDOW)
async def test_a_create_due_outside_the_window_is_422(
    client: httpx.AsyncClient, world: World, when: str
) -> None:
    body = {"title": "edge", "assignee_org_id": str(world.unit("M111").id), "due_at": when}
    response = await client.post(
        "/api/v1/tasks", json=body, headers=headers(world, Role.officer, "S11")
    )
    assert_problem(response, 422)
    assert ["body", "due_at"] in _locations(response)


@pytest.mark.parametrize("when", OUT_OF_WINDOW)
async def test_an_edit_or_extension_outside_the_window_is_422_and_changes_nothing(
    client: httpx.AsyncClient, world: World, when: str
) -> None:
    task = await create_task(client, world, "S11", "M111")
    edit = await client.patch(
        f"/api/v1/tasks/{task['id']}",
        json={"due_at": when},
        headers=headers(world, Role.officer, "S11"),
    )
    assert_problem(edit, 422)
    assert ["body", "due_at"] in _locations(edit)
    accepted = await insert_task(world, "S11", "M111", status="accepted")
    extension = await client.post(
        f"/api/v1/tasks/{accepted}/request-extension",
        json={"note": "more time", "due_at": when},
        headers=headers(world, Role.officer, "M111"),
    )
    assert_problem(extension, 422)
    assert ["body", "due_at"] in _locations(extension)
    assert (await _task_row(client, world, task["id"]))["due_at"] == task["due_at"]
    assert (await _task_row(client, world, accepted))["extension"] is None


@pytest.mark.parametrize("name", ["due_before", "due_after"])
@pytest.mark.parametrize("kind", ["tasks", "issues"])
@pytest.mark.parametrize("when", OUT_OF_WINDOW[:3])
async def test_a_due_filter_outside_the_window_is_422(
    client: httpx.AsyncClient, world: World, kind: str, name: str, when: str
) -> None:
    response = await client.get(
        f"/api/v1/{kind}", params={name: when}, headers=headers(world, Role.leader, "S11")
    )
    assert_problem(response, 422)
    assert ["query", name] in _locations(response)


async def test_the_window_edges_themselves_are_accepted(
    client: httpx.AsyncClient, world: World
) -> None:
    for name, when in (
        ("due_after", "2000-01-01T00:00:00Z"),
        ("due_before", "2099-12-31T09:59:59-14:00"),
    ):
        response = await client.get(
            "/api/v1/tasks", params={name: when}, headers=headers(world, Role.leader, "S11")
        )
        assert response.status_code == 200, response.text
    far = await create_task(client, world, "S11", "M111", due_at=utcnow().replace(year=2099))
    assert far["due_at"].startswith("2099-")


async def test_a_new_task_due_in_the_past_is_refused(
    client: httpx.AsyncClient, world: World
) -> None:
    body = {
        "title": "already late",
        "assignee_org_id": str(world.unit("M111").id),
        "due_at": ts(utcnow() - timedelta(minutes=1)),
    }
    response = await client.post(
        "/api/v1/tasks", json=body, headers=headers(world, Role.officer, "S11")
    )
    assert_problem(response, 422, "due_at", "future")
    assert ["body", "due_at"] in _locations(response)
    listed = await client.get(
        "/api/v1/tasks", params={"q": "already late"}, headers=headers(world, Role.officer, "S11")
    )
    assert listed.json()["items"] == []
