"""The ladder's policy per root unit (validation, who reads and sets it, and that the
sweep follows it), and the chasing routes' authorization matrix."""

import uuid
from datetime import timedelta

import asyncpg
import httpx
import pytest

from app.access.roles import Role
from app.core.db_urls import plain_url
from tests.chasing.authz_matrix import (
    POLICY_ROUTES,
    POLICY_UNITS,
    SUPERVISE_UNITS,
    policy_status,
    supervise_status,
)
from tests.chasing.helpers import DUE, ISSUED, actions, chase_events, local, sweep_at
from tests.support import ROLES, World
from tests.workitems.helpers import PROBLEM_JSON, insert_issue, insert_task

STEPS = {
    "reminder_days_before": 0,
    "notice_days_after": 0,
    "circular_days_after": 2,
    "supervision_days_after": 4,
}


async def test_the_defaults_apply_until_a_root_admin_sets_the_ladder(
    client: httpx.AsyncClient, world: World
) -> None:
    """Root Q (county X under it) gets its own ladder; P keeps the defaults."""
    response = await client.get(
        "/api/v1/chasing-policy", headers=world.actor(Role.officer, "M111").headers
    )
    assert response.status_code == 200, response.text
    assert response.json() == {
        "reminder_days_before": 1,
        "notice_days_after": 1,
        "circular_days_after": 3,
        "supervision_days_after": 5,
        "root_org_id": str(world.unit("P").id),
        "root_org_name": world.unit("P").name,
        "is_default": True,
        "updated_at": None,
        "updated_by": None,
    }
    admin = world.actor(Role.admin, "Q")
    put = await client.put("/api/v1/chasing-policy", json=STEPS, headers=admin.headers)
    assert put.status_code == 200, put.text
    assert put.json()["is_default"] is False and put.json()["updated_by"] == str(admin.user.id)
    read = await client.get(
        "/api/v1/chasing-policy", headers=world.actor(Role.liaison, "X").headers
    )
    assert {k: read.json()[k] for k in STEPS} == STEPS

    # Under Q the chasing notice comes the moment the deadline passes, and the circular
    # on the second working day after it; under P a day later and on the third.
    under_q = await insert_task(
        world, "Q", "X", status="in_progress", due_at=DUE, created_at=ISSUED
    )
    under_p = await insert_task(
        world, "C1", "S11", status="in_progress", due_at=DUE, created_at=ISSUED
    )
    await sweep_at(DUE + timedelta(minutes=1))
    assert actions(await chase_events(client, world, "tasks", under_p)) == ["chase_reminder"]
    q_events = await client.get(
        f"/api/v1/tasks/{under_q}/events", headers=world.actor(Role.leader, "Q").headers
    )
    assert [e["action"] for e in q_events.json()["items"]] == ["chase_reminder", "chase_notice"]
    await sweep_at(local(10, 9))
    q_events = await client.get(
        f"/api/v1/tasks/{under_q}/events", headers=world.actor(Role.leader, "Q").headers
    )
    assert [e["action"] for e in q_events.json()["items"]][-1] == "chase_circular"
    assert actions(await chase_events(client, world, "tasks", under_p)) == [
        "chase_reminder",
        "chase_notice",
    ]


@pytest.mark.parametrize(
    "steps",
    [
        {**STEPS, "circular_days_after": 0},  # not after the chasing notice
        {**STEPS, "supervision_days_after": 2},  # not after the circular
        {**STEPS, "supervision_days_after": 31},
        {**STEPS, "reminder_days_before": -1},
        {**STEPS, "reminder_days_before": 31},
        {k: v for k, v in STEPS.items() if k != "circular_days_after"},
        {**STEPS, "escalate_days_after": 9},
    ],
)
async def test_a_ladder_out_of_order_or_range_is_refused(
    client: httpx.AsyncClient, world: World, steps: dict[str, int]
) -> None:
    response = await client.put(
        "/api/v1/chasing-policy", json=steps, headers=world.actor(Role.admin, "Q").headers
    )
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == PROBLEM_JSON


async def test_a_root_is_read_only_by_those_under_it(
    client: httpx.AsyncClient, world: World
) -> None:
    headers = world.actor(Role.admin, "X").headers
    other_root = {"root_org_id": str(world.unit("P").id)}
    read = await client.get("/api/v1/chasing-policy", params=other_root, headers=headers)
    assert read.status_code == 404 and read.headers["content-type"] == PROBLEM_JSON
    put = await client.put("/api/v1/chasing-policy", json={**STEPS, **other_root}, headers=headers)
    assert put.status_code == 404
    not_a_root = {"root_org_id": str(world.unit("C1").id)}
    read = await client.get(
        "/api/v1/chasing-policy", params=not_a_root, headers=world.actor(Role.admin, "P").headers
    )
    assert read.status_code == 404


POLICY_CASES = [
    pytest.param(route, role, unit, id=f"{route[0]} {route[1]} {role.value}@{unit}")
    for route in sorted(POLICY_ROUTES)
    for role in ROLES
    for unit in POLICY_UNITS
]


@pytest.mark.parametrize(("route", "role", "unit"), POLICY_CASES)
async def test_policy_matrix(
    client: httpx.AsyncClient, world: World, route: tuple[str, str], role: Role, unit: str
) -> None:
    method, path = route
    headers = world.actor(role, unit).headers
    if method == "GET":
        response = await client.get(path, headers=headers)
    else:  # the defaults, written as a policy: nothing changes for the other tests
        defaults = {
            "reminder_days_before": 1,
            "notice_days_after": 1,
            "circular_days_after": 3,
            "supervision_days_after": 5,
        }
        response = await client.put(path, json=defaults, headers=headers)
    expected = policy_status(method, role, unit)
    assert response.status_code == expected, response.text
    if expected != 200:
        assert response.headers["content-type"] == PROBLEM_JSON


async def _waiting_on_county(database_url: str, world: World, noun: str) -> uuid.UUID:
    """A late item whose ladder reached supervision, to be supervised by county C1."""
    if noun == "task":
        item = await insert_task(
            world, "T1", "M111", status="in_progress", due_at=DUE, created_at=ISSUED
        )
    else:
        item = await insert_issue(
            world, "M111", "S11", status="acknowledged", due_at=DUE, created_at=ISSUED
        )
    conn = await asyncpg.connect(plain_url(database_url))
    try:
        await conn.execute(
            "INSERT INTO chase_steps (entity_id, step, deadline, entity_type, clock,"
            " supervisor_org_id) VALUES ($1, 'supervision', $2, $3, 'due', $4)",
            item,
            DUE,
            noun,
            world.unit("C1").id,
        )
    finally:
        await conn.close()
    return item


SUPERVISE_CASES = [
    pytest.param(noun, role, unit, id=f"{noun} {role.value}@{unit}")
    for noun in ("task", "issue")
    for role in ROLES
    for unit in SUPERVISE_UNITS
]


@pytest.mark.parametrize(("noun", "role", "unit"), SUPERVISE_CASES)
async def test_supervise_matrix(
    client: httpx.AsyncClient, world: World, database_url: str, noun: str, role: Role, unit: str
) -> None:
    item = await _waiting_on_county(database_url, world, noun)
    response = await client.post(
        f"/api/v1/{noun}s/{item}/supervise",
        json={"note": "by Friday", "due_at": "2099-01-01T18:00:00+08:00"},
        headers=world.actor(role, unit).headers,
    )
    expected = supervise_status(noun, role, unit)
    assert response.status_code == expected, response.text
    if expected != 200:
        assert response.headers["content-type"] == PROBLEM_JSON
