"""Colour (亮灯): each boundary with the clock frozen at 23:30 and 00:30 local, across a
weekend, National Day and an adjusted working day; yellow by progress, return and reopen;
red by acceptance; `colour=` against a reference computed in Python; the transition job;
deadlines in working days."""

import asyncio
import secrets
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
import sqlalchemy as sa
from sqlmodel import col

from app.access.roles import Role
from app.core.db import sessionmaker
from app.core.models import utcnow
from app.issues.models import Issue
from app.jobs.service import KINDS
from app.tasks.models import Task
from app.tasks.schemas import ExtensionRequest
from app.workitems.colour import colour_at
from app.workitems.models import Colour
from tests.support import World
from tests.workitems.helpers import (
    act,
    assert_problem,
    create_task,
    headers,
    insert_issue,
    insert_task,
)

CST = ZoneInfo("Asia/Shanghai")
US = timedelta(microseconds=1)


def local(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=CST)


def freeze(monkeypatch: pytest.MonkeyPatch, at: datetime) -> None:
    """The clock of the lists and of rendering (colour, overdue, due soon)."""
    monkeypatch.setattr("app.workitems.repository.utcnow", lambda: at)
    monkeypatch.setattr("app.workitems.kinds.utcnow", lambda: at)


async def moments(model: type[Task] | type[Issue], item_id: uuid.UUID) -> Any:
    async with sessionmaker()() as session:
        return (
            await session.execute(
                sa.select(
                    col(model.red_from),
                    col(model.yellow),
                    col(model.yellow_from),
                    col(model.blue_from),
                    col(model.colour),
                ).where(col(model.id) == item_id)
            )
        ).one()


async def colour_of(model: type[Task] | type[Issue], item_id: uuid.UUID, at: datetime) -> Colour:
    red_from, yellow, yellow_from, blue_from, _ = await moments(model, item_id)
    return colour_at(red_from, yellow, yellow_from, blue_from, at)


async def listed(
    client: httpx.AsyncClient, world: World, kind: str, tag: str, **params: Any
) -> dict[str, Any]:
    response = await client.get(
        f"/api/v1/{kind}",
        params={"q": tag, "limit": 200, **params},
        headers=headers(world, Role.officer, "M111"),
    )
    assert response.status_code == 200, response.text
    return {item["id"]: item for item in response.json()["items"]}


# (due date, the last moment still green at 23:30 local, the first blue at 00:30 local)
BLUE_BOUNDARIES = [
    # Due Monday 15 September 2025, 18:00: blue from Thursday 11th (Friday, Monday left).
    (local(2025, 9, 15, 18), local(2025, 9, 10, 23, 30), local(2025, 9, 11, 0, 30)),
    # Due Thursday 9 October, after National Day (1-8 October off): blue from Monday 29
    # September; Sunday 28 September is a working day, so at its 23:30 three remain.
    (local(2025, 10, 9, 18), local(2025, 9, 28, 23, 30), local(2025, 9, 29, 0, 30)),
    # Due Monday 13 October: Saturday 11th is worked, so blue from Friday 10th.
    (local(2025, 10, 13, 18), local(2025, 10, 9, 23, 30), local(2025, 10, 10, 0, 30)),
    # Due at 20:00, after the working day ends: as if due the next day.
    (local(2025, 9, 17, 20), local(2025, 9, 15, 23, 30), local(2025, 9, 16, 0, 30)),
]


