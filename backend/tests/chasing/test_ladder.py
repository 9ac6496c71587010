"""The chasing ladder step by step, with the clock frozen at fixed local dates: each
step's moment, recipients and records, the acknowledgement (已阅), concurrent sweeps,
catch-up after a gap, unsigned tasks, issues against their handler, and the 督办单."""

import asyncio
import uuid
from datetime import datetime, timedelta

import asyncpg
import httpx
import pytest

from app.access.roles import Role
from app.chasing import service
from app.core.db_urls import plain_url
from tests.chasing.helpers import (
    CIRCULAR,
    DUE,
    ISSUED,
    NOTICE,
    REMINDER,
    SUPERVISION,
    actions,
    chase_events,
    local,
    notice_kinds,
    notices,
    sweep_at,
)
from tests.support import World
from tests.workitems.helpers import PROBLEM_JSON, insert_issue, insert_task

LADDER = ["chase_reminder", "chase_notice", "chase_circular", "chase_supervision"]
MOMENT = 1e-6  # seconds: a sweep just before a step's moment


def _just_before(moment: datetime) -> datetime:
    return moment - timedelta(seconds=MOMENT)


async def _audited(database_url: str, item_id: uuid.UUID) -> list[str]:
    conn = await asyncpg.connect(plain_url(database_url))
    try:
        rows = await conn.fetch(
            "SELECT action FROM audit_log WHERE entity_id = $1 ORDER BY id", str(item_id)
        )
    finally:
        await conn.close()
    return [r["action"] for r in rows]


async def test_a_task_climbs_the_ladder_step_by_step(
    client: httpx.AsyncClient, world: World, database_url: str
) -> None:
    """Task force T1 (county C1) to community M111, due Wednesday 30 September."""
    task = await insert_task(
        world, "T1", "M111", status="in_progress", due_at=DUE, created_at=ISSUED
    )
    expected: list[str] = []
    for moment, step in zip((REMINDER, NOTICE, CIRCULAR, SUPERVISION), LADDER, strict=True):
        await sweep_at(_just_before(moment))
        assert actions(await chase_events(client, world, "tasks", task)) == expected
        await sweep_at(moment)
        expected.append(step)
        assert actions(await chase_events(client, world, "tasks", task)) == expected
    # Over the holiday nothing moves; a later sweep adds nothing.
    await sweep_at(local(10, 20))
    events = await chase_events(client, world, "tasks", task)
    assert actions(events) == LADDER
    assert all(datetime.fromisoformat(e["data"]["deadline"]) == DUE for e in events)
    assert await _audited(database_url, task) == [f"task.{step}" for step in LADDER]

    # Recipients: the reminder to the assignee; the chasing notice to its leaders and
    # officers; the circular to the issuer and the assignee's parent (street S11);
    # supervision to the leaders of the issuer's parent tier (county C1).
    for role in (Role.leader, Role.officer, Role.liaison):
        assert "chase_reminder" in await notice_kinds(client, world, role, "M111", task)
    assert "chase_notice" in await notice_kinds(client, world, Role.officer, "M111", task)
    assert "chase_notice" in await notice_kinds(client, world, Role.leader, "M111", task)
    assert "chase_notice" not in await notice_kinds(client, world, Role.liaison, "M111", task)
    for unit in ("T1", "S11"):
        assert await notice_kinds(client, world, Role.officer, unit, task) == {"chase_circular"}
    assert await notice_kinds(client, world, Role.leader, "C1", task) == {"chase_supervision"}
    assert await notice_kinds(client, world, Role.officer, "C1", task) == set()
    circular = next(e for e in events if e["action"] == "chase_circular")
    assert {n["org_id"] for n in circular["data"]["notified"]} == {
        str(world.unit("T1").id),
        str(world.unit("S11").id),
    }


