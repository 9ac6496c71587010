"""Rules of the org tree, users and grants beyond the role x position matrix."""

import uuid
from typing import Any

import httpx
import pytest

from app.access.roles import ROLE_PERMISSIONS, Role
from tests.support import PASSWORD, World

API = "/api/v1"


async def _create_org(
    client: httpx.AsyncClient, world: World, parent: str, kind: str, actor_unit: str = "P"
) -> httpx.Response:
    admin = world.actor(Role.admin, actor_unit)
    return await client.post(
        f"{API}/orgs",
        json={
            "name": f"{kind}-{uuid.uuid4().hex[:6]}",
            "kind": kind,
            "parent_id": str(world.unit(parent).id),
        },
        headers=admin.headers,
    )


@pytest.mark.parametrize(
    ("parent", "kind", "ok"),
    [
        ("P", "county", True),
        ("P", "street", False),
        ("P", "community", False),
        ("C1", "street", True),
        ("C1", "county", False),
        ("C1", "community", False),
        ("S11", "community", True),
        ("S11", "street", False),
        ("M111", "community", False),
        ("C1", "department", True),
        ("M111", "department", True),
        ("D1", "department", False),
        ("T1", "group", True),
        ("C1", "group", False),
        ("S11", "taskforce", True),
        ("G1", "taskforce", False),
        ("C1", "enterprise", True),
        ("E1", "enterprise", False),
        ("C1", "prefecture", False),
    ],
)
async def test_nesting_rules(
    client: httpx.AsyncClient, world: World, parent: str, kind: str, ok: bool
) -> None:
    response = await _create_org(client, world, parent, kind)
    if ok:
        assert response.status_code == 201, response.text
        body = response.json()
        assert body["kind"] == kind
        assert body["parent_id"] == str(world.unit(parent).id)
        expected_tier = (
            kind if kind in {"county", "street", "community"} else world.unit(parent).tier
        )
        assert body["tier"] == expected_tier
    else:
        assert response.status_code == 422, response.text
        assert response.headers["content-type"] == "application/problem+json"


async def test_attached_units_take_the_tier_of_their_tier_unit(
    client: httpx.AsyncClient, world: World
) -> None:
    group = (
        await client.get(
            f"{API}/orgs/{world.unit('G1').id}", headers=world.actor(Role.observer, "P").headers
        )
    ).json()
    assert group["tier"] == "county"
    created = await _create_org(client, world, "M111", "department")
    assert created.json()["tier"] == "community"


async def test_org_code_is_unique(client: httpx.AsyncClient, world: World) -> None:
    admin = world.actor(Role.admin, "C1")
    code = f"c-{uuid.uuid4().hex[:8]}"
    body: dict[str, Any] = {
        "name": "甲",
        "kind": "department",
        "parent_id": str(world.unit("C1").id),
        "code": code,
    }
    assert (await client.post(f"{API}/orgs", json=body, headers=admin.headers)).status_code == 201
    again = await client.post(f"{API}/orgs", json={**body, "name": "乙"}, headers=admin.headers)
    assert again.status_code == 409


async def test_renaming_a_unit_is_audited_and_visible(
    client: httpx.AsyncClient, world: World
) -> None:
    admin = world.actor(Role.admin, "C2")
    created = (await _create_org(client, world, "C2", "department", actor_unit="C2")).json()
    renamed = await client.patch(
        f"{API}/orgs/{created['id']}", json={"name": "县水务局"}, headers=admin.headers
    )
    assert renamed.status_code == 200
    assert renamed.json()["name"] == "县水务局"
    audit = await client.get(
        f"{API}/audit", params={"entity_id": created["id"]}, headers=admin.headers
    )
    actions = [e["action"] for e in audit.json()["items"]]
    assert actions == ["org.update", "org.create"]
    assert audit.json()["items"][0]["before"]["name"] == created["name"]


async def _new_user(client: httpx.AsyncClient, admin_headers: dict[str, str]) -> dict[str, Any]:
    response = await client.post(
        f"{API}/users",
        json={
            "username": f"u-{uuid.uuid4().hex[:8]}",
            "display_name": "张三",
            "password": PASSWORD,
        },
        headers=admin_headers,
    )
    assert response.status_code == 201, response.text
    return dict(response.json())