@pytest.mark.parametrize("kind", ["tasks", "issues"])
@pytest.mark.parametrize(("due", "green", "blue"), BLUE_BOUNDARIES)
async def test_blue_within_two_working_days_and_red_at_the_second(
    client: httpx.AsyncClient,
    world: World,
    monkeypatch: pytest.MonkeyPatch,
    kind: str,
    due: datetime,
    green: datetime,
    blue: datetime,
) -> None:
    tag = f"blue-{secrets.token_hex(4)}"
    created = green - timedelta(days=20)
    if kind == "tasks":  # 80 % done: never behind by more than 20 points
        item_id = await insert_task(
            world, "S11", "M111", title=tag, due_at=due, created_at=created, progress=80
        )
        model: type[Task] | type[Issue] = Task
    else:
        item_id = await insert_issue(world, "M111", title=tag, due_at=due, created_at=created)
        model = Issue
    expected = [
        (green, Colour.green, False, False),
        (blue, Colour.blue, True, False),
        (due, Colour.blue, True, False),  # due this instant: not yet late
        (due + US, Colour.red, False, True),
    ]
    for at, colour, due_soon, overdue in expected:
        assert await colour_of(model, item_id, at) == colour, at
        freeze(monkeypatch, at.astimezone(UTC))
        item = (await listed(client, world, kind, tag))[str(item_id)]
        assert (item["colour"], item["due_soon"], item["overdue"]) == (colour, due_soon, overdue)
        assert set(await listed(client, world, kind, tag, colour=colour.value)) == {str(item_id)}
        others = [c.value for c in Colour if c != colour]
        assert not await listed(client, world, kind, tag, colour=others)
        assert set(await listed(client, world, kind, tag, due_soon=str(due_soon).lower())) == {
            str(item_id)
        }


async def test_yellow_when_more_than_20_points_behind_planned_progress(world: World) -> None:
    created = local(2025, 9, 1, 9)
    due = created + timedelta(days=100)
    task_id = await insert_task(world, "S11", "M111", due_at=due, created_at=created, progress=30)
    # Planned progress is linear from issue to due date: 50 % at day 50, 30 + 20 points.
    assert await colour_of(Task, task_id, created + timedelta(days=50)) == Colour.green
    assert await colour_of(Task, task_id, created + timedelta(days=50) + US) == Colour.yellow
    # Blue would come later; yellow outranks it, and red outranks yellow.
    assert await colour_of(Task, task_id, due - timedelta(hours=1)) == Colour.yellow
    assert await colour_of(Task, task_id, due + US) == Colour.red


