"""Every error is RFC 9457 problem+json, never a stack trace or SQL; every response has an id."""

import re
import secrets
import uuid
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert

from app.access.deps import Public
from app.access.roles import Role
from app.auth.models import LoginThrottle
from app.core.config import get_settings
from app.core.db import SessionDep, sessionmaker
from app.core.models import utcnow
from app.main import create_app
from tests.support import World

LEAKS = (
    "Traceback",
    'File "',
    "sqlalchemy",
    "asyncpg",
    "psycopg",
    "IntegrityError",
    "UniqueViolation",
    "SELECT ",
    "INSERT ",
    "UPDATE ",
    "DELETE ",
    "duplicate key",
    "violates",
    "/app/",
    ".py",
)
GENERATED_ID = re.compile(r"^[0-9a-f]{32}$")


def assert_problem(response: httpx.Response, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json", response.headers
    body: dict[str, Any] = response.json()
    assert isinstance(body["type"], str) and body["type"]
    assert isinstance(body["title"], str) and body["title"]
    assert body["status"] == status
    assert isinstance(body["detail"], str) and body["detail"]
    for leak in LEAKS:
        assert leak not in response.text, (leak, response.text)
    assert response.headers.get("x-request-id"), "every response carries X-Request-ID"
    return body


async def test_401_without_or_with_a_bad_token(client: httpx.AsyncClient) -> None:
    assert_problem(await client.get("/api/v1/orgs"), 401)
    response = await client.get("/api/v1/me", headers={"Authorization": "Bearer nope"})
    assert_problem(response, 401)
    assert response.headers["www-authenticate"] == "Bearer"


async def test_403_when_the_role_does_not_allow_it(client: httpx.AsyncClient, world: World) -> None:
    officer = world.actor(Role.officer).headers
    assert_problem(await client.get("/api/v1/users", headers=officer), 403)
    assert_problem(await client.get("/api/v1/audit", headers=officer), 403)


async def test_404_unknown_route_and_unknown_id(client: httpx.AsyncClient, world: World) -> None:
    admin = world.actor(Role.admin).headers
    assert_problem(await client.get("/api/v1/no-such-thing", headers=admin), 404)
    assert_problem(await client.get("/api"), 404)
    assert_problem(await client.post("/api/v1/no-such-thing", headers=admin, json={}), 404)
    for kind in ("orgs", "users"):
        assert_problem(await client.get(f"/api/v1/{kind}/{uuid.uuid4()}", headers=admin), 404)
    assert_problem(await client.delete(f"/api/v1/grants/{uuid.uuid4()}", headers=admin), 404)
    # Out of scope looks exactly like absent.
    outside = await client.get(f"/api/v1/orgs/{world.unit('S12').id}", headers=admin)
    absent = await client.get(f"/api/v1/orgs/{uuid.uuid4()}", headers=admin)
    assert assert_problem(outside, 404)["detail"] == assert_problem(absent, 404)["detail"]


async def test_405_wrong_method(client: httpx.AsyncClient, world: World) -> None:
    admin = world.actor(Role.admin).headers
    response = await client.delete("/api/v1/orgs", headers=admin)
    assert_problem(response, 405)
    assert "GET" in response.headers["allow"]
    assert_problem(await client.put(f"/api/v1/users/{uuid.uuid4()}", headers=admin, json={}), 405)


async def test_409_duplicate_username_and_duplicate_grant(
    client: httpx.AsyncClient, world: World
) -> None:
    admin = world.actor(Role.admin).headers
    taken = world.actor(Role.officer, "M111").user
    response = await client.post(
        "/api/v1/users",
        headers=admin,
        json={"username": taken.username, "display_name": "Dup", "password": "long enough pw"},
    )
    assert_problem(response, 409)
    response = await client.post(
        "/api/v1/grants",
        headers=admin,
        json={"user_id": str(taken.id), "org_id": str(world.unit("M111").id), "role": "officer"},
    )
    assert_problem(response, 409)


async def test_413_by_content_length(client: httpx.AsyncClient, world: World) -> None:
    limit = get_settings().max_body_bytes
    admin = world.actor(Role.admin).headers
    body = b'{"name": "' + b"x" * limit + b'"}'
    response = await client.post(
        "/api/v1/users", headers={**admin, "Content-Type": "application/json"}, content=body
    )
    assert_problem(response, 413)
    response = await client.post(
        "/api/v1/auth/token",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
        content=b"username=a&password=" + b"x" * limit,
    )
    assert_problem(response, 413)


async def _chunks(total: int, size: int = 64 * 1024) -> AsyncIterator[bytes]:
    yield b'{"display_name": "'
    sent = 0
    filler = total - len(b'{"display_name": "') - len(b'"}')
    while sent < filler:
        step = min(size, filler - sent)
        yield b"x" * step
        sent += step
    yield b'"}'


async def test_413_streamed_without_content_length(client: httpx.AsyncClient, world: World) -> None:
    limit = get_settings().max_body_bytes
    admin = world.actor(Role.admin).headers
    headers = {**admin, "Content-Type": "application/json"}
    url = f"/api/v1/users/{world.actor(Role.officer, 'M111').user.id}"
    request = client.build_request("PATCH", url, headers=headers, content=_chunks(limit + 1))
    assert "content-length" not in request.headers
    assert request.headers["transfer-encoding"] == "chunked"
    assert_problem(await client.send(request), 413)
    # The same on the form endpoint.
    form = client.build_request(
        "POST",
        "/api/v1/auth/token",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
        content=_chunks(limit + 1),
    )
    assert_problem(await client.send(form), 413)


async def test_a_body_of_exactly_the_limit_is_not_413(
    client: httpx.AsyncClient, world: World
) -> None:
    limit = get_settings().max_body_bytes
    admin = world.actor(Role.admin).headers
    headers = {**admin, "Content-Type": "application/json"}
    url = f"/api/v1/users/{world.actor(Role.officer, 'M111').user.id}"
    streamed = client.build_request("PATCH", url, headers=headers, content=_chunks(limit))
    # Too long a display name: judged by validation, not refused for its size.
    assert_problem(await client.send(streamed), 422)
    whole = b"".join([chunk async for chunk in _chunks(limit)])
    assert len(whole) == limit
    assert_problem(await client.patch(url, headers=headers, content=whole), 422)


async def test_415_wrong_content_type(client: httpx.AsyncClient, world: World) -> None:
    admin = world.actor(Role.admin).headers
    response = await client.post(
        "/api/v1/users",
        headers={**admin, "Content-Type": "text/plain"},
        content=b'{"username": "a", "display_name": "a", "password": "aaaaaaaa"}',
    )
    assert_problem(response, 415)
    response = await client.post("/api/v1/auth/token", json={"username": "a", "password": "b"})
    assert_problem(response, 415)
    # A body with no content type at all is not JSON either.
    response = await client.post("/api/v1/grants", headers=admin, content=b"{}")
    assert "content-type" not in response.request.headers
    assert_problem(response, 415)


async def test_422_validation_lists_errors(client: httpx.AsyncClient, world: World) -> None:
    admin = world.actor(Role.admin).headers
    response = await client.post(
        "/api/v1/users",
        headers=admin,
        json={"username": "Not Valid!", "display_name": "", "password": "Qz7$k"},
    )
    body = assert_problem(response, 422)
    errors = body["errors"]
    assert isinstance(errors, list) and errors
    fields = {err["loc"][-1] for err in errors}
    assert {"username", "display_name", "password"} <= fields
    for err in errors:
        assert set(err) == {"loc", "msg", "type"}  # no `input`: passwords are not echoed
    assert "Qz7$k" not in response.text

    malformed = await client.post(
        "/api/v1/orgs", headers={**admin, "Content-Type": "application/json"}, content=b"{nope"
    )
    assert assert_problem(malformed, 422)["errors"]
    bad_id = await client.get("/api/v1/orgs/not-a-uuid", headers=admin)
    assert assert_problem(bad_id, 422)["errors"]


@pytest.mark.parametrize("route", ["orgs", "users", "grants", "audit"])
async def test_422_limit_over_200(client: httpx.AsyncClient, world: World, route: str) -> None:
    admin = world.actor(Role.admin).headers
    body = assert_problem(await client.get(f"/api/v1/{route}?limit=201", headers=admin), 422)
    assert any(err["loc"][-1] == "limit" for err in body["errors"])
    assert (await client.get(f"/api/v1/{route}?limit=200", headers=admin)).status_code == 200
    assert_problem(await client.get(f"/api/v1/{route}?limit=0", headers=admin), 422)
    assert_problem(await client.get(f"/api/v1/{route}?cursor=%%%", headers=admin), 422)


async def test_429_throttled_login(client: httpx.AsyncClient) -> None:
    username = f"blocked.{secrets.token_hex(5)}"
    limit = get_settings().login_failures_per_user
    async with sessionmaker()() as session:
        await session.execute(
            insert(LoginThrottle).values(
                key=f"user:{username}", failures=limit, window_started_at=utcnow()
            )
        )
        await session.commit()
    response = await client.post(
        "/api/v1/auth/token", data={"username": username, "password": "whatever"}
    )
    assert_problem(response, 429)
    assert int(response.headers["retry-after"]) > 0


@pytest.fixture(scope="module")
async def exploding() -> AsyncIterator[httpx.AsyncClient]:
    app = create_app()

    async def boom() -> None:
        raise RuntimeError("kaboom: secret internals /srv/app/secret.py line 42")

    async def bad_sql(session: SessionDep) -> None:
        await session.execute(sa.text("SELECT secret_column FROM no_such_table_for_sure"))

    app.add_api_route("/api/v1/boom", boom, methods=["GET", "POST"], dependencies=[Public])
    app.add_api_route("/api/v1/bad-sql", bad_sql, methods=["GET"], dependencies=[Public])
    # Ahead of the catch-all SPA mount (when the frontend is built), like the real routes.
    routes = app.router.routes
    routes[:0] = [routes.pop(), routes.pop()]
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
        yield c


async def test_500_is_a_problem_without_internals(exploding: httpx.AsyncClient) -> None:
    for response in (
        await exploding.get("/api/v1/boom"),
        await exploding.post("/api/v1/boom", json={"a": 1}),
        await exploding.get("/api/v1/bad-sql"),
    ):
        assert_problem(response, 500)
        for secret in ("kaboom", "secret", "RuntimeError", "no_such_table", "42"):
            assert secret not in response.text, response.text
    response = await exploding.get("/api/v1/boom", headers={"X-Request-ID": "trace-500"})
    assert_problem(response, 500)
    assert response.headers["x-request-id"] == "trace-500"


async def test_every_response_carries_a_request_id(client: httpx.AsyncClient, world: World) -> None:
    admin = world.actor(Role.admin).headers
    responses = [
        await client.get("/api/v1/health"),
        await client.get("/api/v1/me", headers=admin),
        await client.get("/api/v1/orgs"),
        await client.get("/api/v1/nowhere"),
        await client.delete("/api/v1/orgs", headers=admin),
        await client.post("/api/v1/orgs", headers=admin, json={"nope": 1}),
    ]
    ids = [r.headers.get("x-request-id") for r in responses]
    assert all(i and GENERATED_ID.fullmatch(i) for i in ids), ids
    assert len(set(ids)) == len(ids)


@pytest.mark.parametrize(
    "incoming", ["abc-123", "req.42:7_x", "0f" * 16, "A" * 128, str(uuid.uuid4())]
)
async def test_a_safe_request_id_is_echoed(client: httpx.AsyncClient, incoming: str) -> None:
    for response in (
        await client.get("/api/v1/health", headers={"X-Request-ID": incoming}),
        await client.get("/api/v1/me", headers={"X-Request-ID": incoming}),
    ):
        assert response.headers["x-request-id"] == incoming


@pytest.mark.parametrize(
    "incoming",
    ["", "has space", "<script>", "a" * 129, "semi;colon", "tab\tin", "ünï", "abc\n", "\nabc"],
)
async def test_an_unsafe_request_id_is_replaced(client: httpx.AsyncClient, incoming: str) -> None:
    headers = [(b"X-Request-ID", incoming.encode())]
    response = await client.get("/api/v1/health", headers=headers)
    assert response.status_code == 200
    assert GENERATED_ID.fullmatch(response.headers["x-request-id"])
    assert response.headers.get_list("x-request-id") == [response.headers["x-request-id"]]
