"""Tasks end to end: who may assign to whom, the full loop with feedback and timeline,
subtasks with rolled-up progress, extensions, edits, re-issue, allowed_actions."""

import secrets
import uuid
from datetime import timedelta
from typing import Any

import httpx
import pytest

from app.access.roles import Role
from app.core.db import sessionmaker
from app.core.models import utcnow
from app.grants.models import Grant
from tests.support import World, make_user, token_for
from tests.workitems.helpers import act, assert_problem, create_task, headers, insert_task, ts

# (issuer, assignee, allowed?) per "Whom a unit may assign to" in docs/architecture.md.
ASSIGNMENTS = [
    ("S11", "M111", True),  # inside its scope
    ("C1", "M112", True),
    ("C1", "D1", True),  # its own department
    ("P", "M222", True),
    ("S11", "S12", False),  # a sibling
    ("S11", "C1", False),  # upwards
    ("S11", "M121", False),  # a cousin
    ("C1", "M211", False),  # another county
    ("T1", "M111", True),  # a task force directs the whole county...
    ("T1", "S12", True),
    ("T1", "D1", True),
    ("T1", "M211", False),  # ...but not another county
    ("G1", "M122", True),  # a group of the task force, too
    ("D1", "M121", True),  # a county department
    ("D1", "C2", False),
    ("E1", "M111", False),  # an enterprise directs nobody outside itself
    ("X", "M111", False),
]


@pytest.mark.parametrize("issuer, assignee, allowed", ASSIGNMENTS)
async def test_whom_a_unit_may_assign_to(
    client: httpx.AsyncClient, world: World, issuer: str, assignee: str, allowed: bool
) -> None:
    response = await client.post(
        "/api/v1/tasks",
        json={
            "title": f"{issuer} to {assignee}",
            "assignee_org_id": str(world.unit(assignee).id),
            "due_at": ts(utcnow() + timedelta(days=3)),
        },
        headers=headers(world, Role.leader, issuer),
    )
    if allowed:
        assert response.status_code == 201, response.text
        task = response.json()
        assert task["issuer_org_id"] == str(world.unit(issuer).id)
        assert task["assignee_org_name"] == world.unit(assignee).name
    else:
        assert_problem(response, 403)


async def test_create_validation(client: httpx.AsyncClient, world: World) -> None:
    hdrs = headers(world, Role.officer, "S11")
    base = {
        "title": "validated",
        "assignee_org_id": str(world.unit("M111").id),
        "due_at": ts(utcnow() + timedelta(days=1)),
    }
    assert_problem(await client.post("/api/v1/tasks", json={**base, "extra": 1}, headers=hdrs), 422)
    assert_problem(
        await client.post("/api/v1/tasks", json={**base, "title": " "}, headers=hdrs), 422
    )
    naive = {**base, "due_at": "2030-01-01T00:00:00"}
    assert_problem(await client.post("/api/v1/tasks", json=naive, headers=hdrs), 422)
    for field, value in (("priority", "whenever"), ("source", "rumour")):
        assert_problem(
            await client.post("/api/v1/tasks", json={**base, field: value}, headers=hdrs), 422
        )
    unknown = {**base, "assignee_org_id": str(uuid.uuid4())}
    assert_problem(await client.post("/api/v1/tasks", json=unknown, headers=hdrs), 422)
    to_self = {**base, "assignee_org_id": str(world.unit("S11").id)}
    assert_problem(await client.post("/api/v1/tasks", json=to_self, headers=hdrs), 422)
    # Naming an issuer unit outside my scope is refused.
    other = {**base, "issuer_org_id": str(world.unit("S12").id)}
    assert_problem(await client.post("/api/v1/tasks", json=other, headers=hdrs), 403)
    # A responsible person must belong to the assignee unit.
    wrong = {**base, "responsible_user_id": str(world.actor(Role.officer, "M112").user.id)}
    assert_problem(await client.post("/api/v1/tasks", json=wrong, headers=hdrs), 422)
    right = {**base, "responsible_user_id": str(world.actor(Role.officer, "M111").user.id)}
    created = await client.post("/api/v1/tasks", json=right, headers=hdrs)
    assert created.status_code == 201
    assert created.headers["location"] == f"/api/v1/tasks/{created.json()['id']}"
    assert created.json()["priority"] == "normal" and created.json()["source"] == "other"