async def test_an_unsigned_task_is_red_past_its_acceptance_limit(
    client: httpx.AsyncClient, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    tag = f"sign-{secrets.token_hex(4)}"
    issued = local(2025, 9, 12, 23, 30)  # Friday night: accept by Monday 18:00
    limit = local(2025, 9, 15, 18)
    task_id = await insert_task(
        world,
        "S11",
        "M111",
        title=tag,
        created_at=issued,
        accept_due_at=limit,
        due_at=issued + timedelta(days=30),
        progress=80,
    )
    for at, colour, late in ((limit, Colour.green, False), (limit + US, Colour.red, True)):
        freeze(monkeypatch, at.astimezone(UTC))
        item = (await listed(client, world, "tasks", tag))[str(task_id)]
        assert (item["colour"], item["acceptance_overdue"], item["overdue"]) == (
            colour,
            late,
            False,
        )
        assert set(await listed(client, world, "tasks", tag, colour=colour.value)) == {str(task_id)}


async def test_yellow_while_returned_until_submitted_again(
    client: httpx.AsyncClient, world: World
) -> None:
    task = await create_task(client, world, "S11", "M111", due_at=utcnow() + timedelta(days=60))
    task_id = task["id"]
    assert task["colour"] == "green"
    for action in ("accept", "start"):
        await act(client, world, "tasks", task_id, action, Role.officer, "M111")
    await act(client, world, "tasks", task_id, "submit", Role.officer, "M111", {"note": "done"})
    returned = await act(
        client, world, "tasks", task_id, "return", Role.leader, "S11", {"note": "redo"}
    )
    assert returned["colour"] == "yellow"
    restarted = await act(client, world, "tasks", task_id, "start", Role.officer, "M111")
    assert restarted["colour"] == "yellow"  # still being reworked
    again = await act(
        client, world, "tasks", task_id, "submit", Role.officer, "M111", {"note": "again"}
    )
    assert again["colour"] == "green"
    events = await timeline(client, world, "tasks", task_id)
    changes = [
        (e["data"]["from"], e["data"]["to"]) for e in events if e["action"] == "colour_changed"
    ]
    assert changes == [("green", "yellow"), ("yellow", "green")]
    actions = [e["action"] for e in events]
    assert actions.index("colour_changed") == actions.index("return") + 1  # after its cause


async def test_yellow_while_reopened_until_resolved_again(
    client: httpx.AsyncClient, world: World
) -> None:
    issue_id = await insert_issue(
        world, "M111", status="resolved", due_at=utcnow() + timedelta(days=60)
    )
    reopened = await act(client, world, "issues", issue_id, "reopen", Role.officer, "M111")
    assert reopened["colour"] == "yellow"
    resolved = await act(
        client, world, "issues", issue_id, "resolve", Role.leader, "M111", {"note": "fixed"}
    )
    assert resolved["colour"] == "green"
    events = await timeline(client, world, "issues", issue_id)
    changes = [
        (e["data"]["from"], e["data"]["to"]) for e in events if e["action"] == "colour_changed"
    ]
    assert changes == [("green", "yellow"), ("yellow", "green")]


async def timeline(
    client: httpx.AsyncClient, world: World, kind: str, item_id: Any
) -> list[dict[str, Any]]:
    response = await client.get(
        f"/api/v1/{kind}/{item_id}/events",
        params={"limit": 200},
        headers=headers(world, Role.officer, "M111"),
    )
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()["items"]
    return items


async def test_the_colour_filter_equals_a_reference(
    client: httpx.AsyncClient, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Items of every colour and status, as the demo has them; at each moment, every
    combination of colours lists exactly what colour_at says of their rows."""
    tag = f"ref-{secrets.token_hex(4)}"
    base = local(2025, 9, 22, 10)  # a Monday
    ids: dict[str, list[uuid.UUID]] = {"tasks": [], "issues": []}
    for n, (due_days, progress, status, yellow) in enumerate(
        [
            (-3, 0, "in_progress", False),
            (1, 0, "accepted", False),
            (2, 90, "in_progress", False),
            (4, 50, "in_progress", False),
            (10, 0, "in_progress", False),
            (30, 10, "returned", True),
            (30, 90, "issued", False),
            (-5, 0, "submitted", False),
            (-5, 0, "done", False),
            (3, 0, "cancelled", False),
        ]
    ):
        created = base - timedelta(days=10 + n)
        due = base + timedelta(days=due_days)
        ids["tasks"].append(
            await insert_task(
                world,
                "S11",
                "M111",
                title=tag,
                status=status,
                returned_by="issuer" if status == "returned" else None,
                due_at=due,
                created_at=created,
                progress=progress,
                yellow=yellow,
                accept_due_at=base - timedelta(days=1) if status == "issued" else None,
            )
        )
    for due_days, status, yellow in [
        (-1, "open", False),
        (1, "acknowledged", False),
        (3, "open", False),
        (20, "open", True),
        (20, "acknowledged", False),
        (-2, "resolved", False),
        (-2, "closed", False),
    ]:
        ids["issues"].append(
            await insert_issue(
                world,
                "M111",
                title=tag,
                status=status,
                due_at=base + timedelta(days=due_days),
                created_at=base - timedelta(days=30),
                yellow=yellow,
            )
        )
    combinations = [[c.value] for c in Colour] + [["red", "yellow"], ["blue", "green"]]
    seen: set[str] = set()
    for at in (base, base.replace(hour=23, minute=30), base + timedelta(days=2, hours=14)):
        for kind, model in (("tasks", Task), ("issues", Issue)):
            reference = {str(i): await colour_of(model, i, at) for i in ids[kind]}
            seen |= set(reference.values())
            freeze(monkeypatch, at.astimezone(UTC))
            shown = await listed(client, world, kind, tag)
            assert {k: v["colour"] for k, v in shown.items()} == reference
            for chosen in combinations:
                got = set(await listed(client, world, kind, tag, colour=chosen))
                assert got == {k for k, c in reference.items() if c in chosen}, (kind, at, chosen)
    assert seen == set(Colour)


async def test_the_transition_job_records_each_change_once(
    client: httpx.AsyncClient, world: World
) -> None:
    soon = utcnow() + timedelta(seconds=2)
    task_id = await insert_task(world, "S11", "M111", due_at=soon, progress=80)
    issue_id = await insert_issue(world, "M111", due_at=soon)
    assert (await moments(Task, task_id)).colour == "blue"
    await asyncio.sleep(2.5)
    job = KINDS["colour_transitions"]
    for _ in range(2):  # a second run finds nothing to record
        async with sessionmaker()() as session:
            await job.work(session, utcnow())
            await session.commit()
    for kind, item_id, model in (("tasks", task_id, Task), ("issues", issue_id, Issue)):
        assert (await moments(model, item_id)).colour == "red"
        events = await timeline(client, world, kind, item_id)
        changes = [e["data"] for e in events if e["action"] == "colour_changed"]
        assert changes == [{"from": "blue", "to": "red"}]


async def test_deadlines_in_working_days(
    client: httpx.AsyncClient, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    def issue_at(moment: datetime) -> None:
        monkeypatch.setattr("app.tasks.service.utcnow", lambda: moment.astimezone(UTC))

    for issued, days, due in [
        # 23:30 on 30 September: counting starts 1 October; National Day to the 8th.
        (local(2025, 9, 30, 23, 30), 2, local(2025, 10, 10, 18)),
        # 00:30 on 1 October is already 1 October: the 9th is the first working day.
        (local(2025, 10, 1, 0, 30), 1, local(2025, 10, 9, 18)),
        # Saturday 11 October is worked.
        (local(2025, 10, 9, 23, 30), 2, local(2025, 10, 11, 18)),
    ]:
        issue_at(issued)
        response = await client.post(
            "/api/v1/tasks",
            json={
                "title": "in working days",
                "assignee_org_id": str(world.unit("M111").id),
                "due_in_working_days": days,
            },
            headers=headers(world, Role.officer, "S11"),
        )
        assert response.status_code == 201, response.text
        assert datetime.fromisoformat(response.json()["due_at"]) == due
    body = {"title": "t", "assignee_org_id": str(world.unit("M111").id)}
    for extra in ({}, {"due_at": utcnow().isoformat(), "due_in_working_days": 2}):
        response = await client.post(
            "/api/v1/tasks", json={**body, **extra}, headers=headers(world, Role.officer, "S11")
        )
        assert_problem(response, 422)
    issue_at(local(2040, 12, 1, 10))  # past what any test enters
    response = await client.post(
        "/api/v1/tasks",
        json={**body, "due_in_working_days": 200},
        headers=headers(world, Role.officer, "S11"),
    )
    assert_problem(response, 422)
    assert response.json()["type"].endswith("calendar-not-covered")
    with pytest.raises(ValueError, match="either due_at or due_in_working_days"):
        ExtensionRequest.model_validate({"note": "more time"})
    assert ExtensionRequest.model_validate({"note": "x", "due_in_working_days": 3})


async def test_an_extension_in_working_days(client: httpx.AsyncClient, world: World) -> None:
    task = await create_task(client, world, "S11", "M111", due_at=utcnow() + timedelta(hours=1))
    await act(client, world, "tasks", task["id"], "accept", Role.officer, "M111")
    asked = await act(
        client,
        world,
        "tasks",
        task["id"],
        "request-extension",
        Role.officer,
        "M111",
        {"note": "more time", "due_in_working_days": 5},
    )
    due = datetime.fromisoformat(asked["extension"]["due_at"]).astimezone(CST)
    assert (due.hour, due.minute) == (18, 0) and due > utcnow() + timedelta(days=5)