async def test_the_recipient_acknowledges_a_step(client: httpx.AsyncClient, world: World) -> None:
    task = await insert_task(world, "T1", "M112", status="accepted", due_at=DUE, created_at=ISSUED)
    await sweep_at(NOTICE)
    officer = world.actor(Role.officer, "M112")
    [notice] = [
        n
        for n in await notices(client, world, Role.officer, "M112", task)
        if n["kind"] == "chase_notice"
    ]
    assert notice["acknowledgeable"] and notice["acknowledged_at"] is None
    url = f"/api/v1/notifications/{notice['id']}/acknowledge"
    response = await client.post(url, headers=officer.headers)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["acknowledged_at"] is not None and body["read_at"] is not None
    again = await client.post(url, headers=officer.headers)
    assert again.status_code == 200 and again.json()["acknowledged_at"] == body["acknowledged_at"]
    acknowledged = [
        e
        for e in await chase_events(client, world, "tasks", task)
        if e["action"] == "chase_acknowledged"
    ]
    assert len(acknowledged) == 1
    [event] = acknowledged
    assert event["actor_id"] == str(officer.user.id)
    assert event["org_id"] == str(world.unit("M112").id)
    assert event["data"]["step"] == "notice"

    # Only its recipient, and only chasing notices.
    other = await client.post(url, headers=world.actor(Role.leader, "M112").headers)
    assert other.status_code == 404 and other.headers["content-type"] == PROBLEM_JSON
    [reminder] = [
        n
        for n in await notices(client, world, Role.officer, "M112", task)
        if n["kind"] == "chase_reminder"
    ]
    assert reminder["acknowledgeable"]
    # An ordinary notice (a task assigned) is read, not acknowledged.
    created = await client.post(
        "/api/v1/tasks",
        json={
            "title": "an ordinary one",
            "assignee_org_id": str(world.unit("M112").id),
            "due_at": (datetime.now().astimezone() + timedelta(days=30)).isoformat(),
        },
        headers=world.actor(Role.officer, "T1").headers,
    )
    assert created.status_code == 201, created.text
    [ordinary] = await notices(client, world, Role.officer, "M112", uuid.UUID(created.json()["id"]))
    assert not ordinary["acknowledgeable"]
    refused = await client.post(
        f"/api/v1/notifications/{ordinary['id']}/acknowledge", headers=officer.headers
    )
    assert refused.status_code == 409 and refused.headers["content-type"] == PROBLEM_JSON


async def test_two_concurrent_sweeps_take_each_step_once(
    client: httpx.AsyncClient, world: World
) -> None:
    tasks = [
        await insert_task(world, "T1", "M111", status="in_progress", due_at=DUE, created_at=ISSUED)
        for _ in range(3)
    ]
    await asyncio.gather(sweep_at(local(10, 14)), sweep_at(local(10, 14, 9, 1)))
    for task in tasks:
        assert actions(await chase_events(client, world, "tasks", task)) == LADDER


async def test_a_sweep_after_a_gap_takes_every_step_due_in_order(
    client: httpx.AsyncClient, world: World
) -> None:
    """Nothing ran from before the deadline until Saturday 10 October (a working day)."""
    task = await insert_task(
        world, "T1", "M111", status="in_progress", due_at=DUE, created_at=ISSUED
    )
    await sweep_at(local(9, 28))
    assert await chase_events(client, world, "tasks", task) == []
    await sweep_at(local(10, 10))
    events = await chase_events(client, world, "tasks", task)
    assert actions(events) == LADDER[:3]
    assert [e["id"] for e in events] == sorted(e["id"] for e in events)


async def test_an_unsigned_task_is_chased_from_its_acceptance_limit(
    client: httpx.AsyncClient, world: World
) -> None:
    """Issued, not accepted by Tuesday 29 September 18:00, due at the end of October: no
    reminder, and the steps run from the acceptance limit."""
    task = await insert_task(
        world,
        "T1",
        "M111",
        status="issued",
        due_at=local(10, 30, 18),
        accept_due_at=local(9, 29, 18),
        created_at=ISSUED,
    )
    await sweep_at(local(9, 30))  # the first working day after the limit
    events = await chase_events(client, world, "tasks", task)
    assert actions(events) == ["chase_notice"]
    assert events[0]["data"]["clock"] == "acceptance"
    await sweep_at(local(10, 9))  # the third working day after it (30 Sep, 8, 9 Oct)
    assert actions(await chase_events(client, world, "tasks", task)) == [
        "chase_notice",
        "chase_circular",
    ]