async def test_a_person_with_several_units_names_the_issuer(
    client: httpx.AsyncClient, world: World
) -> None:
    async with sessionmaker()() as session:
        user = await make_user(session, f"two-hats-{secrets.token_hex(3)}", password_hash="x")
        for unit in ("S11", "S12"):
            session.add(Grant(user_id=user.id, org_id=world.unit(unit).id, role="officer"))
        token = await token_for(session, user)
        await session.commit()
    hdrs = {"Authorization": f"Bearer {token}"}
    body = {
        "title": "which hat",
        "assignee_org_id": str(world.unit("M121").id),
        "due_at": ts(utcnow() + timedelta(days=1)),
    }
    assert_problem(
        await client.post("/api/v1/tasks", json=body, headers=hdrs), 422, "issuer_org_id"
    )
    named = await client.post(
        "/api/v1/tasks", json={**body, "issuer_org_id": str(world.unit("S12").id)}, headers=hdrs
    )
    assert named.status_code == 201
    assert named.json()["issuer_org_id"] == str(world.unit("S12").id)


async def test_the_whole_loop(client: httpx.AsyncClient, world: World) -> None:
    """Issue, accept, report progress, submit with completion feedback, verify."""
    task = await create_task(
        client,
        world,
        "T1",
        "M111",
        title="Recruit 40 workers",
        priority="urgent",
        source="dispatch",
        description="Door-to-door recruitment in the resettlement area.",
    )
    task_id = task["id"]
    assert task["status"] == "issued" and task["version"] == 1
    assert task["issuer_org_name"] == world.unit("T1").name
    assert task["subtasks"] == {"total": 0, "done": 0} and task["extension"] is None

    accepted = await act(
        client, world, "tasks", task_id, "accept", Role.officer, "M111", {"note": "on it"}
    )
    assert accepted["status"] == "accepted" and accepted["accepted_at"]
    progressed = await act(
        client,
        world,
        "tasks",
        task_id,
        "progress",
        Role.officer,
        "M111",
        {"note": "25 signed up", "progress": 60},
    )
    assert progressed["status"] == "in_progress" and progressed["progress"] == 60
    submitted = await act(
        client,
        world,
        "tasks",
        task_id,
        "submit",
        Role.officer,
        "M111",
        {"note": "42 workers signed, list attached"},
    )
    assert submitted["status"] == "submitted" and submitted["submitted_at"]
    assert submitted["allowed_actions"] == []  # officer at the task force: no decisions
    verified = await act(
        client, world, "tasks", task_id, "verify", Role.leader, "T1", {"note": "checked the list"}
    )
    assert verified["status"] == "done" and verified["completed_at"]
    assert verified["allowed_actions"] == [] and verified["version"] == 5

    hdrs = headers(world, Role.observer, "C1")
    feedback = (await client.get(f"/api/v1/tasks/{task_id}/feedback", headers=hdrs)).json()
    assert [(f["kind"], f["body"], f["org_id"]) for f in feedback["items"]] == [
        ("progress", "25 signed up", str(world.unit("M111").id)),
        ("completion", "42 workers signed, list attached", str(world.unit("M111").id)),
        ("review", "checked the list", str(world.unit("T1").id)),
    ]
    assert (
        feedback["items"][0]["author_name"] == world.actor(Role.officer, "M111").user.display_name
    )
    events = (await client.get(f"/api/v1/tasks/{task_id}/events", headers=hdrs)).json()["items"]
    assert [(e["action"], e["from_status"], e["to_status"]) for e in events] == [
        ("create", None, "issued"),
        ("accept", "issued", "accepted"),
        ("progress", "accepted", "in_progress"),
        ("submit", "in_progress", "submitted"),
        ("verify", "submitted", "done"),
    ]
    assert events[3]["note"] == "42 workers signed, list attached"
    assert events[3]["actor_id"] == str(world.actor(Role.officer, "M111").user.id)

    audit = await client.get(
        "/api/v1/audit",
        params={"entity_type": "task", "entity_id": task_id},
        headers=headers(world, Role.leader, "C1"),
    )
    actions = sorted(e["action"] for e in audit.json()["items"])
    assert actions == sorted(
        ["task.create", "task.accept", "task.progress", "task.submit", "task.verify"]
    )


