"""The command line: migrate, demo loading and its guards, bootstrap."""

import os
import subprocess
import sys
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import asyncpg
import pytest

from app.auth.passwords import verify_password
from app.core.db_urls import plain_url, with_database
from app.demo.seed import DEMO_PASSWORD, DEMO_USERS, DEPARTMENTS, TASKFORCE_GROUPS

BACKEND = Path(__file__).resolve().parents[1]


@pytest.fixture
async def scratch_database(maintenance_url: str) -> AsyncIterator[str]:
    name = f"liandong_cli_{uuid.uuid4().hex[:8]}"
    conn = await asyncpg.connect(plain_url(maintenance_url))
    await conn.execute(f'CREATE DATABASE "{name}"')
    url = with_database(maintenance_url, name)
    try:
        yield url
    finally:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await conn.close()


def _cli(database_url: str | None, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    """Run `liandong ARGS` (in the folder `CWD` names, if any); DATABASE_URL is unset when
    `database_url` is None."""
    cwd = env.pop("CWD", str(BACKEND))
    inherited = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    database = {"DATABASE_URL": database_url} if database_url else {}
    return subprocess.run(
        [sys.executable, "-m", "app.cli", *args],
        cwd=cwd,
        env={**inherited, "PYTHONPATH": str(BACKEND), **database, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


async def _fetch(database_url: str, sql: str) -> list[asyncpg.Record]:
    conn = await asyncpg.connect(plain_url(database_url))
    try:
        return list(await conn.fetch(sql))
    finally:
        await conn.close()


async def test_demo_loads_the_lanping_chain_with_logins(scratch_database: str) -> None:
    result = _cli(scratch_database, "demo")
    assert result.returncode == 0, result.stderr
    kinds = dict(
        (r["kind"], r["n"])
        for r in await _fetch(
            scratch_database, "SELECT kind, count(*) AS n FROM org_units GROUP BY kind"
        )
    )
    assert kinds["prefecture"] == 1 and kinds["county"] == 1
    assert kinds["street"] >= 2 and kinds["community"] >= 4
    assert kinds["department"] == len(DEPARTMENTS) == 14
    assert kinds["group"] == len(TASKFORCE_GROUPS) == 5
    assert kinds["enterprise"] == 1
    users = {r["username"] for r in await _fetch(scratch_database, "SELECT username FROM users")}
    assert {u[0] for u in DEMO_USERS} <= users
    for required in (
        "prefecture.admin",
        "prefecture.observer",
        "county.admin",
        "county.leader",
        "street.leader",
        "street.officer",
        "community.officer",
        "enterprise.liaison",
        "taskforce.leader",
    ):
        assert required in users

    stored = await _fetch(
        scratch_database, "SELECT password_hash FROM users WHERE username = 'county.admin'"
    )
    assert await verify_password(DEMO_PASSWORD, stored[0]["password_hash"])
    demo_flag = await _fetch(scratch_database, "SELECT value FROM app_meta WHERE key = 'demo_data'")
    assert demo_flag[0]["value"] == "true"


async def test_production_never_loads_demo_data(scratch_database: str) -> None:
    result = _cli(scratch_database, "demo", ENVIRONMENT="production", SECRET_KEY="p" * 40)
    assert result.returncode != 0
    assert "production" in (result.stderr + result.stdout)
    assert await _fetch(scratch_database, "SELECT 1 FROM org_units") == []


async def test_production_refuses_a_short_secret(scratch_database: str) -> None:
    result = _cli(scratch_database, "migrate", ENVIRONMENT="production", SECRET_KEY="short")
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


async def test_bootstrap_creates_root_and_admin_once(scratch_database: str) -> None:
    env = {"LIANDONG_ADMIN_PASSWORD": "first-admin-password"}
    args = ("bootstrap", "--root-name", "怒江傈僳族自治州", "--username", "Root.Admin")
    first = _cli(scratch_database, *args, **env)
    assert first.returncode == 0, first.stderr
    rows = await _fetch(
        scratch_database,
        "SELECT u.username, g.role, o.kind, o.parent_id FROM users u "
        "JOIN grants g ON g.user_id = u.id JOIN org_units o ON o.id = g.org_id",
    )
    assert [(r["username"], r["role"], r["kind"], r["parent_id"]) for r in rows] == [
        ("root.admin", "admin", "prefecture", None)
    ]
    second = _cli(scratch_database, *args, **env)
    assert second.returncode != 0
    assert "already" in second.stderr + second.stdout


async def test_database_url_in_dot_env_is_used(scratch_database: str, tmp_path: Path) -> None:
    """DATABASE_URL set only in `.env` (in the working directory) is the database the
    commands use; no embedded server is started."""
    (tmp_path / ".env").write_text(f"DATABASE_URL={scratch_database}\n")
    data_dir = tmp_path / "data"
    result = _cli(None, "migrate", CWD=str(tmp_path), DATA_DIR=str(data_dir))
    assert result.returncode == 0, result.stderr
    assert await _fetch(scratch_database, "SELECT version_num FROM alembic_version")
    assert not (data_dir / "pg").exists()


async def test_an_operator_runs_a_job_now(scratch_database: str) -> None:
    listed = _cli(None, "jobs", "list")
    assert listed.returncode == 0, listed.stderr
    assert [line.split()[0] for line in listed.stdout.splitlines()] == [
        "chasing_sweep",
        "due_notices",
        "colour_transitions",
        "idempotency_expiry",
        "rollup_compaction",
    ]
    result = _cli(scratch_database, "jobs", "run", "rollup_compaction")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "rollup_compaction: done"
    runs = await _fetch(scratch_database, "SELECT kind, status FROM job_runs")
    assert [(r["kind"], r["status"]) for r in runs] == [("rollup_compaction", "done")]
    unknown = _cli(scratch_database, "jobs", "run", "nothing")
    assert unknown.returncode == 2 and "invalid choice" in unknown.stderr
