"""Idempotency-Key on POST: replays, conflicts, concurrency, expiry (keys live in PostgreSQL)."""

import asyncio
import secrets
import uuid
from datetime import timedelta
from typing import Any

import httpx
import orjson
import sqlalchemy as sa
from sqlmodel import col

from app.access.roles import Role
from app.core.db import sessionmaker
from app.core.idempotency import KEEP_FOR, IdempotencyKey
from app.core.models import utcnow
from app.issues.models import Issue
from app.tasks.models import Task
from app.workitems.models import ItemEvent
from tests.support import World
from tests.workitems.helpers import assert_problem, headers, insert_task, ts


def task_body(world: World, title: str) -> dict[str, Any]:
    return {
        "title": title,
        "assignee_org_id": str(world.unit("M111").id),
        "due_at": ts(utcnow() + timedelta(days=3)),
        "priority": "urgent",
    }


async def count_tasks(title: str) -> int:
    async with sessionmaker()() as session:
        return int(
            (
                await session.execute(
                    sa.select(sa.func.count()).select_from(Task).where(col(Task.title) == title)
                )
            ).scalar_one()
        )


async def test_concurrent_identical_posts_create_exactly_one_task(
    client: httpx.AsyncClient, world: World
) -> None:
    title = f"concurrent-{secrets.token_hex(4)}"
    hdrs = headers(world, Role.officer, "S11", **{"Idempotency-Key": secrets.token_hex(8)})
    body = task_body(world, title)
    first, second = await asyncio.gather(
        client.post("/api/v1/tasks", json=body, headers=hdrs),
        client.post("/api/v1/tasks", json=body, headers=hdrs),
    )
    assert first.status_code == second.status_code == 201, (first.text, second.text)
    assert first.json()["id"] == second.json()["id"]
    assert await count_tasks(title) == 1
    replayed = [r.headers.get("idempotent-replayed") for r in (first, second)]
    assert sorted(replayed, key=str) == sorted([None, "true"], key=str)


async def test_many_concurrent_retries_still_create_one(
    client: httpx.AsyncClient, world: World
) -> None:
    title = f"stampede-{secrets.token_hex(4)}"
    hdrs = headers(world, Role.officer, "S11", **{"Idempotency-Key": secrets.token_hex(8)})
    body = task_body(world, title)
    responses = await asyncio.gather(
        *(client.post("/api/v1/tasks", json=body, headers=hdrs) for _ in range(6))
    )
    assert {r.status_code for r in responses} == {201}
    assert len({r.json()["id"] for r in responses}) == 1
    assert await count_tasks(title) == 1


async def test_retry_replays_the_first_response(client: httpx.AsyncClient, world: World) -> None:
    title = f"retry-{secrets.token_hex(4)}"
    key = secrets.token_hex(8)
    hdrs = headers(world, Role.officer, "S11", **{"Idempotency-Key": key})
    body = task_body(world, title)
    first = await client.post("/api/v1/tasks", json=body, headers=hdrs)
    assert first.status_code == 201
    # The same JSON with other spacing and key order is the same request.
    same = orjson.dumps(dict(reversed(list(body.items()))), option=orjson.OPT_INDENT_2)
    again = await client.post(
        "/api/v1/tasks", content=same, headers={**hdrs, "Content-Type": "application/json"}
    )
    assert again.status_code == 201
    assert again.headers["idempotent-replayed"] == "true"
    assert again.json() == first.json()
    assert again.headers["etag"] == first.headers["etag"]
    assert again.headers["location"] == first.headers["location"]
    assert await count_tasks(title) == 1
    async with sessionmaker()() as session:
        stored = (
            await session.execute(sa.select(IdempotencyKey).where(col(IdempotencyKey.key) == key))
        ).scalar_one()
    assert stored.expires_at - stored.created_at == KEEP_FOR == timedelta(days=7)


async def test_same_key_with_another_body_is_rejected(
    client: httpx.AsyncClient, world: World
) -> None:
    title = f"reuse-{secrets.token_hex(4)}"
    hdrs = headers(world, Role.officer, "S11", **{"Idempotency-Key": secrets.token_hex(8)})
    assert (
        await client.post("/api/v1/tasks", json=task_body(world, title), headers=hdrs)
    ).status_code == 201
    other = await client.post(
        "/api/v1/tasks", json=task_body(world, title + "-changed"), headers=hdrs
    )
    assert_problem(other, 422, "Idempotency-Key")
    # The same key on another route is another request too.
    issue = await client.post(
        "/api/v1/issues", json={"title": "x", "category": "land"}, headers=hdrs
    )
    assert_problem(issue, 422, "Idempotency-Key")
    assert await count_tasks(title + "-changed") == 0


async def test_concurrent_different_bodies_with_one_key(
    client: httpx.AsyncClient, world: World
) -> None:
    title = f"race-{secrets.token_hex(4)}"
    hdrs = headers(world, Role.officer, "S11", **{"Idempotency-Key": secrets.token_hex(8)})
    a, b = await asyncio.gather(
        client.post("/api/v1/tasks", json=task_body(world, title + "-a"), headers=hdrs),
        client.post("/api/v1/tasks", json=task_body(world, title + "-b"), headers=hdrs),
    )
    assert sorted([a.status_code, b.status_code]) == [201, 422]
    assert await count_tasks(title + "-a") + await count_tasks(title + "-b") == 1