async def test_subtasks_roll_up_done_over_total(client: httpx.AsyncClient, world: World) -> None:
    parent = await create_task(client, world, "T1", "S11", title="Workshop staffing")
    pid = parent["id"]

    async def split(
        to: str, expect: int = 201, role: Role = Role.officer, unit: str = "S11"
    ) -> Any:
        response = await client.post(
            "/api/v1/tasks",
            json={
                "title": f"share for {to}",
                "parent_id": pid,
                "assignee_org_id": str(world.unit(to).id),
                "due_at": ts(utcnow() + timedelta(days=2)),
            },
            headers=headers(world, role, unit),
        )
        assert response.status_code == expect, response.text
        return response.json()

    problem = await split("M111", expect=409)
    assert "issued" in problem["detail"]  # accept it first
    await act(client, world, "tasks", pid, "accept", Role.officer, "S11")
    shown = (
        await client.get(f"/api/v1/tasks/{pid}", headers=headers(world, Role.officer, "S11"))
    ).json()
    assert shown["can_add_subtask"] is True
    await split("M111", expect=403, unit="T1")  # the issuer side does not split it
    await split("M121", expect=403)  # not inside the assignee's scope
    first = await split("M111")
    second = await split("M112")
    third = await split("M111")
    assert first["issuer_org_id"] == str(world.unit("S11").id)
    # A department may issue tasks across its county, but splits only inside its own scope.
    dept_task = await insert_task(world, "C1", "D1", status="accepted")
    across = await client.post(
        "/api/v1/tasks",
        json={
            "title": "not below D1",
            "parent_id": str(dept_task),
            "assignee_org_id": str(world.unit("M111").id),
            "due_at": ts(utcnow() + timedelta(days=2)),
        },
        headers=headers(world, Role.officer, "D1"),
    )
    assert_problem(across, 403)
    assert first["parent_id"] == pid

    async def counts() -> dict[str, int]:
        got = await client.get(f"/api/v1/tasks/{pid}", headers=headers(world, Role.leader, "T1"))
        counted: dict[str, int] = got.json()["subtasks"]
        return counted

    assert await counts() == {"total": 3, "done": 0}
    for step, role, unit, body in (
        ("accept", Role.officer, "M111", None),
        ("submit", Role.officer, "M111", {"note": "done"}),
        ("verify", Role.leader, "S11", None),
    ):
        await act(client, world, "tasks", first["id"], step, role, unit, body)
    assert await counts() == {"total": 3, "done": 1}
    await act(client, world, "tasks", second["id"], "cancel", Role.leader, "S11")
    assert await counts() == {"total": 2, "done": 1}
    listed = await client.get(
        "/api/v1/tasks", params={"parent_id": pid}, headers=headers(world, Role.officer, "S11")
    )
    assert {t["id"] for t in listed.json()["items"]} == {first["id"], second["id"], third["id"]}

    # Cancelling the parent cancels its open subtasks; done ones stay done.
    await act(client, world, "tasks", pid, "cancel", Role.leader, "T1", {"note": "plan changed"})
    statuses = {
        t["id"]: t["status"]
        for t in (
            await client.get(
                "/api/v1/tasks",
                params={"parent_id": pid},
                headers=headers(world, Role.officer, "S11"),
            )
        ).json()["items"]
    }
    assert statuses == {first["id"]: "done", second["id"]: "cancelled", third["id"]: "cancelled"}
    assert await counts() == {"total": 1, "done": 1}


