"""Role x position authorization matrix for the platform-core routes, plus the guard
that every route of the app is declared and covered by some matrix."""

import importlib
import pkgutil
import re
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from fastapi.routing import APIRoute, iter_route_contexts
from sqlmodel import col

import tests
from app.access.deps import PUBLIC, declared_permission
from app.access.roles import Role
from app.core.db import sessionmaker
from app.grants.models import Grant
from app.main import create_app
from app.users.models import User
from tests.authz_matrix import COLLECTION, CORE_ROUTES, POSITIONAL, PUBLIC_ROUTES
from tests.support import (
    CALLER_UNIT,
    POSITION_UNIT,
    POSITIONS,
    ROLES,
    Actor,
    World,
    all_pages,
    make_user,
    reference_subtree_ids,
)


@dataclass(frozen=True)
class AppRoute:
    path: str
    methods: frozenset[str]
    route: APIRoute


def _app_routes() -> list[AppRoute]:
    """Every API route with its full path (FastAPI keeps included routers nested)."""
    found = [
        AppRoute(context.path or "", frozenset(context.methods or ()), context.original_route)
        for context in iter_route_contexts(create_app().routes)
        if isinstance(context.original_route, APIRoute)
    ]
    assert any(r.path == "/api/v1/orgs/{org_id}" for r in found), "route discovery is broken"
    return found


def _all_covered_routes() -> set[tuple[str, str]]:
    """Routes covered by every `authz_matrix` module in the test tree."""
    covered = set(CORE_ROUTES)
    root = Path(tests.__file__).parent
    for info in pkgutil.walk_packages([str(root)], prefix="tests."):
        if info.name.rsplit(".", 1)[-1] == "authz_matrix" and info.name != "tests.authz_matrix":
            module = importlib.import_module(info.name)
            for name, value in vars(module).items():
                if name.endswith("_ROUTES") and isinstance(value, set):
                    covered |= value
    return covered


def test_every_route_declares_a_permission() -> None:
    undeclared = [
        f"{sorted(r.methods)} {r.path}"
        for r in _app_routes()
        if declared_permission(r.route) is None
    ]
    assert undeclared == []


def test_every_route_is_covered_by_an_authorization_matrix() -> None:
    covered = _all_covered_routes()
    missing = sorted(
        f"{method} {route.path}"
        for route in _app_routes()
        for method in route.methods - {"HEAD", "OPTIONS"}
        if (method, route.path) not in covered
    )
    assert missing == []


def test_public_routes_are_exactly_the_declared_public_ones() -> None:
    public = {
        (method, r.path)
        for r in _app_routes()
        for method in r.methods
        if declared_permission(r.route) == PUBLIC
    }
    assert public == PUBLIC_ROUTES


async def test_every_protected_route_needs_a_token(client: httpx.AsyncClient) -> None:
    for route in _app_routes():
        if declared_permission(route.route) == PUBLIC:
            continue
        path = re.sub(r"\{[a-z_]+\}", str(uuid.uuid4()), route.path)
        for method in route.methods:
            response = await client.request(method, path, json={})
            assert response.status_code == 401, (method, route.path, response.text)
            assert response.headers["content-type"] == "application/problem+json"


async def _fresh_user(world: World, creator: Actor) -> User:
    async with sessionmaker()() as session:
        user = await make_user(
            session,
            f"fresh-{uuid.uuid4().hex[:10]}",
            created_by=creator.user.id,
            password_hash="x",
        )
        await session.commit()
        return user


async def _fresh_grant(world: World, unit: str) -> Grant:
    async with sessionmaker()() as session:
        user = await make_user(session, f"holder-{uuid.uuid4().hex[:10]}", password_hash="x")
        grant = Grant(user_id=user.id, org_id=world.unit(unit).id, role=Role.observer.value)
        session.add(grant)
        await session.commit()
        return grant


async def _call(
    client: httpx.AsyncClient, world: World, actor: Actor, route: tuple[str, str], unit: str
) -> httpx.Response:
    method, template = route
    target = world.unit(unit)
    target_user = world.actor(Role.officer, unit).user
    body: dict[str, Any] | None = None
    path = template
    if template.endswith("{org_id}") or template.endswith("{org_id}/tree"):
        path = template.replace("{org_id}", str(target.id))
        if method == "PATCH":
            body = {"name": target.name}
    elif template == "/api/v1/orgs":
        body = {
            "name": f"dept-{uuid.uuid4().hex[:6]}",
            "kind": "department",
            "parent_id": str(target.id),
        }
    elif "{user_id}" in template:
        path = template.replace("{user_id}", str(target_user.id))
        if method == "PATCH":
            body = {"display_name": target_user.display_name}
    elif template == "/api/v1/grants":
        fresh = await _fresh_user(world, actor)
        body = {"user_id": str(fresh.id), "org_id": str(target.id), "role": "observer"}
    elif "{grant_id}" in template:
        grant = await _fresh_grant(world, unit)
        path = template.replace("{grant_id}", str(grant.id))
    return await client.request(method, path, json=body, headers=actor.headers)


POSITIONAL_CASES = [
    pytest.param(route, role, position, id=f"{route[0]} {route[1]} {role.value}@{position}")
    for route in POSITIONAL
    for role in ROLES
    for position in POSITIONS
]


@pytest.mark.parametrize(("route", "role", "position"), POSITIONAL_CASES)
async def test_positional_matrix(
    client: httpx.AsyncClient,
    world: World,
    route: tuple[str, str],
    role: Role,
    position: str,
) -> None:
    actor = world.actor(role, CALLER_UNIT)
    response = await _call(client, world, actor, route, POSITION_UNIT[position])
    expected = POSITIONAL[route](role, position)
    assert response.status_code == expected, response.text
    if expected >= 400:
        assert response.headers["content-type"] == "application/problem+json"


