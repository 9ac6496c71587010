"""Every route's declared permission is enforced by its own dependency, not only by the
service behind it; and a route that names a target never answers 403 for a target
outside the caller's scope (that would tell them it exists).

The role table is data: each test lends the caller's role exactly the permissions it
needs, for that test only, and calls every route of the app.
"""

import re
import uuid
from typing import Any

import httpx
import pytest
from fastapi.routing import APIRoute, iter_route_contexts
from starlette.requests import Request

from app.access.deps import AUTHENTICATED, PUBLIC, PermissionGate
from app.access.roles import ROLE_PERMISSIONS, Perm, Role
from app.core.db import sessionmaker
from app.core.errors import NotFound
from app.grants.models import Grant
from app.main import create_app
from tests.support import World, make_user
from tests.workitems.helpers import PROBLEM_JSON, insert_issue, insert_task

EVERYTHING = frozenset(Perm)
CALLER_UNIT = "S11"


def _gated_routes() -> list[tuple[str, str, PermissionGate]]:
    """(method, path, gate) of every route whose dependency checks a permission."""
    found = []
    for context in iter_route_contexts(create_app().routes):
        route = context.original_route
        if not isinstance(route, APIRoute):
            continue
        stack, gate = [route.dependant], None
        while stack and gate is None:
            dependant = stack.pop()
            if isinstance(dependant.call, PermissionGate):
                gate = dependant.call
            stack.extend(dependant.dependencies)
        if gate is None or gate.permission in (AUTHENTICATED, PUBLIC):
            continue
        for method in sorted((context.methods or set()) - {"HEAD"}):
            found.append((method, context.path or "", gate))
    assert len(found) > 40, "route discovery is broken"
    return found


GATED = _gated_routes()
TARGETED = [(m, p, g) for m, p, g in GATED if g.target is not None]


async def _targets(world: World, unit: str) -> dict[str, str]:
    """An object of each kind that path and query parameters name, at `unit`."""
    task = await insert_task(world, unit, "M111")
    issue = await insert_issue(world, "M111", unit)
    async with sessionmaker()() as session:
        holder = await make_user(session, f"gate-{uuid.uuid4().hex[:8]}", password_hash="x")
        grant = Grant(user_id=holder.id, org_id=world.unit(unit).id, role=Role.observer.value)
        session.add(grant)
        await session.commit()
    return {
        "task_id": str(task),
        "issue_id": str(issue),
        "org_id": str(world.unit(unit).id),
        "grant_id": str(grant.id),
        "user_id": str(holder.id),
        "notification_id": str(uuid.uuid4()),
    }


def _url(path: str, gate: PermissionGate, targets: dict[str, str]) -> tuple[str, dict[str, str]]:
    url = re.sub(r"\{([a-z_]+)\}", lambda m: targets[m.group(1)], path)
    query = {}
    if gate.target is not None and f"{{{gate.target.param}}}" not in path:
        query[gate.target.param] = targets[gate.target.param]
    return url, query


def _lend(monkeypatch: pytest.MonkeyPatch, role: Role, perms: frozenset[Perm]) -> None:
    monkeypatch.setitem(ROLE_PERMISSIONS, role, perms)


@pytest.mark.parametrize(("method", "path", "gate"), GATED, ids=[f"{m} {p}" for m, p, _ in GATED])
async def test_the_dependency_refuses_without_the_permission(
    client: httpx.AsyncClient,
    world: World,
    monkeypatch: pytest.MonkeyPatch,
    method: str,
    path: str,
    gate: PermissionGate,
) -> None:
    """A caller who lacks the route's permission is stopped by the route's dependency:
    403 naming that permission, whatever the service would say. Where the permission is
    the one that reads the target, the caller cannot read it: the dependency itself
    answers 404."""
    targets = await _targets(world, CALLER_UNIT)
    _lend(monkeypatch, Role.leader, EVERYTHING - {Perm(gate.permission)})
    url, query = _url(path, gate, targets)
    caller = world.actor(Role.leader, CALLER_UNIT)
    if gate.target is not None and gate.target.read_perm == gate.permission:
        scope = {
            "type": "http",
            "path_params": {gate.target.param: targets[gate.target.param]},
            "query_string": b"",
            "headers": [],
        }
        with pytest.raises(NotFound):
            await gate(Request(scope), caller.token)
        return
    response = await client.request(method, url, params=query, json={}, headers=caller.headers)
    assert response.status_code == 403, response.text
    assert response.headers["content-type"] == PROBLEM_JSON
    assert response.json()["required_permission"] == gate.permission


@pytest.mark.parametrize(
    ("method", "path", "gate"), TARGETED, ids=[f"{m} {p}" for m, p, _ in TARGETED]
)
@pytest.mark.parametrize("lent", ["every permission", "none"])
async def test_a_target_out_of_scope_is_not_found_never_forbidden(
    client: httpx.AsyncClient,
    world: World,
    monkeypatch: pytest.MonkeyPatch,
    method: str,
    path: str,
    gate: PermissionGate,
    lent: str,
) -> None:
    """Targets under street S11; the caller's grant is at the sibling street S12."""
    targets = await _targets(world, CALLER_UNIT)
    _lend(monkeypatch, Role.leader, EVERYTHING if lent == "every permission" else frozenset())
    url, query = _url(path, gate, targets)
    response = await client.request(
        method, url, params=query, json={}, headers=world.actor(Role.leader, "S12").headers
    )
    assert response.status_code == 404, response.text
    assert response.headers["content-type"] == PROBLEM_JSON


def test_every_route_on_one_object_names_its_target() -> None:
    """A route with an object's id in its path checks its permission at that object."""
    unnamed: list[Any] = [
        f"{m} {p}"
        for m, p, g in GATED
        if g.target is None and re.search(r"\{(task|issue|org|grant)_id\}", p)
    ]
    assert unnamed == []
