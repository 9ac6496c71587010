"""The app behaves the same under two worker processes: shared state lives in PostgreSQL."""

import asyncio
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from app.auth.passwords import hash_password
from app.core.config import get_settings
from app.core.db import sessionmaker
from tests.support import PASSWORD, make_user

BACKEND = Path(__file__).resolve().parents[1]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    port = _free_port()
    env = {**os.environ, "LOGIN_FAILURES_PER_ADDRESS": "1000000"}
    process = subprocess.Popen(
        [
            sys.executable,
            *("-m", "uvicorn", "app.main:create_app", "--factory", "--host", "127.0.0.1"),
            *("--port", str(port), "--workers", "2", "--log-level", "warning"),
        ],
        cwd=BACKEND,
        env=env,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{base}/api/v1/health", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.2)
        else:
            raise RuntimeError("the two-worker server did not start")
        yield base
    finally:
        process.terminate()
        process.wait(timeout=30)


def _fresh_connection(base: str) -> httpx.AsyncClient:
    # No keep-alive: every request is a new connection, which either worker may accept.
    return httpx.AsyncClient(base_url=base, limits=httpx.Limits(max_keepalive_connections=0))


async def _user(unique: str) -> str:
    async with sessionmaker()() as session:
        user = await make_user(
            session, f"workers-{unique}", password_hash=await hash_password(PASSWORD)
        )
        await session.commit()
        return user.username


async def test_failed_logins_are_counted_across_workers(server: str, unique: str) -> None:
    username = await _user(unique)
    limit = get_settings().login_failures_per_user
    async with _fresh_connection(server) as web:
        for _ in range(limit):
            wrong = await web.post(
                "/api/v1/auth/token", data={"username": username, "password": "wrong-password"}
            )
            assert wrong.status_code == 401
        blocked = await web.post(
            "/api/v1/auth/token", data={"username": username, "password": PASSWORD}
        )
    assert blocked.status_code == 429
    assert int(blocked.headers["retry-after"]) > 0


async def test_refresh_rotation_and_reuse_detection_across_workers(
    server: str, unique: str
) -> None:
    username = await _user(unique)
    async with _fresh_connection(server) as web:
        login = await web.post(
            "/api/v1/auth/token", data={"username": username, "password": PASSWORD}
        )
        first = login.json()["refresh_token"]
        # Concurrent refreshes of one token on separate connections: one new token.
        answers = await asyncio.gather(
            *[web.post("/api/v1/auth/refresh", json={"refresh_token": first}) for _ in range(4)]
        )
        assert {a.status_code for a in answers} == {200}
        successors = {a.json()["refresh_token"] for a in answers}
        assert len(successors) == 1
        second = successors.pop()
        third = await web.post("/api/v1/auth/refresh", json={"refresh_token": second})
        assert third.status_code == 200
        # `first` is now two rotations old: reusing it revokes the family everywhere.
        reuse = await web.post("/api/v1/auth/refresh", json={"refresh_token": first})
        assert reuse.status_code == 401
        latest = await web.post(
            "/api/v1/auth/refresh", json={"refresh_token": third.json()["refresh_token"]}
        )
        assert latest.status_code == 401
        me = await web.get(
            "/api/v1/me", headers={"Authorization": f"Bearer {third.json()['access_token']}"}
        )
        assert me.status_code == 401
