"""Login, refresh-token rotation with reuse detection and grace retry, logout, throttling."""

import asyncio
import hashlib
import secrets
from collections.abc import AsyncIterator
from datetime import timedelta

import httpx
import pytest
import sqlalchemy as sa
from sqlmodel import col

from app.access.roles import Role
from app.auth.models import LoginThrottle, RefreshToken
from app.core.config import get_settings
from app.core.db import sessionmaker
from app.grants.models import Grant
from app.main import create_app
from app.users.models import User
from tests.support import PASSWORD, World, make_user

TOKEN = "/api/v1/auth/token"
REFRESH = "/api/v1/auth/refresh"
LOGOUT = "/api/v1/auth/logout"
ME = "/api/v1/me"


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def new_user(world: World, prefix: str = "rt") -> User:
    """A fresh officer at M111 sharing the world's password hash (no extra Argon2 work)."""
    async with sessionmaker()() as session:
        user = await make_user(
            session,
            f"{prefix}.{secrets.token_hex(5)}",
            password_hash=world.actor(Role.officer).user.password_hash,
        )
        session.add(Grant(user_id=user.id, org_id=world.unit("M111").id, role=Role.officer.value))
        await session.commit()
    return user


async def login(
    client: httpx.AsyncClient, username: str, password: str = PASSWORD
) -> httpx.Response:
    return await client.post(TOKEN, data={"username": username, "password": password})


async def login_ok(client: httpx.AsyncClient, username: str) -> dict[str, str]:
    response = await login(client, username)
    assert response.status_code == 200, response.text
    body: dict[str, str] = response.json()
    return body


async def refresh(client: httpx.AsyncClient, token: str) -> httpx.Response:
    return await client.post(REFRESH, json={"refresh_token": token})


async def age_rotation(token: str, seconds: int) -> None:
    """Pretend `token` was rotated `seconds` ago: time travel without sleeping."""
    async with sessionmaker()() as session:
        await session.execute(
            sa.update(RefreshToken)
            .where(col(RefreshToken.token_hash) == token_hash(token))
            .values(rotated_at=col(RefreshToken.rotated_at) - timedelta(seconds=seconds))
        )
        await session.commit()


async def family_size(session_token: str) -> int:
    async with sessionmaker()() as session:
        session_id = (
            await session.execute(
                sa.select(col(RefreshToken.session_id)).where(
                    col(RefreshToken.token_hash) == token_hash(session_token)
                )
            )
        ).scalar_one()
        count: int = (
            await session.execute(
                sa.select(sa.func.count()).where(col(RefreshToken.session_id) == session_id)
            )
        ).scalar_one()
    return count


def assert_problem(response: httpx.Response, status: int) -> None:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert body["status"] == status
    assert {"type", "title", "detail"} <= body.keys()


async def test_login_returns_a_token_pair(client: httpx.AsyncClient, world: World) -> None:
    user = await new_user(world)
    response = await login(client, user.username.upper())  # usernames are case-insensitive
    assert response.status_code == 200, response.text
    body = response.json()
    assert set(body) == {"access_token", "token_type", "expires_in", "refresh_token"}
    assert body["token_type"] == "bearer"
    assert body["expires_in"] == 900
    assert body["refresh_token"] != body["access_token"]
    assert "no-store" in response.headers["cache-control"]
    me = await client.get(ME, headers=bearer(body["access_token"]))
    assert me.status_code == 200, me.text
    assert me.json()["username"] == user.username


