"""The work-item authorization matrix (tests/workitems/authz_matrix.py), run: every route,
every role, every position. Mismatches are collected so one run shows them all."""

import secrets
import uuid
from datetime import timedelta
from typing import Any

import httpx
import pytest

from app.access.roles import Role
from app.core.models import utcnow
from tests.support import ROLES, World
from tests.workitems.authz_matrix import (
    COLLECTION_CASES,
    ISSUE_CASES,
    ISSUE_PARTIES,
    ISSUE_POSITIONS,
    TASK_CASES,
    TASK_PARTIES,
    TASK_POSITIONS,
    Case,
    expect,
    stance,
)
from tests.workitems.helpers import PROBLEM_JSON, headers, insert_issue, insert_task, ts


def stance_of(world: World, unit: str, parties: dict[str, str]) -> tuple[bool, set[str]]:
    """Whether a grant at `unit` sees the item, and the sides it stands on (from the tree)."""
    party_units = {side: world.unit(label) for side, label in parties.items()}
    return stance(
        list(world.unit(unit).path),
        {side: (list(u.path), str(u.tier)) for side, u in party_units.items()},
    )


async def _new_item(world: World, case: Case, kind: str) -> uuid.UUID:
    if kind == "tasks":
        parties = case.extra.get("parties", TASK_PARTIES)
        return await insert_task(
            world,
            parties["issuer"],
            parties["assignee"],
            status=case.state,
            extension=case.pending_extension,
        )
    return await insert_issue(
        world, ISSUE_PARTIES["reporter"], ISSUE_PARTIES["handler"], status=case.state
    )


async def _call(
    client: httpx.AsyncClient, world: World, case: Case, item_id: uuid.UUID, role: Role, unit: str
) -> httpx.Response:
    body: dict[str, Any] | None = case.body
    if "subtask_to" in case.extra:
        body = {
            "title": "a subtask",
            "parent_id": str(item_id),
            "assignee_org_id": str(world.unit(case.extra["subtask_to"]).id),
            "due_at": ts(utcnow() + timedelta(days=3)),
        }
    if "delegate_to" in case.extra:
        body = {
            "note": "over to you",
            "target_org_id": str(world.unit(case.extra["delegate_to"]).id),
        }
    path = case.path.replace("{task_id}", str(item_id)).replace("{issue_id}", str(item_id))
    return await client.request(case.method, path, json=body, headers=headers(world, role, unit))


async def _run(
    client: httpx.AsyncClient,
    world: World,
    case: Case,
    kind: str,
    positions: dict[str, str],
    parties: dict[str, str],
) -> None:
    shared: uuid.UUID | None = None
    failures = []
    for position, unit in positions.items():
        visible, sides = stance_of(world, unit, parties)
        for role in ROLES:
            want = expect(case, role, visible, sides)
            if want < 300 and case.mutates:
                item_id = await _new_item(world, case, kind)
            else:
                shared = shared or await _new_item(world, case, kind)
                item_id = shared
            response = await _call(client, world, case, item_id, role, unit)
            if response.status_code != want:
                failures.append(
                    f"{role.value}@{position}({unit}): got {response.status_code}, want {want}: "
                    f"{response.text[:160]}"
                )
            elif want >= 400 and not response.headers["content-type"].startswith(PROBLEM_JSON):
                failures.append(f"{role.value}@{position}: not problem+json")
    assert failures == [], "\n".join(failures)


@pytest.mark.parametrize("case", TASK_CASES, ids=lambda c: c.name)
async def test_task_route_matrix(client: httpx.AsyncClient, world: World, case: Case) -> None:
    parties = case.extra.get("parties", TASK_PARTIES)
    await _run(client, world, case, "tasks", TASK_POSITIONS, parties)


@pytest.mark.parametrize("case", ISSUE_CASES, ids=lambda c: c.name)
async def test_issue_route_matrix(client: httpx.AsyncClient, world: World, case: Case) -> None:
    await _run(client, world, case, "issues", ISSUE_POSITIONS, ISSUE_PARTIES)


@pytest.mark.parametrize(
    "kind, positions, parties",
    [("tasks", TASK_POSITIONS, TASK_PARTIES), ("issues", ISSUE_POSITIONS, ISSUE_PARTIES)],
)
async def test_lists_show_exactly_the_items_in_scope(
    client: httpx.AsyncClient,
    world: World,
    kind: str,
    positions: dict[str, str],
    parties: dict[str, str],
) -> None:
    title = f"matrix-{secrets.token_hex(4)}"
    if kind == "tasks":
        item_id = await insert_task(world, parties["issuer"], parties["assignee"], title=title)
    else:
        item_id = await insert_issue(world, parties["reporter"], parties["handler"], title=title)
    failures = []
    for position, unit in positions.items():
        visible = stance_of(world, unit, parties)[0]
        for role in ROLES:
            assert role in COLLECTION_CASES[("GET", f"/api/v1/{kind}")]
            response = await client.get(
                f"/api/v1/{kind}", params={"q": title}, headers=headers(world, role, unit)
            )
            assert response.status_code == 200, response.text
            ids = [item["id"] for item in response.json()["items"]]
            if ids != ([str(item_id)] if visible else []):
                failures.append(f"{role.value}@{position}: {ids}")
    assert failures == [], failures


async def test_who_may_issue_tasks_and_raise_issues(
    client: httpx.AsyncClient, world: World
) -> None:
    for role in ROLES:
        task = await client.post(
            "/api/v1/tasks",
            json={
                "title": "issued in the matrix",
                "assignee_org_id": str(world.unit("M111").id),
                "due_at": ts(utcnow() + timedelta(days=2)),
            },
            headers=headers(world, role, "S11"),
        )
        want = 201 if role in COLLECTION_CASES[("POST", "/api/v1/tasks")] else 403
        assert task.status_code == want, (role, task.text)
        issue = await client.post(
            "/api/v1/issues",
            json={"title": "raised in the matrix", "category": "water"},
            headers=headers(world, role, "M111"),
        )
        want = 201 if role in COLLECTION_CASES[("POST", "/api/v1/issues")] else 403
        assert issue.status_code == want, (role, issue.text)


async def test_notifications_are_personal(client: httpx.AsyncClient, world: World) -> None:
    """Every signed-in person reads and marks their own notifications, nobody else's."""
    task = await client.post(
        "/api/v1/tasks",
        json={
            "title": "notify M112",
            "assignee_org_id": str(world.unit("M112").id),
            "due_at": ts(utcnow() + timedelta(days=5)),
        },
        headers=headers(world, Role.officer, "S11"),
    )
    assert task.status_code == 201
    mine = await client.get("/api/v1/notifications", headers=headers(world, Role.officer, "M112"))
    notice = next(n for n in mine.json()["items"] if n["entity_id"] == task.json()["id"])
    for role in ROLES:
        for unit in ("M112", "M111", "S11", "X"):
            hdrs = headers(world, role, unit)
            listed = await client.get("/api/v1/notifications", headers=hdrs)
            assert listed.status_code == 200
            if (role, unit) != (Role.officer, "M112"):
                assert notice["id"] not in [n["id"] for n in listed.json()["items"]]
                other = await client.post(
                    f"/api/v1/notifications/{notice['id']}/read", headers=hdrs
                )
                assert other.status_code == 404, (role, unit)
            read_all = await client.post("/api/v1/notifications/read-all", headers=hdrs)
            assert read_all.status_code == 200
    own = await client.post(
        f"/api/v1/notifications/{notice['id']}/read",
        headers=headers(world, Role.officer, "M112"),
    )
    assert own.status_code == 200
