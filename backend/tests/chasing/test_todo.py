"""The chasing ladder in the to-do: a 督办单 to issue (`supervise`, the supervising unit's
own leaders, offered as an action to every leader at or above it) and chasing notices to
acknowledge (`chase_ack`, per person); each cleared by its action, each count its list."""

import uuid
from datetime import datetime
from typing import Any

import httpx
import pytest

from app.access.roles import Role
from app.auth.passwords import hash_password
from app.chasing import service
from app.core.db import sessionmaker
from app.grants.models import Grant
from app.orgs.models import OrgKind, OrgUnit
from app.orgs.service import insert_org
from tests.chasing.helpers import DUE, ISSUED, NOTICE, local, notices, sweep_at
from tests.support import PASSWORD, Actor, World, make_user, token_for
from tests.workitems.helpers import insert_issue, insert_task


async def _todo(client: httpx.AsyncClient, world: World, role: Role, unit: str) -> dict[str, Any]:
    response = await client.get(
        "/api/v1/me/todo", params={"limit": 200}, headers=world.actor(role, unit).headers
    )
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def _listed(
    client: httpx.AsyncClient, world: World, role: Role, unit: str, kind: str
) -> set[str]:
    """Tasks and issues in the caller's to-do of `kind`, from the lists' `todo=` filter."""
    found: set[str] = set()
    for plural in ("tasks", "issues"):
        response = await client.get(
            f"/api/v1/{plural}",
            params={"todo": kind, "limit": 200},
            headers=world.actor(role, unit).headers,
        )
        assert response.status_code == 200, response.text
        found |= {i["id"] for i in response.json()["items"]}
    return found


async def _in_todo(
    client: httpx.AsyncClient, world: World, role: Role, unit: str, kind: str
) -> set[str]:
    """The caller's to-do of `kind`, checked against its count and its lists."""
    body = await _todo(client, world, role, unit)
    items = {i["item_id"] for i in body["items"] if i["kind"] == kind}
    assert body["counts"][kind] == len(items) == len(await _listed(client, world, role, unit, kind))
    assert items == await _listed(client, world, role, unit, kind)
    return items


async def _allowed(
    client: httpx.AsyncClient, world: World, role: Role, unit: str, plural: str, item: uuid.UUID
) -> list[str]:
    response = await client.get(f"/api/v1/{plural}/{item}", headers=world.actor(role, unit).headers)
    assert response.status_code == 200, response.text
    allowed: list[str] = response.json()["allowed_actions"]
    return allowed