async def test_keys_belong_to_their_user(client: httpx.AsyncClient, world: World) -> None:
    title = f"per-user-{secrets.token_hex(4)}"
    key = {"Idempotency-Key": secrets.token_hex(8)}
    body = task_body(world, title)
    one = await client.post(
        "/api/v1/tasks", json=body, headers=headers(world, Role.officer, "S11", **key)
    )
    two = await client.post(
        "/api/v1/tasks", json=body, headers=headers(world, Role.leader, "S11", **key)
    )
    assert one.status_code == two.status_code == 201
    assert one.json()["id"] != two.json()["id"]
    assert await count_tasks(title) == 2


async def test_an_expired_key_starts_afresh(client: httpx.AsyncClient, world: World) -> None:
    title = f"expired-{secrets.token_hex(4)}"
    key = secrets.token_hex(8)
    hdrs = headers(world, Role.officer, "S11", **{"Idempotency-Key": key})
    body = task_body(world, title)
    first = await client.post("/api/v1/tasks", json=body, headers=hdrs)
    async with sessionmaker()() as session:
        await session.execute(
            sa.update(IdempotencyKey)
            .where(col(IdempotencyKey.key) == key)
            .values(
                created_at=utcnow() - timedelta(hours=25),
                expires_at=utcnow() - timedelta(hours=1),
            )
        )
        await session.commit()
    later = await client.post("/api/v1/tasks", json=body, headers=hdrs)
    assert later.status_code == 201
    assert "idempotent-replayed" not in later.headers
    assert later.json()["id"] != first.json()["id"]
    assert await count_tasks(title) == 2


async def test_a_failed_request_is_not_remembered(client: httpx.AsyncClient, world: World) -> None:
    task_id = await insert_task(world, "S11", "M111", status="accepted")
    hdrs = headers(world, Role.officer, "M111", **{"Idempotency-Key": secrets.token_hex(8)})
    refused = await client.post(f"/api/v1/tasks/{task_id}/accept", headers=hdrs)
    assert_problem(refused, 409, "accepted")
    async with sessionmaker()() as session:
        await session.execute(
            sa.update(Task).where(col(Task.id) == task_id).values(status="issued")
        )
        await session.commit()
    retried = await client.post(f"/api/v1/tasks/{task_id}/accept", headers=hdrs)
    assert retried.status_code == 200
    assert retried.json()["status"] == "accepted"


async def test_a_retried_action_happens_once(client: httpx.AsyncClient, world: World) -> None:
    task_id = await insert_task(world, "S11", "M111", status="in_progress")
    hdrs = headers(world, Role.officer, "M111", **{"Idempotency-Key": secrets.token_hex(8)})
    body = {"note": "fifty percent", "progress": 50}
    responses = await asyncio.gather(
        *(
            client.post(f"/api/v1/tasks/{task_id}/progress", json=body, headers=hdrs)
            for _ in range(3)
        )
    )
    assert {r.status_code for r in responses} == {200}
    assert {r.json()["version"] for r in responses} == {2}
    async with sessionmaker()() as session:
        events = (
            await session.execute(
                sa.select(sa.func.count())
                .select_from(ItemEvent)
                .where(col(ItemEvent.entity_id) == task_id)
            )
        ).scalar_one()
    assert events == 1
    feedback = await client.get(f"/api/v1/tasks/{task_id}/feedback", headers=hdrs)
    assert len(feedback.json()["items"]) == 1


async def test_every_post_route_accepts_the_key(client: httpx.AsyncClient, world: World) -> None:
    """Issues, feedback and notification POSTs replay too."""
    key = {"Idempotency-Key": secrets.token_hex(8)}
    hdrs = headers(world, Role.officer, "M111", **key)
    issue_body = {"title": f"idem-{secrets.token_hex(3)}", "category": "water"}
    one = await client.post("/api/v1/issues", json=issue_body, headers=hdrs)
    two = await client.post("/api/v1/issues", json=issue_body, headers=hdrs)
    assert one.status_code == two.status_code == 201
    assert one.json()["id"] == two.json()["id"]
    async with sessionmaker()() as session:
        count = (
            await session.execute(
                sa.select(sa.func.count())
                .select_from(Issue)
                .where(col(Issue.title) == issue_body["title"])
            )
        ).scalar_one()
    assert count == 1
    fb_headers = headers(world, Role.officer, "M111", **{"Idempotency-Key": str(uuid.uuid4())})
    fb = {"kind": "comment", "body": "on site now"}
    url = f"/api/v1/issues/{one.json()['id']}/feedback"
    first = await client.post(url, json=fb, headers=fb_headers)
    second = await client.post(url, json=fb, headers=fb_headers)
    assert first.status_code == second.status_code == 201
    assert first.json()["id"] == second.json()["id"]
    listed = await client.get(url, headers=hdrs)
    assert len(listed.json()["items"]) == 1
    read_all = headers(world, Role.officer, "M111", **{"Idempotency-Key": secrets.token_hex(8)})
    assert (
        await client.post("/api/v1/notifications/read-all", headers=read_all)
    ).status_code == 200
    again = await client.post("/api/v1/notifications/read-all", headers=read_all)
    assert again.status_code == 200 and again.headers["idempotent-replayed"] == "true"


async def test_the_key_is_validated(client: httpx.AsyncClient, world: World) -> None:
    hdrs = headers(world, Role.officer, "S11", **{"Idempotency-Key": "k" * 256})
    response = await client.post(
        "/api/v1/tasks", json=task_body(world, "too long a key"), headers=hdrs
    )
    assert_problem(response, 422)
