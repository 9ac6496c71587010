"""The summary equals a reference computed in Python from the raw rows, after a scripted
story of creations, state changes, extensions, returns and re-issues, escalations,
delegations, reopenings, direct SQL edits and deletes, and concurrent writers."""

import asyncio
import uuid
from datetime import datetime, timedelta
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from sqlmodel import col

from app.access.roles import Role
from app.core.db import sessionmaker
from app.core.models import utcnow
from app.tasks.models import Task
from tests.stats.reference import expected_summary, load_raw
from tests.support import World
from tests.workitems.helpers import (
    act,
    assert_problem,
    create_task,
    headers,
    insert_issue,
    insert_task,
    set_columns,
    ts,
)

SUMMARY = "/api/v1/stats/summary"


def freeze(monkeypatch: pytest.MonkeyPatch, at: datetime) -> None:
    """The summary's clock (overdue and due soon refer to it)."""
    monkeypatch.setattr("app.stats.service.utcnow", lambda: at)


async def summary_of(
    client: httpx.AsyncClient, hdrs: dict[str, str], org_id: uuid.UUID
) -> dict[str, Any]:
    response = await client.get(SUMMARY, params={"org_id": str(org_id)}, headers=hdrs)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def assert_matches_reference(
    client: httpx.AsyncClient, world: World, monkeypatch: pytest.MonkeyPatch, at: datetime
) -> None:
    """Every unit of the world, read by an observer whose grant covers it."""
    freeze(monkeypatch, at)
    raw = await load_raw()
    for label, unit in world.units.items():
        root = "Q" if label in ("Q", "X") else "P"
        body = await summary_of(client, headers(world, Role.observer, root), unit.id)
        assert body["org_id"] == str(unit.id)
        assert body["org_name"] == unit.name
        assert datetime.fromisoformat(body["as_of"]) == at
        expected = expected_summary(raw, unit.id, at)
        assert body["tasks"] == expected["tasks"], label
        assert body["issues"] == expected["issues"], label


async def create_issue(
    client: httpx.AsyncClient, world: World, unit: str, role: Role = Role.officer, **fields: Any
) -> dict[str, Any]:
    body = {"title": f"issue at {unit}", "category": "power", **fields}
    response = await client.post("/api/v1/issues", json=body, headers=headers(world, role, unit))
    assert response.status_code == 201, response.text
    data: dict[str, Any] = response.json()
    return data


