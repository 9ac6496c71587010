"""The to-do on the test world: a unit's own items, not those below it; a unit without
logins is served by its nearest ancestor with logins, from the side separation of duties
gives it; every hand-back is noticed, on the login-less unit's behalf where it has none."""

import uuid
from typing import Any

import httpx
import pytest

from app.access.roles import Role
from app.auth.passwords import hash_password
from app.core.db import sessionmaker
from app.grants.models import Grant
from app.orgs.models import OrgKind
from app.orgs.service import insert_org
from tests.support import PASSWORD, POSITION_UNIT, Actor, World, make_user, token_for
from tests.todo.authz_matrix import ACTING_ROLES, EVERY_ROLE
from tests.workitems.helpers import act, assert_problem, create_task, headers, insert_issue
from tests.workitems.test_notifications import notices


async def todo(
    client: httpx.AsyncClient, world: World, role: Role, unit: str, **params: Any
) -> dict[str, Any]:
    response = await client.get(
        "/api/v1/me/todo", params={"limit": 200, **params}, headers=headers(world, role, unit)
    )
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def ids(body: dict[str, Any], kind: str) -> set[str]:
    """The items of `kind` on a page (ask for that kind: other kinds may fill the page)."""
    return {i["item_id"] for i in body["items"] if i["kind"] == kind}


@pytest.fixture(scope="module")
async def own_tree(world: World) -> World:
    """A tree of its own, so that the other tests' units stay as they are: prefecture R,
    county RC with a department RD and streets RS1, RS2; communities RN1 (under RS1) and
    RN2 (under RS2) have no logins. RC, RD and the streets have a leader, an officer and
    a liaison each."""
    tag = uuid.uuid4().hex[:6]
    password_hash = await hash_password(PASSWORD)
    async with sessionmaker()() as session:

        async def add(label: str, kind: OrgKind, parent: str | None, people: bool) -> None:
            unit = await insert_org(
                session,
                name=f"{label}-{tag}",
                kind=kind,
                parent=world.units[parent] if parent else None,
            )
            world.units[label] = unit
            for role in (Role.leader, Role.officer, Role.liaison) if people else ():
                user = await make_user(
                    session, f"{role.value}.{label.lower()}.{tag}", password_hash=password_hash
                )
                session.add(Grant(user_id=user.id, org_id=unit.id, role=role.value))
                token = await token_for(session, user)
                world.actors[(role, label)] = Actor(user=user, role=role, unit=label, token=token)

        await add("R", OrgKind.prefecture, None, False)
        await add("RC", OrgKind.county, "R", True)
        await add("RD", OrgKind.department, "RC", True)
        for n in ("1", "2"):
            await add(f"RS{n}", OrgKind.street, "RC", True)
            await add(f"RN{n}", OrgKind.community, f"RS{n}", False)
        await session.commit()
    return world


@pytest.mark.parametrize("role", sorted(EVERY_ROLE))
@pytest.mark.parametrize("position", sorted(POSITION_UNIT))
async def test_every_role_reads_its_own_todo(
    client: httpx.AsyncClient, world: World, role: Role, position: str
) -> None:
    body = await todo(client, world, role, POSITION_UNIT[position])
    assert set(body["counts"]) == {"accept", "work", "verify", "extension", "reissue"} | {
        "handle",
        "confirm",
        "supervise",
        "chase_ack",
    }
    if role not in ACTING_ROLES:
        assert body["items"] == [] and not any(body["counts"].values())


async def test_bad_input_is_a_problem(client: httpx.AsyncClient, world: World) -> None:
    hdrs = headers(world, Role.leader, "S11")
    for url, params in (
        ("/api/v1/me/todo", {"kind": "everything"}),
        ("/api/v1/me/todo", {"cursor": "forged.cursor"}),
        ("/api/v1/tasks", {"todo": "handle"}),
        ("/api/v1/issues", {"todo": "verify"}),
    ):
        assert_problem(await client.get(url, params=params, headers=hdrs), 422)


async def test_a_units_own_items_not_those_below(client: httpx.AsyncClient, world: World) -> None:
    task = await create_task(client, world, "T1", "M111")
    assert task["id"] in ids(
        await todo(client, world, Role.officer, "M111", kind="accept"), "accept"
    )
    for role, unit in ((Role.officer, "S11"), (Role.leader, "C1"), (Role.leader, "P")):
        got = await todo(client, world, role, unit)
        assert task["id"] not in {i["item_id"] for i in got["items"]}, (role, unit)
    listed = await client.get(
        "/api/v1/tasks", params={"todo": "accept"}, headers=headers(world, Role.officer, "M111")
    )
    assert task["id"] in {t["id"] for t in listed.json()["items"]}