async def test_admin_creates_user_grants_role_and_user_sees_only_that_scope(
    client: httpx.AsyncClient, world: World
) -> None:
    admin = world.actor(Role.admin, "C1")
    user = await _new_user(client, admin.headers)
    grant = await client.post(
        f"{API}/grants",
        json={"user_id": user["id"], "org_id": str(world.unit("S12").id), "role": "officer"},
        headers=admin.headers,
    )
    assert grant.status_code == 201, grant.text
    login = await client.post(
        f"{API}/auth/token", data={"username": user["username"], "password": PASSWORD}
    )
    headers = {"Authorization": f"Bearer {login.json()['access_token']}"}
    me = (await client.get(f"{API}/me", headers=headers)).json()
    assert [(g["org_id"], g["role"]) for g in me["grants"]] == [
        (str(world.unit("S12").id), "officer")
    ]
    # The SPA reads what a grant allows from here instead of re-encoding the roles.
    assert me["grants"][0]["permissions"] == sorted(p.value for p in ROLE_PERMISSIONS[Role.officer])
    assert "task.work" in me["grants"][0]["permissions"]
    assert "task.decide" not in me["grants"][0]["permissions"]
    assert (
        await client.get(f"{API}/orgs/{world.unit('M121').id}", headers=headers)
    ).status_code == 200
    assert (
        await client.get(f"{API}/orgs/{world.unit('M111').id}", headers=headers)
    ).status_code == 404

    # Revoking the grant stops it at once, with the same access token.
    deleted = await client.delete(f"{API}/grants/{grant.json()['id']}", headers=admin.headers)
    assert deleted.status_code == 204
    assert (
        await client.get(f"{API}/orgs/{world.unit('M121').id}", headers=headers)
    ).status_code == 404


async def test_nobody_changes_their_own_rights(client: httpx.AsyncClient, world: World) -> None:
    admin = world.actor(Role.admin, "S21")
    for role in ("admin", "leader"):
        response = await client.post(
            f"{API}/grants",
            json={
                "user_id": str(admin.user.id),
                "org_id": str(world.unit("M211").id),
                "role": role,
            },
            headers=admin.headers,
        )
        assert response.status_code == 403
    own = (await client.get(f"{API}/me", headers=admin.headers)).json()["grants"][0]["id"]
    assert (await client.delete(f"{API}/grants/{own}", headers=admin.headers)).status_code == 403
    deactivate = await client.patch(
        f"{API}/users/{admin.user.id}", json={"is_active": False}, headers=admin.headers
    )
    assert deactivate.status_code == 403


async def test_cannot_grant_outside_scope_even_to_own_users(
    client: httpx.AsyncClient, world: World
) -> None:
    admin = world.actor(Role.admin, "S11")
    user = await _new_user(client, admin.headers)
    for unit in ("C1", "S12", "X"):
        response = await client.post(
            f"{API}/grants",
            json={"user_id": user["id"], "org_id": str(world.unit(unit).id), "role": "admin"},
            headers=admin.headers,
        )
        assert response.status_code == 404, unit


async def test_users_with_grants_beyond_my_scope_are_not_mine_to_change(
    client: httpx.AsyncClient, world: World
) -> None:
    county_admin = world.actor(Role.admin, "C1")
    street_admin = world.actor(Role.admin, "S11")
    user = await _new_user(client, county_admin.headers)
    for unit in ("S11", "S12"):
        granted = await client.post(
            f"{API}/grants",
            json={"user_id": user["id"], "org_id": str(world.unit(unit).id), "role": "officer"},
            headers=county_admin.headers,
        )
        assert granted.status_code == 201
    # The street admin sees the user (a grant in its scope) but may not change them.
    assert (
        await client.get(f"{API}/users/{user['id']}", headers=street_admin.headers)
    ).status_code == 200
    patch = await client.patch(
        f"{API}/users/{user['id']}", json={"is_active": False}, headers=street_admin.headers
    )
    assert patch.status_code == 403
    assert (
        await client.patch(
            f"{API}/users/{user['id']}", json={"display_name": "李四"}, headers=county_admin.headers
        )
    ).status_code == 200


async def test_orphan_users_are_visible_only_to_their_creator(
    client: httpx.AsyncClient, world: World
) -> None:
    creator = world.actor(Role.admin, "S11")
    other = world.actor(Role.admin, "S21")  # a cousin unit
    user = await _new_user(client, creator.headers)
    assert (
        await client.get(f"{API}/users/{user['id']}", headers=creator.headers)
    ).status_code == 200
    assert (await client.get(f"{API}/users/{user['id']}", headers=other.headers)).status_code == 404
    prefecture_admin = world.actor(Role.admin, "P")
    assert (
        await client.get(f"{API}/users/{user['id']}", headers=prefecture_admin.headers)
    ).status_code == 404


