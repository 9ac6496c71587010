"""`GET /me/todo` for every demo user equals the to-do worked out in Python from the lists
they see (tests/todo/reference.py); each count equals its filtered list (`?todo=kind`),
and the items page to their end. The demo is loaded into a scratch database named after
the test database, and served by a server of its own."""

import asyncio
import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest

from app.core.db_urls import database_name, plain_url, with_database
from app.demo.seed import DEMO_PASSWORD
from tests.test_two_workers import _free_port
from tests.todo.reference import CHASE_KINDS, RULES, Tree, reference_todo

BACKEND = Path(__file__).resolve().parents[2]


async def _on_server(maintenance_url: str, statement: str) -> None:
    admin = await asyncpg.connect(plain_url(maintenance_url))
    try:
        await admin.execute(statement)
    finally:
        await admin.close()


@pytest.fixture(scope="module")
def demo_url(maintenance_url: str, database_url: str) -> Iterator[str]:
    name = f"{database_name(database_url)}_demo_{uuid.uuid4().hex[:8]}"
    asyncio.run(_on_server(maintenance_url, f'CREATE DATABASE "{name}"'))
    url = with_database(maintenance_url, name)
    try:
        result = subprocess.run(
            [sys.executable, "-m", "app.cli", "demo"],
            cwd=BACKEND,
            env={**os.environ, "DATABASE_URL": url},
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert result.returncode == 0, result.stderr
        yield url
    finally:
        asyncio.run(_on_server(maintenance_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture(scope="module")
def demo_server(demo_url: str) -> Iterator[str]:
    port = _free_port()
    env = {**os.environ, "DATABASE_URL": demo_url, "RUN_WORKER": "false"}
    process = subprocess.Popen(
        [
            sys.executable,
            *("-m", "uvicorn", "app.main:create_app", "--factory", "--host", "127.0.0.1"),
            *("--port", str(port), "--log-level", "warning"),
        ],
        cwd=BACKEND,
        env=env,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                if httpx.get(f"{base}/api/v1/health", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            process.poll()
            assert process.returncode is None, "the demo server stopped"
            subprocess.run(["sleep", "0.2"], check=True)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=30)


async def _pages(web: httpx.AsyncClient, url: str, **params: Any) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    cursor = None
    while True:
        query = {"limit": 200, **params, **({"cursor": cursor} if cursor else {})}
        response = await web.get(url, params=query)
        assert response.status_code == 200, response.text
        body = response.json()
        items.extend(body["items"])
        cursor = body["next_cursor"]
        if cursor is None:
            return items


async def _tree(demo_url: str) -> tuple[Tree, list[str]]:
    conn = await asyncpg.connect(plain_url(demo_url))
    try:
        units = [
            (r["id"], r["parent_id"], r["kind"])
            for r in await conn.fetch("SELECT id, parent_id, kind FROM org_units")
        ]
        grants = await conn.fetch(
            "SELECT g.org_id, g.role, u.is_active, u.username"
            " FROM grants g JOIN users u ON u.id = g.user_id"
        )
    finally:
        await conn.close()
    tree = Tree.of(units, [(g["org_id"], g["role"], g["is_active"]) for g in grants])
    users = sorted({g["username"] for g in grants if g["is_active"]})
    return tree, users


async def test_every_demo_users_todo_is_exact(demo_url: str, demo_server: str) -> None:
    tree, usernames = await _tree(demo_url)
    assert len(usernames) > 10
    seen_kinds: set[str] = set()
    # A few people at a time: the server answers one while another's pages are read.
    turns = asyncio.Semaphore(4)

    async def check(username: str) -> None:
        async with turns, httpx.AsyncClient(base_url=demo_server, timeout=60) as web:
            login = await web.post(
                "/api/v1/auth/token", data={"username": username, "password": DEMO_PASSWORD}
            )
            assert login.status_code == 200, (username, login.text)
            web.headers["Authorization"] = f"Bearer {login.json()['access_token']}"
            me = (await web.get("/api/v1/me")).json()
            tasks = await _pages(web, "/api/v1/tasks")
            issues = await _pages(web, "/api/v1/issues")
            notifications = await _pages(web, "/api/v1/notifications")
            items_by_type = {"task": tasks, "issue": issues}
            want = reference_todo(tree, me["grants"], items_by_type, notifications)
            # Page through the to-do in small pages: every item once, by due date.
            first = await web.get("/api/v1/me/todo", params={"limit": 3})
            assert first.status_code == 200, first.text
            counts = first.json()["counts"]
            items = await _pages(web, "/api/v1/me/todo", limit=3)
            got = [(i["kind"], i["item_id"]) for i in items]
            assert len(got) == len(set(got)), username
            assert set(got) == want, username
            keys = [(i["due_at"], i["kind"], i["item_id"]) for i in items]
            assert [k[0] for k in keys] == sorted(k[0] for k in keys), username
            assert set(counts) == {*RULES, *CHASE_KINDS}, username
            colours: dict[str, str] = {}
            # The chasing ladder's kinds are on both lists; the count is theirs together.
            each_kind = [(kind, [rule.item_type]) for kind, rule in RULES.items()]
            each_kind += [(kind, ["task", "issue"]) for kind in CHASE_KINDS]
            for kind, item_types in each_kind:
                listed = [
                    item
                    for item_type in item_types
                    for item in await _pages(web, f"/api/v1/{item_type}s", todo=kind)
                ]
                colours.update({i["id"]: i["colour"] for i in listed})
                ids = {i["id"] for i in listed}
                assert counts[kind] == len(listed) == len(ids), (username, kind)
                assert ids == {i for k, i in got if k == kind}, (username, kind)
                if ids and kind not in seen_kinds:  # `kind=` once per kind across users
                    seen_kinds.add(kind)
                    only = await _pages(web, "/api/v1/me/todo", kind=kind)
                    assert {i["item_id"] for i in only} == ids, (username, kind)
            # The to-do shows each item in the colour its list shows.
            for item in items:
                assert item["colour"] == colours[item["item_id"]], (username, item)

    await asyncio.gather(*(check(username) for username in usernames))
    # The demo exercises most kinds (a reissue may not be waiting in it), and the
    # chasing ladder's for some login.
    assert {"accept", "work", "verify", "handle", "confirm", *CHASE_KINDS} <= seen_kinds