async def test_a_unit_without_logins_is_served_and_told_through_its_ancestor(
    client: httpx.AsyncClient, own_tree: World
) -> None:
    world, community, street, issuer = own_tree, "RN1", "RS1", "RD"
    unit_id = str(world.unit(community).id)
    task = await create_task(client, world, issuer, community, role=Role.leader)
    mine = await todo(client, world, Role.officer, street, kind="accept")
    item = next(i for i in mine["items"] if i["item_id"] == task["id"])
    assert item["on_behalf_of_org_id"] == unit_id
    assert item["on_behalf_of_org_name"] == world.unit(community).name
    assert task["id"] not in ids(
        await todo(client, world, Role.leader, "RC", kind="accept"), "accept"
    )
    told = await notices(client, world, Role.officer, street, task["id"])
    assert [(n["kind"], n["on_behalf_of_org_id"]) for n in told] == [("task_assigned", unit_id)]

    # Every hand-back of the task, each noticed where it must be acted on.
    def step(role: Role, unit: str, action: str, body: Any = None) -> Any:
        return act(client, world, "tasks", task["id"], action, role, unit, body)

    await step(Role.officer, street, "accept")
    await step(
        Role.officer,
        street,
        "request-extension",
        {"note": "rain", "due_at": "2099-01-01T00:00:00+08:00"},
    )
    assert task["id"] in ids(
        await todo(client, world, Role.leader, issuer, kind="extension"), "extension"
    )
    await step(Role.leader, issuer, "approve-extension")
    await step(Role.officer, street, "submit", {"note": "done"})
    assert task["id"] in ids(
        await todo(client, world, Role.leader, issuer, kind="verify"), "verify"
    )
    assert task["id"] not in ids(
        await todo(client, world, Role.officer, issuer, kind="verify"), "verify"
    )
    await step(Role.leader, issuer, "return", {"note": "redo"})
    assert task["id"] in ids(await todo(client, world, Role.officer, street, kind="work"), "work")
    for role in (Role.leader, Role.officer):
        assert sorted(
            n["kind"] for n in await notices(client, world, role, issuer, task["id"])
        ) == [
            "task_extension_requested",
            "task_submitted",
        ]
    told = await notices(client, world, Role.officer, street, task["id"])
    assert sorted((n["kind"], n["on_behalf_of_org_id"]) for n in told) == [
        ("task_assigned", unit_id),
        ("task_extension_approved", unit_id),
        ("task_returned", unit_id),
    ]
    assert await notices(client, world, Role.officer, "RC", task["id"]) == []

    # The issue it raised: resolution to confirm, then reopened to the handler.
    issue = await insert_issue(world, community, issuer, status="acknowledged")
    await act(client, world, "issues", issue, "resolve", Role.leader, issuer, {"note": "fixed"})
    assert str(issue) in ids(
        await todo(client, world, Role.officer, street, kind="confirm"), "confirm"
    )
    told = await notices(client, world, Role.liaison, street, issue)
    assert [(n["kind"], n["on_behalf_of_org_id"]) for n in told] == [("issue_resolved", unit_id)]
    await act(client, world, "issues", issue, "reopen", Role.officer, street)
    assert str(issue) in ids(
        await todo(client, world, Role.officer, issuer, kind="handle"), "handle"
    )
    told = await notices(client, world, Role.officer, issuer, issue)
    assert [(n["kind"], n["on_behalf_of_org_id"]) for n in told] == [("issue_reopened", None)]


async def test_an_ancestor_never_acts_for_a_unit_without_logins_against_itself(
    client: httpx.AsyncClient, own_tree: World
) -> None:
    """The street issues to its own login-less community: its grant covers both parties
    and stands on the issuer's side (separation of duties), so accepting is nobody's to-do
    there, and the list offers it to no one either."""
    world = own_tree
    task = await create_task(client, world, "RS2", "RN2")
    assert "accept" not in task["allowed_actions"]
    for role in (Role.leader, Role.officer):
        got = await todo(client, world, role, "RS2")
        assert task["id"] not in {i["item_id"] for i in got["items"]}, role
    # From a unit outside the street (the county's department), the street acts for it.
    other = await create_task(client, world, "RD", "RN2")
    assert other["id"] in ids(
        await todo(client, world, Role.officer, "RS2", kind="accept"), "accept"
    )