async def test_refresh_rotates_and_reuse_after_grace_revokes_the_family(
    client: httpx.AsyncClient, world: World
) -> None:
    user = await new_user(world)
    first = await login_ok(client, user.username)

    rotated = await refresh(client, first["refresh_token"])
    assert rotated.status_code == 200, rotated.text
    second = rotated.json()
    assert second["refresh_token"] != first["refresh_token"]
    assert second["token_type"] == "bearer" and second["expires_in"] == 900
    assert (await client.get(ME, headers=bearer(second["access_token"]))).status_code == 200

    newest = (await refresh(client, second["refresh_token"])).json()
    assert newest["refresh_token"] not in (first["refresh_token"], second["refresh_token"])

    # The first token was rotated long ago: presenting it again is theft or a bug.
    await age_rotation(first["refresh_token"], 31)
    reuse = await refresh(client, first["refresh_token"])
    assert_problem(reuse, 401)

    # The whole family is gone: the newest refresh token and every access token.
    assert_problem(await refresh(client, newest["refresh_token"]), 401)
    for pair in (first, second, newest):
        assert_problem(await client.get(ME, headers=bearer(pair["access_token"])), 401)
    # Other sessions of the same user are untouched.
    other = await login_ok(client, user.username)
    assert (await client.get(ME, headers=bearer(other["access_token"]))).status_code == 200


async def test_old_token_counts_as_used_once_its_successor_was_used(
    client: httpx.AsyncClient, world: World
) -> None:
    """Inside the grace window, but the successor already rotated: that is reuse too."""
    user = await new_user(world)
    first = await login_ok(client, user.username)
    second = (await refresh(client, first["refresh_token"])).json()
    third = await refresh(client, second["refresh_token"])
    assert third.status_code == 200, third.text
    assert_problem(await refresh(client, first["refresh_token"]), 401)
    assert_problem(await refresh(client, third.json()["refresh_token"]), 401)
    assert_problem(await client.get(ME, headers=bearer(third.json()["access_token"])), 401)


async def test_retry_within_grace_returns_the_same_successor(
    client: httpx.AsyncClient, world: World
) -> None:
    user = await new_user(world)
    first = await login_ok(client, user.username)
    a = await refresh(client, first["refresh_token"])
    await age_rotation(first["refresh_token"], 25)  # still inside the 30 s window
    b = await refresh(client, first["refresh_token"])
    assert a.status_code == b.status_code == 200, (a.text, b.text)
    assert a.json()["refresh_token"] == b.json()["refresh_token"]
    assert await family_size(first["refresh_token"]) == 2
    # The successor keeps working, and so does the session.
    c = await refresh(client, b.json()["refresh_token"])
    assert c.status_code == 200, c.text
    assert (await client.get(ME, headers=bearer(c.json()["access_token"]))).status_code == 200


async def test_concurrent_refreshes_yield_one_new_token(
    client: httpx.AsyncClient, world: World
) -> None:
    user = await new_user(world)
    first = await login_ok(client, user.username)
    responses = await asyncio.gather(*(refresh(client, first["refresh_token"]) for _ in range(3)))
    assert [r.status_code for r in responses] == [200, 200, 200], [r.text for r in responses]
    assert len({r.json()["refresh_token"] for r in responses}) == 1
    assert await family_size(first["refresh_token"]) == 2
    successor = responses[0].json()["refresh_token"]
    assert (await refresh(client, successor)).status_code == 200


async def test_logout_revokes_the_family(client: httpx.AsyncClient, world: World) -> None:
    user = await new_user(world)
    first = await login_ok(client, user.username)
    second = (await refresh(client, first["refresh_token"])).json()
    out = await client.post(LOGOUT, headers=bearer(second["access_token"]))
    assert out.status_code == 204, out.text
    assert_problem(await refresh(client, second["refresh_token"]), 401)
    assert_problem(await refresh(client, first["refresh_token"]), 401)  # even within grace
    for pair in (first, second):
        assert_problem(await client.get(ME, headers=bearer(pair["access_token"])), 401)
    assert_problem(await client.post(LOGOUT, headers=bearer(second["access_token"])), 401)


async def test_unknown_expired_and_malformed_refresh_tokens(
    client: httpx.AsyncClient, world: World
) -> None:
    assert_problem(await refresh(client, "rt_" + secrets.token_urlsafe(32)), 401)
    assert_problem(await client.post(REFRESH, json={"refresh_token": ""}), 422)
    assert_problem(await client.post(REFRESH, json={"refresh_token": "x", "user_id": "y"}), 422)
    user = await new_user(world)
    pair = await login_ok(client, user.username)
    async with sessionmaker()() as session:
        await session.execute(
            sa.update(RefreshToken)
            .where(col(RefreshToken.token_hash) == token_hash(pair["refresh_token"]))
            .values(expires_at=sa.func.now() - timedelta(seconds=1))
        )
        await session.commit()
    assert_problem(await refresh(client, pair["refresh_token"]), 401)