async def test_summary_matches_the_reference_through_a_scripted_story(
    client: httpx.AsyncClient, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    now = utcnow()
    await assert_matches_reference(client, world, monkeypatch, now)
    officer, leader = Role.officer, Role.leader

    # A county task worked through to done.
    t1 = await create_task(
        client, world, "C1", "S11", role=leader, priority="urgent", due_at=now + timedelta(days=5)
    )
    await act(client, world, "tasks", t1["id"], "accept", officer, "S11")
    await act(client, world, "tasks", t1["id"], "start", officer, "S11")
    await act(client, world, "tasks", t1["id"], "progress", officer, "S11", {"progress": 60})
    await assert_matches_reference(client, world, monkeypatch, utcnow())
    await act(client, world, "tasks", t1["id"], "submit", officer, "S11", {"note": "built"})
    await act(client, world, "tasks", t1["id"], "verify", leader, "C1")

    # Sent back by the community, re-issued by the street to the neighbouring community.
    # Both parties lie under S11 and C1: the task counts once there.
    street = headers(world, Role.observer, "S11")
    before = {u: await summary_of(client, street, world.unit(u).id) for u in ("S11", "M111")}
    t2 = await create_task(client, world, "S11", "M111", due_at=now + timedelta(hours=30))
    for unit in ("S11", "M111"):
        after = await summary_of(client, street, world.unit(unit).id)
        assert after["tasks"]["total"] == before[unit]["tasks"]["total"] + 1
        assert after["tasks"]["by_status"]["issued"] == (
            before[unit]["tasks"]["by_status"]["issued"] + 1
        )
        assert after["tasks"]["due_soon"] == before[unit]["tasks"]["due_soon"] + 1
    await act(client, world, "tasks", t2["id"], "return", leader, "M111", {"note": "not ours"})
    await assert_matches_reference(client, world, monkeypatch, utcnow())
    await act(
        client,
        world,
        "tasks",
        t2["id"],
        "reissue",
        officer,
        "S11",
        {"assignee_org_id": str(world.unit("M112").id)},
    )
    await act(client, world, "tasks", t2["id"], "accept", officer, "M112")

    # The county task force directs a community; an extension moves the due date; cancelled.
    t3 = await create_task(client, world, "T1", "M121", due_at=now + timedelta(days=3))
    await act(client, world, "tasks", t3["id"], "accept", officer, "M121")
    await act(
        client,
        world,
        "tasks",
        t3["id"],
        "request-extension",
        officer,
        "M121",
        {"note": "rain", "due_at": ts(now + timedelta(days=10))},
    )
    await act(client, world, "tasks", t3["id"], "approve-extension", leader, "T1")
    await assert_matches_reference(client, world, monkeypatch, utcnow())

    # A task split into subtasks; cancelling the parent cancels the open subtask.
    t4 = await create_task(client, world, "C1", "S12", due_at=now + timedelta(days=4))
    await act(client, world, "tasks", t4["id"], "accept", officer, "S12")
    sub = await create_task(
        client, world, "S12", "M121", parent_id=t4["id"], due_at=now + timedelta(days=2)
    )
    await create_task(
        client, world, "S12", "M122", parent_id=t4["id"], due_at=now + timedelta(hours=1)
    )
    await act(client, world, "tasks", sub["id"], "accept", officer, "M121")
    await act(client, world, "tasks", t4["id"], "cancel", leader, "C1")

    # The prefecture asks the other county; its due date is then moved into the past.
    t5 = await create_task(client, world, "P", "C2", role=leader, due_at=now + timedelta(days=9))
    await set_columns(Task, uuid.UUID(t5["id"]), due_at=now - timedelta(days=2, minutes=5))
    await assert_matches_reference(client, world, monkeypatch, utcnow())

    # The escalation story: community -> street -> county resolves; the community closes.
    county = headers(world, Role.observer, "C1")
    before = {u: await summary_of(client, county, world.unit(u).id) for u in ("C1", "S11")}
    i1 = await create_issue(client, world, "M111", severity="high")
    await act(client, world, "issues", i1["id"], "escalate", officer, "M111", {"note": "power"})
    await assert_matches_reference(client, world, monkeypatch, utcnow())
    await act(client, world, "issues", i1["id"], "escalate", officer, "S11", {"note": "county"})
    await act(client, world, "issues", i1["id"], "acknowledge", officer, "C1")
    await act(client, world, "issues", i1["id"], "resolve", leader, "C1", {"note": "new line"})
    await act(
        client, world, "issues", i1["id"], "close", officer, "M111", {"note": "ok", "rating": 4}
    )
    for unit in ("C1", "S11"):  # counted once, though reporter and handler both lie below C1
        after = await summary_of(client, county, world.unit(unit).id)
        assert after["issues"]["total"] == before[unit]["issues"]["total"] + 1
        assert after["issues"]["by_status"]["closed"] == (
            before[unit]["issues"]["by_status"]["closed"] + 1
        )
        tiers = after["issues"]["resolved_by_tier"]
        assert tiers["county"] == before[unit]["issues"]["resolved_by_tier"]["county"] + 1
        assert after["issues"]["rated"] == before[unit]["issues"]["rated"] + 1
    await assert_matches_reference(client, world, monkeypatch, utcnow())

    # Delegated down to a sibling community, resolved there, reopened, resolved again.
    i2 = await create_issue(client, world, "M112", category="land", severity="critical")
    await act(client, world, "issues", i2["id"], "acknowledge", officer, "M112")
    await act(client, world, "issues", i2["id"], "escalate", officer, "M112", {"note": "up"})
    await act(
        client,
        world,
        "issues",
        i2["id"],
        "delegate",
        leader,
        "S11",
        {"note": "yours", "target_org_id": str(world.unit("M111").id)},
    )
    await assert_matches_reference(client, world, monkeypatch, utcnow())
    await act(client, world, "issues", i2["id"], "resolve", leader, "M111", {"note": "done"})
    await act(client, world, "issues", i2["id"], "reopen", officer, "M112", {"note": "not yet"})
    await assert_matches_reference(client, world, monkeypatch, utcnow())
    await act(client, world, "issues", i2["id"], "resolve", leader, "M111", {"note": "now"})

    # An enterprise's issue left open until it is overdue; one in the other prefecture.
    i3 = await create_issue(client, world, "E1", Role.liaison, category="labour")
    await set_columns_issue(i3["id"], due_at=now - timedelta(hours=1))
    i4 = await create_issue(client, world, "X", category="funding", severity="low")
    await act(client, world, "issues", i4["id"], "resolve", leader, "X", {"note": "paid"})
    await act(client, world, "issues", i4["id"], "close", officer, "X", {"note": "ok", "rating": 2})

    # Direct SQL: a multi-row update, a party change, and deletes.
    extra = [
        await insert_task(world, "S21", "M211", status=status, title="bulk")
        for status in ("issued", "in_progress", "submitted", "done", "returned_by_issuer")
    ]
    async with sessionmaker()() as session:
        await session.execute(
            sa.update(Task)
            .where(col(Task.id).in_(extra))
            .values(priority="urgent", due_at=sa.func.now() + timedelta(hours=20))
        )
        await session.execute(
            sa.update(Task)
            .where(col(Task.id) == extra[0])
            .values(assignee_org_id=world.unit("M212").id, assignee_path=world.unit("M212").path)
        )
        await session.execute(sa.delete(Task).where(col(Task.id) == extra[1]))
        await session.commit()
    gone = await insert_issue(world, "M221", "C2", status="resolved")
    await insert_issue(world, "M222", "S22", status="closed")
    async with sessionmaker()() as session:
        from app.issues.models import Issue

        await session.execute(sa.delete(Issue).where(col(Issue.id) == gone))
        await session.commit()
    await assert_matches_reference(client, world, monkeypatch, utcnow())


async def set_columns_issue(issue_id: str, **values: Any) -> None:
    from app.issues.models import Issue

    await set_columns(Issue, uuid.UUID(issue_id), **values)


async def test_concurrent_writers_keep_the_counters_right(
    client: httpx.AsyncClient, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Parallel requests run on several connections, so several slots; the sums hold."""
    now = utcnow()
    created = await asyncio.gather(
        *(
            create_task(client, world, "S21", m, due_at=now + timedelta(hours=h))
            for h in range(1, 7)
            for m in ("M211", "M212")
        )
    )
    await asyncio.gather(
        *(
            act(client, world, "tasks", t["id"], "accept", Role.officer, t_unit(world, t))
            for t in created
        )
    )
    issues = await asyncio.gather(
        *(create_issue(client, world, m, severity="high") for m in ("M211", "M212", "M221") * 3)
    )
    await asyncio.gather(
        *(
            act(
                client,
                world,
                "issues",
                i["id"],
                "escalate",
                Role.officer,
                unit_of(world, i),
                {"note": "up"},
            )
            for i in issues
        )
    )
    await assert_matches_reference(client, world, monkeypatch, utcnow())


def t_unit(world: World, task: dict[str, Any]) -> str:
    return next(label for label, u in world.units.items() if str(u.id) == task["assignee_org_id"])


def unit_of(world: World, issue: dict[str, Any]) -> str:
    return next(label for label, u in world.units.items() if str(u.id) == issue["handler_org_id"])


async def test_default_unit_several_grants_and_out_of_scope(
    client: httpx.AsyncClient, world: World
) -> None:
    officer = headers(world, Role.officer, "M111")
    default = await client.get(SUMMARY, headers=officer)
    assert default.status_code == 200, default.text
    assert default.json()["org_id"] == str(world.unit("M111").id)
    for outside in ("S11", "M112", "C2", "X"):
        response = await client.get(
            SUMMARY, params={"org_id": str(world.unit(outside).id)}, headers=officer
        )
        assert_problem(response, 404, "not found")
    missing = await client.get(SUMMARY, params={"org_id": str(uuid.uuid4())}, headers=officer)
    assert_problem(missing, 404)
    bad = await client.get(SUMMARY, params={"org_id": "not-a-uuid"}, headers=officer)
    assert_problem(bad, 422)

    from app.grants.models import Grant
    from tests.support import make_user, token_for

    async with sessionmaker()() as session:
        user = await make_user(session, f"two-{uuid.uuid4().hex[:8]}", password_hash="x")
        for unit in ("M111", "M121"):
            session.add(Grant(user_id=user.id, org_id=world.unit(unit).id, role="observer"))
        token = await token_for(session, user)
        await session.commit()
    two = {"Authorization": f"Bearer {token}"}
    assert_problem(await client.get(SUMMARY, headers=two), 422, "org_id")
    for unit in ("M111", "M121"):
        assert (await summary_of(client, two, world.unit(unit).id))["org_name"] == world.unit(
            unit
        ).name
    assert_problem(
        await client.get(SUMMARY, params={"org_id": str(world.unit("S11").id)}, headers=two), 404
    )

    async with sessionmaker()() as session:
        nobody = await make_user(session, f"none-{uuid.uuid4().hex[:8]}", password_hash="x")
        token = await token_for(session, nobody)
        await session.commit()
    assert_problem(await client.get(SUMMARY, headers={"Authorization": f"Bearer {token}"}), 403)
