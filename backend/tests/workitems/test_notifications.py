"""In-app notifications: assigned, returned, escalated, delegated, due soon, overdue."""

import asyncio
import uuid
from datetime import datetime, timedelta
from typing import Any

import httpx

from app.access.roles import Role
from app.core.models import utcnow
from app.jobs.service import KINDS, run_period
from tests.support import World
from tests.workitems.helpers import act, create_task, headers, insert_issue, insert_task


async def notices(
    client: httpx.AsyncClient, world: World, role: Role, unit: str, item_id: Any = None
) -> list[dict[str, Any]]:
    response = await client.get(
        "/api/v1/notifications", params={"limit": 200}, headers=headers(world, role, unit)
    )
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()["items"]
    return [n for n in items if item_id is None or n["entity_id"] == str(item_id)]


async def run_due_notices(tick: datetime | None = None) -> bool:
    """What the worker does every few minutes (the job, not the sweep inside it)."""
    return await run_period(KINDS["due_notices"], tick or utcnow())


def kinds(items: list[dict[str, Any]]) -> list[str]:
    return sorted(n["kind"] for n in items)


async def test_assignment_reaches_the_people_of_the_unit(
    client: httpx.AsyncClient, world: World
) -> None:
    task = await create_task(client, world, "S21", "M211", title="Clear the site")
    for role in (Role.leader, Role.officer, Role.liaison):
        got = await notices(client, world, role, "M211", task["id"])
        assert kinds(got) == ["task_assigned"], role
        assert got[0]["title"] == "Clear the site"
        assert got[0]["org_id"] == str(world.unit("M211").id)
        assert got[0]["org_name"] == world.unit("M211").name
        assert got[0]["read_at"] is None
    for role, unit in (
        (Role.observer, "M211"),
        (Role.admin, "M211"),
        (Role.officer, "S21"),
        (Role.officer, "M212"),
    ):
        assert await notices(client, world, role, unit, task["id"]) == [], (role, unit)


async def test_returns_reach_the_other_side(client: httpx.AsyncClient, world: World) -> None:
    declined = await create_task(client, world, "S21", "M211")
    await act(
        client,
        world,
        "tasks",
        declined["id"],
        "return",
        Role.leader,
        "M211",
        {"note": "wrong community"},
    )
    assert kinds(await notices(client, world, Role.officer, "S21", declined["id"])) == [
        "task_returned"
    ]
    rejected = await insert_task(world, "S21", "M212", status="submitted")
    await act(
        client,
        world,
        "tasks",
        rejected,
        "return",
        Role.leader,
        "S21",
        {"note": "the list is incomplete"},
    )
    assert kinds(await notices(client, world, Role.officer, "M212", rejected)) == ["task_returned"]
    # The one who acted is not told about their own action.
    assert await notices(client, world, Role.leader, "S21", rejected) == []


async def test_escalation_and_delegation_reach_the_new_handler(
    client: httpx.AsyncClient, world: World
) -> None:
    issue_id = await insert_issue(world, "M221", "S22")
    await act(client, world, "issues", issue_id, "escalate", Role.officer, "S22", {"note": "up"})
    assert kinds(await notices(client, world, Role.officer, "C2", issue_id)) == ["issue_escalated"]
    await act(
        client,
        world,
        "issues",
        issue_id,
        "delegate",
        Role.leader,
        "C2",
        {"note": "departments handle permits", "target_org_id": str(world.unit("D2").id)},
    )
    assert kinds(await notices(client, world, Role.leader, "D2", issue_id)) == ["issue_delegated"]
    assert await notices(client, world, Role.officer, "M221", issue_id) == []