async def test_wrong_password_and_unknown_user_look_the_same(
    client: httpx.AsyncClient, world: World
) -> None:
    user = await new_user(world)
    wrong = await login(client, user.username, "not the password")
    unknown = await login(client, f"nobody.{secrets.token_hex(5)}", PASSWORD)
    for response in (wrong, unknown):
        assert_problem(response, 401)
    assert wrong.json() == unknown.json()
    assert wrong.headers.get("www-authenticate") == unknown.headers.get("www-authenticate")


async def throttle_failures(key: str) -> int:
    async with sessionmaker()() as session:
        found = await session.get(LoginThrottle, key)
        return found.failures if found else 0


async def test_per_user_throttle_blocks_even_the_right_password(
    client: httpx.AsyncClient, world: World
) -> None:
    limit = get_settings().login_failures_per_user
    user = await new_user(world)
    for _ in range(limit):
        assert_problem(await login(client, user.username, "wrong password"), 401)
    blocked = await login(client, user.username, "wrong password")
    assert_problem(blocked, 429)
    retry_after = int(blocked.headers["retry-after"])
    assert 0 < retry_after <= get_settings().login_window_seconds + 1
    assert_problem(await login(client, user.username, PASSWORD), 429)
    # The block is per username: other users sign in from the same address.
    other = await new_user(world)
    await login_ok(client, other.username)
    # An unknown username is counted alike, so a block reveals nothing about who exists.
    ghost = f"ghost.{secrets.token_hex(5)}"
    assert_problem(await login(client, ghost, "wrong password"), 401)
    assert await throttle_failures(f"user:{ghost}") == 1


async def test_concurrent_guesses_cannot_outrun_the_per_user_throttle(
    client: httpx.AsyncClient, world: World
) -> None:
    """Many wrong passwords at once: only `limit` of them are even judged."""
    limit = get_settings().login_failures_per_user
    user = await new_user(world)
    responses = await asyncio.gather(
        *(login(client, user.username, f"guess {i}") for i in range(limit + 6))
    )
    statuses = sorted(r.status_code for r in responses)
    assert statuses == [401] * limit + [429] * 6, statuses
    assert await throttle_failures(f"user:{user.username}") == limit


async def test_success_clears_the_per_user_counter(client: httpx.AsyncClient, world: World) -> None:
    limit = get_settings().login_failures_per_user
    user = await new_user(world)
    for _ in range(limit - 1):
        assert_problem(await login(client, user.username, "wrong password"), 401)
    assert await throttle_failures(f"user:{user.username}") == limit - 1
    await login_ok(client, user.username)
    assert await throttle_failures(f"user:{user.username}") == 0
    # A whole new allowance: the next failure starts counting from one again.
    assert_problem(await login(client, user.username, "wrong password"), 401)
    assert await throttle_failures(f"user:{user.username}") == 1


@pytest.fixture
async def other_address() -> AsyncIterator[httpx.AsyncClient]:
    """A client from an address no other test uses, so its failure count starts at zero."""
    address = f"10.77.{secrets.randbelow(250)}.{secrets.randbelow(250) + 1}"
    transport = httpx.ASGITransport(app=create_app(), client=(address, 4321))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
        yield c


async def test_per_address_throttle(other_address: httpx.AsyncClient, world: World) -> None:
    settings = get_settings()
    saved = settings.login_failures_per_address
    settings.login_failures_per_address = 3
    try:
        users = [await new_user(world) for _ in range(4)]
        # Three different usernames, one failure each: no per-user limit is near.
        for user in users[:3]:
            assert_problem(await login(other_address, user.username, "wrong password"), 401)
        blocked = await login(other_address, users[3].username, PASSWORD)
        assert_problem(blocked, 429)
        assert int(blocked.headers["retry-after"]) > 0
        assert_problem(await login(other_address, f"x.{secrets.token_hex(4)}", "nope"), 429)
    finally:
        settings.login_failures_per_address = saved