async def test_duplicate_username_and_grant_conflict(
    client: httpx.AsyncClient, world: World
) -> None:
    admin = world.actor(Role.admin, "C2")
    user = await _new_user(client, admin.headers)
    again = await client.post(
        f"{API}/users",
        json={"username": user["username"].upper(), "display_name": "x", "password": PASSWORD},
        headers=admin.headers,
    )
    assert again.status_code == 409
    body = {"user_id": user["id"], "org_id": str(world.unit("S22").id), "role": "observer"}
    assert (await client.post(f"{API}/grants", json=body, headers=admin.headers)).status_code == 201
    assert (await client.post(f"{API}/grants", json=body, headers=admin.headers)).status_code == 409


async def test_user_changes_are_in_the_audit_of_admins_above(
    client: httpx.AsyncClient, world: World
) -> None:
    street_admin = world.actor(Role.admin, "S12")
    user = await _new_user(client, street_admin.headers)
    county_admin = world.actor(Role.admin, "C1")
    entries = await client.get(
        f"{API}/audit", params={"entity_id": user["id"]}, headers=county_admin.headers
    )
    assert [e["action"] for e in entries.json()["items"]] == ["user.create"]
    cousin_admin = world.actor(Role.admin, "S21")
    hidden = await client.get(
        f"{API}/audit", params={"entity_id": user["id"]}, headers=cousin_admin.headers
    )
    assert hidden.json()["items"] == []


@pytest.mark.parametrize("resource", ["orgs", "users", "grants"])
async def test_creating_posts_honour_idempotency_keys(
    client: httpx.AsyncClient, world: World, resource: str
) -> None:
    admin = world.actor(Role.admin, "C2")
    body: dict[str, Any]
    if resource == "orgs":
        body = {"name": "重试部门", "kind": "department", "parent_id": str(world.unit("C2").id)}
    elif resource == "users":
        body = {
            "username": f"idem-{uuid.uuid4().hex[:8]}",
            "display_name": "x",
            "password": PASSWORD,
        }
    else:
        user = await _new_user(client, admin.headers)
        body = {"user_id": user["id"], "org_id": str(world.unit("S21").id), "role": "officer"}
    headers = {**admin.headers, "Idempotency-Key": uuid.uuid4().hex}
    first = await client.post(f"{API}/{resource}", json=body, headers=headers)
    again = await client.post(f"{API}/{resource}", json=body, headers=headers)
    assert first.status_code == again.status_code == 201, again.text
    assert again.json() == first.json()
    assert again.headers["idempotent-replayed"] == "true"
    changed = {**body, "role": "leader"} if resource == "grants" else {**body, "display_name": "y"}
    if resource == "orgs":
        changed = {**body, "name": "另一个部门"}
    other = await client.post(f"{API}/{resource}", json=changed, headers=headers)
    assert other.status_code == 422
    assert "Idempotency-Key" in other.json()["detail"]


async def test_the_name_filters_of_units_and_users_ignore_case(
    client: httpx.AsyncClient, world: World
) -> None:
    admin = world.actor(Role.admin, "P")
    mark = uuid.uuid4().hex[:8]
    unit = await client.post(
        f"{API}/orgs",
        json={"name": f"Hill-{mark}", "kind": "county", "parent_id": str(world.unit("P").id)},
        headers=admin.headers,
    )
    assert unit.status_code == 201, unit.text
    user = await client.post(
        f"{API}/users",
        json={"username": f"Lin-{mark}", "display_name": "Lin", "password": PASSWORD},
        headers=admin.headers,
    )
    assert user.status_code == 201, user.text
    for typed in (f"hill-{mark}", f"HILL-{mark.upper()}"):
        units = await client.get(f"{API}/orgs", params={"q": typed}, headers=admin.headers)
        assert [u["id"] for u in units.json()["items"]] == [unit.json()["id"]], typed
    for typed in (f"lin-{mark}", f"LIN-{mark.upper()}"):
        users = await client.get(f"{API}/users", params={"q": typed}, headers=admin.headers)
        assert [u["id"] for u in users.json()["items"]] == [user.json()["id"]], typed