COLLECTION_CASES = [
    pytest.param(route, role, id=f"{route[0]} {route[1]} {role.value}")
    for route in COLLECTION
    for role in ROLES
]


@pytest.mark.parametrize(("route", "role"), COLLECTION_CASES)
async def test_collection_matrix(
    client: httpx.AsyncClient, world: World, route: tuple[str, str], role: Role
) -> None:
    method, path = route
    actor = world.actor(role, CALLER_UNIT)
    headers = actor.headers
    body: dict[str, Any] | None = None
    if path == "/api/v1/users" and method == "POST":
        body = {
            "username": f"new-{uuid.uuid4().hex[:8]}",
            "display_name": "新用户",
            "password": "a-long-password",
        }
    response = await client.request(method, path, json=body, headers=headers)
    if role in COLLECTION[route]:
        assert response.status_code in (200, 201, 204), response.text
    else:
        assert response.status_code == 403, response.text


async def _scope_ids(world: World, unit: str) -> set[uuid.UUID]:
    return await reference_subtree_ids([world.unit(unit).id])


@pytest.mark.parametrize("role", ROLES, ids=[r.value for r in ROLES])
@pytest.mark.parametrize("unit", ["S11", "C1", "M111", "D1", "T1", "X"])
async def test_org_list_is_exactly_the_subtree(
    client: httpx.AsyncClient, world: World, role: Role, unit: str
) -> None:
    actor = world.actor(role, unit)
    listed = await all_pages(client, "/api/v1/orgs", actor.headers)
    ids = [uuid.UUID(o["id"]) for o in listed]
    assert len(ids) == len(set(ids)), "pagination repeated a unit"
    assert set(ids) == await _scope_ids(world, unit)


async def test_org_list_filters_stay_inside_scope(client: httpx.AsyncClient, world: World) -> None:
    actor = world.actor(Role.officer, "C1")
    streets = await all_pages(client, "/api/v1/orgs", actor.headers, kind="street")
    assert {o["name"].split("-")[0] for o in streets} >= {"S11", "S12"}
    assert all(o["kind"] == "street" for o in streets)
    assert "S21" not in {o["name"].split("-")[0] for o in streets}
    children = await all_pages(
        client, "/api/v1/orgs", actor.headers, parent_id=str(world.unit("P").id)
    )
    # Of P's children only C1 itself is in scope; C2 is a sibling.
    assert [o["id"] for o in children] == [str(world.unit("C1").id)]
    named = await all_pages(client, "/api/v1/orgs", actor.headers, q="M11")
    assert {o["name"].split("-")[0] for o in named} == {"M111", "M112"}


async def test_tree_nests_exactly_the_subtree(client: httpx.AsyncClient, world: World) -> None:
    actor = world.actor(Role.observer, "C1")
    response = await client.get(f"/api/v1/orgs/{world.unit('C1').id}/tree", headers=actor.headers)
    assert response.status_code == 200

    def walk(node: dict[str, Any], parent: str | None) -> set[uuid.UUID]:
        assert node["parent_id"] == parent or parent is None
        found = {uuid.UUID(node["id"])}
        for child in node["children"]:
            found |= walk(child, node["id"])
        return found

    assert walk(response.json(), None) == await _scope_ids(world, "C1")


@pytest.mark.parametrize("unit", ["S11", "C1", "P"])
async def test_user_list_is_grant_holders_in_scope_plus_own_orphans(
    client: httpx.AsyncClient, world: World, unit: str
) -> None:
    admin = world.actor(Role.admin, unit)
    orphan = await _fresh_user(world, admin)
    scope = await _scope_ids(world, unit)
    async with sessionmaker()() as session:
        holders = set(
            (
                await session.execute(
                    sa.select(col(Grant.user_id)).where(col(Grant.org_id).in_(scope))
                )
            ).scalars()
        )
        orphans = set(
            (
                await session.execute(
                    sa.select(col(User.id)).where(
                        col(User.created_by) == admin.user.id,
                        ~sa.exists().where(col(Grant.user_id) == col(User.id)),
                    )
                )
            ).scalars()
        )
    listed = await all_pages(client, "/api/v1/users", admin.headers)
    assert orphan.id in orphans
    assert {uuid.UUID(u["id"]) for u in listed} == holders | orphans


@pytest.mark.parametrize("unit", ["S11", "C2"])
async def test_grant_list_is_exactly_grants_in_scope(
    client: httpx.AsyncClient, world: World, unit: str
) -> None:
    admin = world.actor(Role.admin, unit)
    scope = await _scope_ids(world, unit)
    async with sessionmaker()() as session:
        expected = set(
            (
                await session.execute(sa.select(col(Grant.id)).where(col(Grant.org_id).in_(scope)))
            ).scalars()
        )
    listed = await all_pages(client, "/api/v1/grants", admin.headers)
    assert {uuid.UUID(g["id"]) for g in listed} == expected


async def test_audit_list_stays_in_scope(client: httpx.AsyncClient, world: World) -> None:
    leader = world.actor(Role.leader, "S11")
    scope_paths = [tuple(world.unit("S11").path)]
    entries = await all_pages(client, "/api/v1/audit", leader.headers, entity_type="org")
    assert entries, "org creations under S11 are audited"
    for entry in entries:
        org_id = uuid.UUID(entry["entity_id"])
        assert org_id in await _scope_ids(world, "S11"), (entry, scope_paths)