async def test_extension_requests(client: httpx.AsyncClient, world: World) -> None:
    task = await create_task(client, world, "S11", "M111")
    tid, due = task["id"], task["due_at"]
    for too_early in (utcnow() + timedelta(days=1), utcnow() - timedelta(days=30)):
        body = {"note": "x", "due_at": ts(too_early)}
        await act(
            client, world, "tasks", tid, "request-extension", Role.officer, "M111", body, expect=422
        )
    later = utcnow() + timedelta(days=20)
    requested = await act(
        client,
        world,
        "tasks",
        tid,
        "request-extension",
        Role.officer,
        "M111",
        {"note": "heavy rain", "due_at": ts(later)},
    )
    assert requested["extension"]["note"] == "heavy rain"
    assert requested["due_at"] == due
    assert "request-extension" not in requested["allowed_actions"]
    issuer_view = (
        await client.get(f"/api/v1/tasks/{tid}", headers=headers(world, Role.leader, "S11"))
    ).json()
    assert {"approve-extension", "reject-extension"} <= set(issuer_view["allowed_actions"])
    refused = await act(
        client,
        world,
        "tasks",
        tid,
        "reject-extension",
        Role.leader,
        "S11",
        {"note": "the deadline is fixed"},
    )
    assert refused["extension"] is None and refused["due_at"] == due
    await act(
        client,
        world,
        "tasks",
        tid,
        "request-extension",
        Role.officer,
        "M111",
        {"note": "still raining", "due_at": ts(later)},
    )
    approved = await act(client, world, "tasks", tid, "approve-extension", Role.leader, "S11")
    assert approved["extension"] is None
    assert approved["due_at"] != due and approved["due_at"].startswith(later.date().isoformat())
    events = (
        await client.get(
            f"/api/v1/tasks/{tid}/events", headers=headers(world, Role.officer, "M111")
        )
    ).json()
    assert [e["action"] for e in events["items"]] == [
        "create",
        "request-extension",
        "reject-extension",
        "request-extension",
        "approve-extension",
    ]
    assert events["items"][4]["data"]["previous_due_at"]


async def test_edits_follow_the_side(client: httpx.AsyncClient, world: World) -> None:
    task = await create_task(client, world, "S11", "M111")
    url = f"/api/v1/tasks/{task['id']}"
    issuer, assignee = headers(world, Role.officer, "S11"), headers(world, Role.officer, "M111")
    new_due = ts(utcnow() + timedelta(days=30))
    edited = await client.patch(
        url,
        json={"title": "sharper title", "due_at": new_due, "priority": "urgent"},
        headers=issuer,
    )
    assert edited.status_code == 200 and edited.json()["priority"] == "urgent"
    assert_problem(await client.patch(url, json={"title": "mine now"}, headers=assignee), 403)
    person = str(world.actor(Role.leader, "M111").user.id)
    named = await client.patch(url, json={"responsible_user_id": person}, headers=assignee)
    assert named.status_code == 200 and named.json()["responsible_user_id"] == person
    outsider = str(world.actor(Role.leader, "M112").user.id)
    assert_problem(
        await client.patch(url, json={"responsible_user_id": outsider}, headers=assignee), 422
    )
    assert_problem(await client.patch(url, json={"title": None}, headers=issuer), 422)
    assert_problem(await client.patch(url, json={"status": "done"}, headers=issuer), 422)
    update = (await client.get(f"{url}/events", headers=issuer)).json()["items"][1]
    assert update["action"] == "update" and update["data"]["title"] == "sharper title"
    done = await insert_task(world, "S11", "M111", status="done")
    assert_problem(
        await client.patch(f"/api/v1/tasks/{done}", json={"title": "late"}, headers=issuer),
        409,
        "done",
    )