async def test_due_soon_and_overdue_are_noticed_once(
    client: httpx.AsyncClient, world: World
) -> None:
    now = utcnow()
    soon = await insert_task(world, "S22", "M222", due_at=now + timedelta(hours=10))
    late = await insert_task(
        world, "S22", "M222", status="in_progress", due_at=now - timedelta(hours=1)
    )
    later = await insert_task(world, "S22", "M222", due_at=now + timedelta(days=5))
    finished = await insert_task(
        world, "S22", "M222", status="done", due_at=now - timedelta(hours=1)
    )
    issue_soon = await insert_issue(world, "M222", due_at=now + timedelta(hours=30))
    issue_late = await insert_issue(
        world, "M222", status="acknowledged", due_at=now - timedelta(days=1)
    )
    # Reading does not notice anything: the job does.
    assert await notices(client, world, Role.officer, "M222") == []
    # Two workers run the same period at once: it is done once, and each of the unit's
    # people gets every notice once.
    ran = await asyncio.gather(run_due_notices(now), run_due_notices(now))
    assert sorted(ran) == [False, True]
    first, second = await asyncio.gather(
        notices(client, world, Role.officer, "M222"), notices(client, world, Role.leader, "M222")
    )
    for got in (first, second):
        by_item = {(n["entity_id"], n["kind"]) for n in got}
        assert (str(soon), "task_due_soon") in by_item
        assert (str(late), "task_overdue") in by_item
        assert (str(late), "task_due_soon") not in by_item
        assert (str(issue_soon), "issue_due_soon") in by_item
        assert (str(issue_late), "issue_overdue") in by_item
        assert not {i for i, _ in by_item} & {str(later), str(finished)}
        assert len(got) == len(by_item), "a notice was duplicated"
    # The next period's run finds nothing new.
    assert await run_due_notices(now + timedelta(minutes=5))
    assert len(await notices(client, world, Role.officer, "M222")) == len(first)
    # The issuer side is not told (the assignee is the one who must act).
    assert await notices(client, world, Role.officer, "S22", soon) == []


async def test_a_moved_due_date_can_be_noticed_again(
    client: httpx.AsyncClient, world: World
) -> None:
    now = utcnow()
    task_id = await insert_task(
        world, "S12", "M122", status="in_progress", due_at=now - timedelta(hours=2)
    )
    await run_due_notices()
    assert kinds(await notices(client, world, Role.officer, "M122", task_id)) == ["task_overdue"]
    await act(
        client,
        world,
        "tasks",
        task_id,
        "request-extension",
        Role.officer,
        "M122",
        {"note": "storm", "due_at": (now + timedelta(hours=20)).isoformat()},
    )
    await act(client, world, "tasks", task_id, "approve-extension", Role.leader, "S12")
    await run_due_notices()
    assert kinds(await notices(client, world, Role.officer, "M122", task_id)) == [
        "task_due_soon",
        "task_extension_approved",
        "task_overdue",
    ]


async def test_reading_and_marking(client: httpx.AsyncClient, world: World) -> None:
    tasks = [await create_task(client, world, "S12", "M121", title=f"batch {n}") for n in range(5)]
    ids = {t["id"] for t in tasks}
    hdrs = headers(world, Role.liaison, "M121")
    first = await client.get("/api/v1/notifications", params={"limit": 2}, headers=hdrs)
    body = first.json()
    assert len(body["items"]) == 2 and body["next_cursor"]
    assert body["unread_count"] >= 5
    everything = body["items"]
    cursor = body["next_cursor"]
    while cursor:
        page = (
            await client.get(
                "/api/v1/notifications", params={"limit": 2, "cursor": cursor}, headers=hdrs
            )
        ).json()
        everything += page["items"]
        cursor = page["next_cursor"]
    assert len({n["id"] for n in everything}) == len(everything)
    assert ids <= {n["entity_id"] for n in everything}
    stamps = [(n["created_at"], n["id"]) for n in everything]
    assert stamps == sorted(stamps, reverse=True)  # newest first

    one = next(n for n in everything if n["entity_id"] == tasks[0]["id"])
    marked = await client.post(f"/api/v1/notifications/{one['id']}/read", headers=hdrs)
    assert marked.status_code == 200 and marked.json()["read_at"]
    unread = (
        await client.get(
            "/api/v1/notifications", params={"unread": "true", "limit": 200}, headers=hdrs
        )
    ).json()
    assert one["id"] not in {n["id"] for n in unread["items"]}
    assert unread["unread_count"] == body["unread_count"] - 1
    assert (
        await client.post(f"/api/v1/notifications/{uuid.uuid4()}/read", headers=hdrs)
    ).status_code == 404

    cleared = await client.post("/api/v1/notifications/read-all", headers=hdrs)
    assert cleared.json()["marked"] == body["unread_count"] - 1
    after = (await client.get("/api/v1/notifications", headers=hdrs)).json()
    assert after["unread_count"] == 0
    read = (
        await client.get("/api/v1/notifications", params={"unread": "false"}, headers=hdrs)
    ).json()
    assert read["items"] and all(n["read_at"] for n in read["items"])
