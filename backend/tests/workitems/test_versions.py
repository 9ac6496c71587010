"""ETag on reads, If-Match on PATCH and actions: 412 when stale, the version increments."""

import asyncio

import httpx
import pytest

from app.access.roles import Role
from tests.support import World
from tests.workitems.helpers import assert_problem, headers, insert_issue, insert_task


@pytest.mark.parametrize("kind", ["tasks", "issues"])
async def test_patch_honours_if_match(client: httpx.AsyncClient, world: World, kind: str) -> None:
    if kind == "tasks":
        item_id = await insert_task(world, "S11", "M111")
        hdrs = headers(world, Role.officer, "S11")
    else:
        item_id = await insert_issue(world, "M111")
        hdrs = headers(world, Role.officer, "M111")
    url = f"/api/v1/{kind}/{item_id}"
    read = await client.get(url, headers=hdrs)
    assert read.headers["etag"] == '"1"' and read.json()["version"] == 1

    first = await client.patch(url, json={"title": "first"}, headers={**hdrs, "If-Match": '"1"'})
    assert first.status_code == 200, first.text
    assert first.headers["etag"] == '"2"' and first.json()["version"] == 2

    stale = await client.patch(url, json={"title": "lost"}, headers={**hdrs, "If-Match": '"1"'})
    problem = assert_problem(stale, 412, "version 2")
    assert problem["current_version"] == 2
    assert stale.headers["etag"] == '"2"'
    assert (await client.get(url, headers=hdrs)).json()["title"] == "first"

    for tag in ('W/"2"', '"7", "3"', "*"):  # versions 2, 3, then anything
        response = await client.patch(url, json={"title": tag}, headers={**hdrs, "If-Match": tag})
        assert response.status_code == 200, (tag, response.text)
    assert (await client.get(url, headers=hdrs)).json()["version"] == 5
    # Without If-Match the write goes ahead.
    assert (await client.patch(url, json={"title": "free"}, headers=hdrs)).json()["version"] == 6
    # A PATCH that changes nothing keeps the version.
    assert (await client.patch(url, json={"title": "free"}, headers=hdrs)).json()["version"] == 6


async def test_actions_honour_if_match(client: httpx.AsyncClient, world: World) -> None:
    task_id = await insert_task(world, "S11", "M111")
    hdrs = headers(world, Role.officer, "M111")
    stale = await client.post(
        f"/api/v1/tasks/{task_id}/accept", headers={**hdrs, "If-Match": '"0"'}
    )
    assert_problem(stale, 412)
    assert (await client.get(f"/api/v1/tasks/{task_id}", headers=hdrs)).json()["status"] == "issued"
    ok = await client.post(f"/api/v1/tasks/{task_id}/accept", headers={**hdrs, "If-Match": '"1"'})
    assert ok.status_code == 200 and ok.headers["etag"] == '"2"'
    # Stale beats the state check: the client must reload before anything else.
    again = await client.post(
        f"/api/v1/tasks/{task_id}/accept", headers={**hdrs, "If-Match": '"1"'}
    )
    assert_problem(again, 412)

    issue_id = await insert_issue(world, "M111")
    stale_issue = await client.post(
        f"/api/v1/issues/{issue_id}/acknowledge", headers={**hdrs, "If-Match": '"9"'}
    )
    assert_problem(stale_issue, 412)


async def test_two_writers_with_one_version_one_wins(
    client: httpx.AsyncClient, world: World
) -> None:
    task_id = await insert_task(world, "S11", "M111", status="submitted")
    issuer = headers(world, Role.leader, "S11", **{"If-Match": '"1"'})
    verify, send_back = await asyncio.gather(
        client.post(f"/api/v1/tasks/{task_id}/verify", headers=issuer),
        client.post(f"/api/v1/tasks/{task_id}/return", json={"note": "redo it"}, headers=issuer),
    )
    assert sorted([verify.status_code, send_back.status_code]) == [200, 412]
    final = await client.get(f"/api/v1/tasks/{task_id}", headers=issuer)
    assert final.json()["version"] == 2
    assert final.json()["status"] in ("done", "returned")


async def test_concurrent_actions_without_if_match_are_serialised(
    client: httpx.AsyncClient, world: World
) -> None:
    task_id = await insert_task(world, "S11", "M111")
    hdrs = headers(world, Role.officer, "M111")
    results = await asyncio.gather(
        *(client.post(f"/api/v1/tasks/{task_id}/accept", headers=hdrs) for _ in range(4))
    )
    assert sorted(r.status_code for r in results) == [200, 409, 409, 409]
    assert (await client.get(f"/api/v1/tasks/{task_id}", headers=hdrs)).json()["version"] == 2