async def test_send_back_and_reissue(client: httpx.AsyncClient, world: World) -> None:
    task = await create_task(client, world, "C1", "M111")
    tid = task["id"]
    returned = await act(
        client, world, "tasks", tid, "return", Role.leader, "M111", {"note": "this belongs to M112"}
    )
    assert returned["status"] == "returned" and returned["returned_by"] == "assignee"
    new_due = utcnow() + timedelta(days=10)
    reissued = await act(
        client,
        world,
        "tasks",
        tid,
        "reissue",
        Role.officer,
        "C1",
        {
            "note": "right you are",
            "assignee_org_id": str(world.unit("M112").id),
            "due_at": ts(new_due),
        },
    )
    assert reissued["status"] == "issued" and reissued["returned_by"] is None
    assert reissued["assignee_org_id"] == str(world.unit("M112").id)
    # M111 no longer sees it; M112 does, and was told.
    gone = await client.get(f"/api/v1/tasks/{tid}", headers=headers(world, Role.officer, "M111"))
    assert gone.status_code == 404
    notes = await client.get("/api/v1/notifications", headers=headers(world, Role.officer, "M112"))
    assert any(
        n["entity_id"] == tid and n["kind"] == "task_assigned" for n in notes.json()["items"]
    )
    declined = await client.post(
        f"/api/v1/tasks/{tid}/return",
        json={"note": "no"},
        headers=headers(world, Role.leader, "M112"),
    )
    assert declined.status_code == 200
    outside = await client.post(
        f"/api/v1/tasks/{tid}/reissue",
        json={"assignee_org_id": str(world.unit("M211").id)},
        headers=headers(world, Role.officer, "C1"),
    )
    assert_problem(outside, 403)


@pytest.mark.parametrize(
    "role, unit, expected",
    [
        (Role.leader, "T1", ["cancel"]),
        (Role.officer, "T1", []),
        (Role.observer, "T1", []),
        (Role.officer, "M111", ["accept", "request-extension"]),
        (Role.leader, "M111", ["accept", "return", "request-extension"]),
        (Role.officer, "S11", ["accept", "request-extension"]),
        (Role.liaison, "M111", []),
        (Role.admin, "C1", []),
        # C1 covers both parties: it stands on the side of the issuer, the county's task force.
        (Role.leader, "C1", ["cancel"]),
    ],
)
async def test_allowed_actions_are_exactly_what_the_caller_may_do(
    client: httpx.AsyncClient, world: World, role: Role, unit: str, expected: list[str]
) -> None:
    task_id = await insert_task(world, "T1", "M111")
    shown = (
        await client.get(f"/api/v1/tasks/{task_id}", headers=headers(world, role, unit))
    ).json()
    assert shown["allowed_actions"] == expected
    assert shown["can_edit"] is (role in (Role.leader, Role.officer) and unit in ("T1", "C1"))
    for action in ("accept", "return", "cancel", "verify"):
        body = {"note": "why"} if action == "return" else None
        response = await client.post(
            f"/api/v1/tasks/{task_id}/{action}", json=body, headers=headers(world, role, unit)
        )
        if action in expected:
            assert response.status_code == 200, response.text
            break  # the task moved on; the rest is covered by the matrix
        assert response.status_code in (403, 409), (action, response.text)


