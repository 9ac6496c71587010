"""A NUL character (U+0000) anywhere a client sends text is a 422 naming the field, on
every route, and nothing is written (PostgreSQL cannot store NUL in text)."""

import re
import uuid

import httpx
import pytest
import sqlalchemy as sa

from app.access.roles import Role
from app.audit.models import AuditEntry
from app.core.db import sessionmaker
from app.main import create_app
from tests.support import PASSWORD, World
from tests.workitems.helpers import PROBLEM_JSON, headers

DOCUMENT = create_app().openapi()
WRITES = sorted(
    (method.upper(), path)
    for path, operations in DOCUMENT["paths"].items()
    for method in operations
    if method in ("post", "patch", "put")
)
QUERIED = sorted(
    (path, param["name"])
    for path, operations in DOCUMENT["paths"].items()
    for param in operations.get("get", {}).get("parameters", [])
    if param["in"] == "query"
    and "string" in str(param["schema"])
    and "uuid" not in str(param["schema"])
)


async def _audit_count() -> int:
    async with sessionmaker()() as session:
        return int(
            (await session.execute(sa.select(sa.func.count()).select_from(AuditEntry))).scalar_one()
        )


def _url(path: str) -> str:
    return re.sub(r"\{[a-z_]+\}", str(uuid.uuid4()), path)


@pytest.mark.parametrize(("method", "path"), WRITES, ids=[f"{m} {p}" for m, p in WRITES])
async def test_a_nul_in_a_body_is_422_naming_the_field(
    client: httpx.AsyncClient, world: World, method: str, path: str
) -> None:
    before = await _audit_count()
    caller = headers(world, Role.leader, "S11")
    if path == "/api/v1/auth/token":
        response = await client.post(path, data={"username": "a\x00b", "password": PASSWORD})
        field = ["body", "username"]
    else:
        body = {"note": "why\x00not", "items": [{"text": "ok"}, {"text": "\x00"}]}
        response = await client.request(method, _url(path), json=body, headers=caller)
        field = ["body", "note"]
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == PROBLEM_JSON
    locations = [error["loc"] for error in response.json()["errors"]]
    assert field in locations
    if path != "/api/v1/auth/token":
        assert ["body", "items", "1", "text"] in locations
    assert await _audit_count() == before


@pytest.mark.parametrize(("path", "name"), QUERIED, ids=[f"{p}?{n}" for p, n in QUERIED])
async def test_a_nul_in_the_query_is_422_naming_the_parameter(
    client: httpx.AsyncClient, world: World, path: str, name: str
) -> None:
    response = await client.get(
        _url(path), params={name: "a\x00b"}, headers=headers(world, Role.admin, "S11")
    )
    assert response.status_code == 422, response.text
    assert ["query", name] in [error["loc"] for error in response.json()["errors"]]


def test_the_routes_that_take_text_are_all_here() -> None:
    assert ("POST", "/api/v1/tasks/{task_id}/submit") in WRITES
    assert ("POST", "/api/v1/auth/token") in WRITES
    assert ("/api/v1/tasks", "q") in QUERIED
    assert ("/api/v1/audit", "action") in QUERIED