async def test_supervision_waits_on_the_supervising_unit_until_its_order(
    client: httpx.AsyncClient, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    task = await insert_task(
        world, "T1", "M111", status="in_progress", due_at=DUE, created_at=ISSUED
    )
    await sweep_at(local(10, 12))
    assert str(task) not in await _in_todo(client, world, Role.leader, "C1", "supervise")
    assert "supervise" not in await _allowed(client, world, Role.leader, "C1", "tasks", task)

    await sweep_at(local(10, 13))
    # County C1 (the tier above task force T1) must issue it: its leaders' to-do.
    assert str(task) in await _in_todo(client, world, Role.leader, "C1", "supervise")
    # A leader above may issue it too (the action), but it is not their to-do.
    assert str(task) not in await _in_todo(client, world, Role.leader, "P", "supervise")
    assert "supervise" in await _allowed(client, world, Role.leader, "P", "tasks", task)
    for role, unit in ((Role.leader, "T1"), (Role.officer, "C1"), (Role.leader, "M111")):
        assert str(task) not in await _in_todo(client, world, role, unit, "supervise")
        assert "supervise" not in await _allowed(client, world, role, unit, "tasks", task)
    allowed = await _allowed(client, world, Role.leader, "C1", "tasks", task)
    assert "supervise" in allowed

    monkeypatch.setattr(service, "utcnow", lambda: local(10, 13, 10))
    url, county = f"/api/v1/tasks/{task}/supervise", world.actor(Role.leader, "C1").headers
    both = {"note": "n", "due_at": local(10, 30, 18).isoformat(), "due_in_working_days": 3}
    assert (await client.post(url, json=both, headers=county)).status_code == 422
    # The new date in working days, as a task's at creation: the third after Tuesday the 13th.
    order = {"note": "report progress daily", "due_in_working_days": 3}
    done = await client.post(url, json=order, headers=county)
    assert done.status_code == 200, done.text
    assert datetime.fromisoformat(done.json()["due_at"]) == local(10, 16, 18)
    assert "supervise" not in done.json()["allowed_actions"]
    assert str(task) not in await _in_todo(client, world, Role.leader, "C1", "supervise")


async def test_supervision_of_a_deadline_no_longer_in_force_waits_on_nobody(
    client: httpx.AsyncClient, world: World
) -> None:
    task = await insert_task(
        world, "T1", "M112", status="in_progress", due_at=DUE, created_at=ISSUED
    )
    issue = await insert_issue(world, "M112", "S11", due_at=DUE, created_at=ISSUED)
    await sweep_at(local(10, 13))
    # An issue is supervised by the tier above its handler: street S11's handler, C1.
    assert {str(task), str(issue)} <= await _in_todo(client, world, Role.leader, "C1", "supervise")
    assert "supervise" in await _allowed(client, world, Role.leader, "C1", "issues", issue)
    submitted = await client.post(
        f"/api/v1/tasks/{task}/submit",
        json={"note": "done"},
        headers=world.actor(Role.officer, "M112").headers,
    )
    assert submitted.status_code == 200, submitted.text
    # Submitted: no longer chased, so its supervision waits no more (nor may it be issued).
    assert str(task) not in await _in_todo(client, world, Role.leader, "C1", "supervise")
    assert "supervise" not in await _allowed(client, world, Role.leader, "C1", "tasks", task)
    refused = await client.post(
        f"/api/v1/tasks/{task}/supervise",
        json={"note": "n", "due_at": local(12, 30).isoformat()},
        headers=world.actor(Role.leader, "C1").headers,
    )
    assert refused.status_code == 409


async def test_each_recipient_acknowledges_their_own_notice(
    client: httpx.AsyncClient, world: World
) -> None:
    task = await insert_task(world, "T1", "M112", status="accepted", due_at=DUE, created_at=ISSUED)
    await sweep_at(NOTICE)
    for role in (Role.officer, Role.leader):
        assert str(task) in await _in_todo(client, world, role, "M112", "chase_ack")
    # The chasing notice reached the assignee's people, not those above it.
    assert str(task) not in await _in_todo(client, world, Role.leader, "C1", "chase_ack")
    for n in await notices(client, world, Role.officer, "M112", task):
        assert n["acknowledgeable"]
        response = await client.post(
            f"/api/v1/notifications/{n['id']}/acknowledge",
            headers=world.actor(Role.officer, "M112").headers,
        )
        assert response.status_code == 200, response.text
    # Acknowledged by the officer: cleared for them, not for their leader.
    assert str(task) not in await _in_todo(client, world, Role.officer, "M112", "chase_ack")
    assert str(task) in await _in_todo(client, world, Role.leader, "M112", "chase_ack")


async def test_a_chasing_notice_follows_its_items_due_date_and_its_recipients_grant(
    client: httpx.AsyncClient, world: World
) -> None:
    """The to-do orders chasing notices by their items' due dates, a new due date
    included, and pages through them whole; a notice counts while its recipient holds a
    grant at the unit it reached them at."""
    async with sessionmaker()() as session:
        person = await make_user(
            session, f"chased.{uuid.uuid4().hex[:8]}", password_hash=await hash_password(PASSWORD)
        )
        grants = [
            Grant(user_id=person.id, org_id=world.unit(unit).id, role=Role.officer.value)
            for unit in ("M112", "M111")
        ]
        session.add_all(grants)
        token = await token_for(session, person)
        await session.commit()
    mine = {"Authorization": f"Bearer {token}"}
    tasks = [
        await insert_task(world, "T1", "M112", status="accepted", due_at=DUE, created_at=ISSUED)
        for _ in range(3)
    ]
    await sweep_at(NOTICE)
    moved = local(12, 28, 18)
    issuer = world.actor(Role.officer, "T1").headers
    got = await client.get(f"/api/v1/tasks/{tasks[0]}", headers=issuer)
    patched = await client.patch(
        f"/api/v1/tasks/{tasks[0]}",
        json={"due_at": moved.isoformat()},
        headers={**issuer, "If-Match": got.headers["ETag"]},
    )
    assert patched.status_code == 200, patched.text

    seen: list[dict[str, Any]] = []
    cursor: str | None = None
    while True:
        params: dict[str, Any] = {"kind": "chase_ack", "limit": 1}
        if cursor:
            params["cursor"] = cursor
        page = await client.get("/api/v1/me/todo", params=params, headers=mine)
        assert page.status_code == 200, page.text
        seen += page.json()["items"]
        cursor = page.json()["next_cursor"]
        if cursor is None:
            break
    ours = [i for i in seen if i["item_id"] in {str(t) for t in tasks}]
    assert [i["item_id"] for i in ours] == [str(t) for t in (*sorted(tasks[1:]), tasks[0])]
    assert datetime.fromisoformat(ours[-1]["due_at"]) == moved
    assert len(seen) == len({i["item_id"] for i in seen}) == page.json()["counts"]["chase_ack"]

    # No longer at M112 (still at M111): its notices there wait on them no more.
    async with sessionmaker()() as session:
        await session.delete(await session.get(Grant, grants[0].id))
        await session.commit()
    response = await client.get("/api/v1/me/todo", params={"kind": "chase_ack"}, headers=mine)
    assert response.status_code == 200, response.text
    assert not {i["item_id"] for i in response.json()["items"]} & {str(t) for t in tasks}


async def test_a_supervising_unit_without_logins_is_served_from_above(
    client: httpx.AsyncClient, world: World
) -> None:
    """A tree of its own: county LC (a leader) over street LS, its community LN and that
    community's enterprise LE, none of them with logins. An issue handled by LE is
    supervised by LN, the tier above it, so it waits on LC's leader, on LN's behalf. (A
    world of its own, so that the shared one, which other tests walk, keeps its units.)"""
    own = World(units=dict(world.units), actors=dict(world.actors))
    tag = uuid.uuid4().hex[:6]
    async with sessionmaker()() as session:
        parent: OrgUnit | None = None
        for label, kind in (
            ("LR", OrgKind.prefecture),
            ("LC", OrgKind.county),
            ("LS", OrgKind.street),
            ("LN", OrgKind.community),
            ("LE", OrgKind.enterprise),
        ):
            unit = await insert_org(session, name=f"{label}-{tag}", kind=kind, parent=parent)
            own.units[label] = parent = unit
        password_hash = await hash_password(PASSWORD)
        user = await make_user(session, f"leader.lc.{tag}", password_hash=password_hash)
        session.add(Grant(user_id=user.id, org_id=own.unit("LC").id, role=Role.leader.value))
        token = await token_for(session, user)
        await session.commit()
    own.actors[(Role.leader, "LC")] = Actor(user=user, role=Role.leader, unit="LC", token=token)
    issue = await insert_issue(own, "LC", "LE", due_at=DUE, created_at=ISSUED)
    await sweep_at(local(10, 13))
    body = await _todo(client, own, Role.leader, "LC")
    [item] = [i for i in body["items"] if i["item_id"] == str(issue) and i["kind"] == "supervise"]
    assert item["on_behalf_of_org_id"] == str(own.unit("LN").id)
    assert str(issue) in await _in_todo(client, own, Role.leader, "LC", "supervise")
    assert "supervise" in await _allowed(client, own, Role.leader, "LC", "issues", issue)