async def test_feedback_validation_and_listing(client: httpx.AsyncClient, world: World) -> None:
    task_id = await insert_task(world, "C1", "E1", status="in_progress")
    url = f"/api/v1/tasks/{task_id}/feedback"
    liaison = headers(world, Role.liaison, "E1")
    for bad in (
        {"kind": "satisfaction"},
        {"kind": "satisfaction", "rating": 6},
        {"kind": "comment", "body": "x", "rating": 3},
        {"kind": "comment", "body": "  "},
        {"kind": "rumour", "body": "x"},
        {"kind": "comment", "body": "x", "author_id": str(uuid.uuid4())},
    ):
        assert_problem(await client.post(url, json=bad, headers=liaison), 422)
    created = await client.post(
        url, json={"kind": "satisfaction", "rating": 4, "body": "good support"}, headers=liaison
    )
    assert created.status_code == 201
    assert created.json()["org_id"] == str(world.unit("E1").id)
    for n in range(3):
        await client.post(url, json={"kind": "comment", "body": f"note {n}"}, headers=liaison)
    page = await client.get(url, params={"limit": 2}, headers=liaison)
    rest = await client.get(
        url, params={"limit": 2, "cursor": page.json()["next_cursor"]}, headers=liaison
    )
    bodies = [f["body"] for f in page.json()["items"] + rest.json()["items"]]
    assert bodies == ["good support", "note 0", "note 1", "note 2"]
    only = await client.get(url, params={"kind": "satisfaction"}, headers=liaison)
    assert [f["rating"] for f in only.json()["items"]] == [4]
    events = (await client.get(f"/api/v1/tasks/{task_id}/events", headers=liaison)).json()["items"]
    assert [e["action"] for e in events] == ["feedback"] * 4
    assert events[0]["data"]["rating"] == 4


async def assignable(
    client: httpx.AsyncClient, world: World, role: Role, unit: str, **params: Any
) -> list[str]:
    """Labels of the world's units listed, following every page (other tests add units)."""
    names = {u.name: label for label, u in world.units.items()}
    found: list[str] = []
    cursor = None
    while True:
        query = {**params, "limit": 3, **({"cursor": cursor} if cursor else {})}
        response = await client.get(
            "/api/v1/tasks/assignable-units", params=query, headers=headers(world, role, unit)
        )
        assert response.status_code == 200, response.text
        found += [names[u["name"]] for u in response.json()["items"] if u["name"] in names]
        cursor = response.json()["next_cursor"]
        if cursor is None:
            return found


async def test_assignable_units_follow_the_rules(client: httpx.AsyncClient, world: World) -> None:
    street = await assignable(client, world, Role.officer, "S11")
    assert street == ["M111", "M112"]
    # A task force lists its whole county (units its own grant could not read), tree order.
    county = await assignable(client, world, Role.officer, "T1")
    assert set(county) == {
        label
        for label in world.units
        if list(world.unit(label).path[:2]) == list(world.unit("C1").path) and label != "T1"
    }
    assert "M211" not in county and "T1" not in county and "M111" in county
    paths = [list(world.unit(label).path) for label in county]
    assert paths == sorted(paths)
    assert await assignable(client, world, Role.leader, "T1", q=world.unit("M112").name) == ["M112"]
    assert await assignable(client, world, Role.officer, "E1") == []
    # With parent_id: units inside the parent's assignee scope.
    parent = await insert_task(world, "T1", "S12", status="accepted")
    assert await assignable(client, world, Role.officer, "S12", parent_id=str(parent)) == [
        "M121",
        "M122",
    ]
    refused = await client.get(
        "/api/v1/tasks/assignable-units",
        params={"parent_id": str(parent)},
        headers=headers(world, Role.officer, "T1"),
    )
    assert_problem(refused, 403)
    hidden = await client.get(
        "/api/v1/tasks/assignable-units",
        params={"parent_id": str(parent)},
        headers=headers(world, Role.officer, "S11"),
    )
    assert_problem(hidden, 404)
    other = await client.get(
        "/api/v1/tasks/assignable-units",
        params={"issuer_org_id": str(world.unit("S12").id)},
        headers=headers(world, Role.officer, "S11"),
    )
    assert_problem(other, 403)
    for role in (Role.observer, Role.admin, Role.liaison):
        denied = await client.get(
            "/api/v1/tasks/assignable-units", headers=headers(world, role, "S11")
        )
        assert_problem(denied, 403)
