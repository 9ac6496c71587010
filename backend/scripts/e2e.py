"""Run the browser suite against a real server on a fresh demo database.

Creates a database next to the test database (TEST_DATABASE_URL's server, named after
that database with `_e2e`; or `liandong_e2e` on the embedded server), starts
`liandong serve` on a free 127.0.0.1 port, runs `npm run e2e` in frontend/ with BASE_URL
set, stops the server and drops the database. Runs against different test databases on
one server do not collide.
"""

import asyncio
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import asyncpg

from app.core.db_urls import database_name, with_database

REPO = Path(__file__).resolve().parents[2]


def maintenance_url_and_name() -> tuple[str, str]:
    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        return with_database(url, "postgres"), f"{database_name(url)}_e2e"
    from app.core.embedded_pg import start_embedded

    data = Path(os.environ.get("DATA_DIR", REPO / ".data")) / "test-pg"
    return start_embedded(data, "postgres"), "liandong_e2e"


async def recreate(maintenance: str, name: str) -> str:
    conn = await asyncpg.connect(maintenance)
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()
    return with_database(maintenance, name)


async def drop(maintenance: str, name: str) -> None:
    conn = await asyncpg.connect(maintenance)
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await conn.close()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_for(url: str, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=1) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise SystemExit(f"the server did not answer at {url}")


def main() -> int:
    maintenance, name = maintenance_url_and_name()
    database_url = asyncio.run(recreate(maintenance, name))
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "PORT": str(port),
        "ENVIRONMENT": "development",
        "LOGIN_FAILURES_PER_ADDRESS": "1000000",
    }
    server = subprocess.Popen(
        [sys.executable, "-m", "app.cli", "serve"], cwd=REPO / "backend", env=env
    )
    try:
        wait_for(f"{base}/api/v1/health", 120)
        return subprocess.call(
            ["npm", "run", "e2e"], cwd=REPO / "frontend", env={**env, "BASE_URL": base}
        )
    finally:
        server.terminate()
        server.wait(timeout=30)
        asyncio.run(drop(maintenance, name))


if __name__ == "__main__":
    raise SystemExit(main())