async def test_an_issue_climbs_against_its_handler(
    client: httpx.AsyncClient, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Reported by community M111, handled by street S11: the circular goes to the
    reporter and the handler's parent (C1), supervision to C1, the handler's parent tier."""
    issue = await insert_issue(
        world, "M111", "S11", status="acknowledged", due_at=DUE, created_at=ISSUED
    )
    await sweep_at(local(10, 13))
    events = await chase_events(client, world, "issues", issue)
    assert actions(events) == LADDER
    assert "chase_notice" in await notice_kinds(client, world, Role.leader, "S11", issue)
    assert "chase_circular" in await notice_kinds(client, world, Role.officer, "M111", issue)
    assert "chase_circular" in await notice_kinds(client, world, Role.officer, "C1", issue)
    assert "chase_supervision" in await notice_kinds(client, world, Role.leader, "C1", issue)

    monkeypatch.setattr(service, "utcnow", lambda: local(10, 13, 10))
    order = {"note": "settle it this week", "due_at": local(10, 16, 18).isoformat()}
    url = f"/api/v1/issues/{issue}/supervise"
    reporter = await client.post(url, json=order, headers=world.actor(Role.leader, "M111").headers)
    assert reporter.status_code == 403 and reporter.headers["content-type"] == PROBLEM_JSON
    supervised = await client.post(url, json=order, headers=world.actor(Role.leader, "C1").headers)
    assert supervised.status_code == 200, supervised.text
    assert datetime.fromisoformat(supervised.json()["due_at"]) == local(10, 16, 18)
    assert "supervision_order" in await notice_kinds(client, world, Role.officer, "S11", issue)


async def test_a_supervision_order_resets_the_ladder(
    client: httpx.AsyncClient, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    task = await insert_task(
        world, "T1", "M111", status="in_progress", due_at=DUE, created_at=ISSUED
    )
    url = f"/api/v1/tasks/{task}/supervise"
    new_due = local(10, 30, 18)
    order = {"note": "report progress daily", "due_at": new_due.isoformat()}
    county = world.actor(Role.leader, "C1").headers
    monkeypatch.setattr(service, "utcnow", lambda: local(10, 12, 10))
    await sweep_at(local(10, 12))
    early = await client.post(url, json=order, headers=county)
    assert early.status_code == 409 and early.headers["content-type"] == PROBLEM_JSON

    await sweep_at(local(10, 13))
    monkeypatch.setattr(service, "utcnow", lambda: local(10, 13, 10))
    for unit in ("T1", "M111", "S11"):  # the issuer, the assignee and its street: not above
        refused = await client.post(url, json=order, headers=world.actor(Role.leader, unit).headers)
        assert refused.status_code == 403, (unit, refused.text)
        assert refused.json()["supervisor_org_id"] == str(world.unit("C1").id)
    officer = await client.post(url, json=order, headers=world.actor(Role.officer, "C1").headers)
    assert officer.status_code == 403
    assert officer.json()["required_permission"] == "chasing.supervise"
    past = await client.post(
        url, json={**order, "due_at": local(10, 12).isoformat()}, headers=county
    )
    assert past.status_code == 422
    done = await client.post(url, json=order, headers=county)
    assert done.status_code == 200, done.text
    assert datetime.fromisoformat(done.json()["due_at"]) == new_due
    again = await client.post(url, json=order, headers=county)
    assert again.status_code == 409

    events = await chase_events(client, world, "tasks", task)
    assert actions(events) == [*LADDER, "supervise"]
    assert events[-1]["note"] == "report progress daily"
    assert events[-1]["org_id"] == str(world.unit("C1").id)
    assert "supervision_order" in await notice_kinds(client, world, Role.officer, "M111", task)

    # The ladder starts again from the new date: its reminder on Thursday 29 October.
    await sweep_at(local(10, 28))
    assert actions(await chase_events(client, world, "tasks", task)) == [*LADDER, "supervise"]
    await sweep_at(local(10, 29))
    events = await chase_events(client, world, "tasks", task)
    assert actions(events) == [*LADDER, "supervise", "chase_reminder"]
    assert datetime.fromisoformat(events[-1]["data"]["deadline"]) == new_due
