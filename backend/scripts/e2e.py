"""Run the browser suite against a real server on a fresh demo database.

Creates the database `liandong_e2e` next to the test database (TEST_DATABASE_URL's
server, or the embedded one), starts `liandong serve` on a free 127.0.0.1 port,
runs `npm run e2e` in frontend/ with BASE_URL set, and stops the server.
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

from app.core.db_urls import with_database

REPO = Path(__file__).resolve().parents[2]
E2E_DB = "liandong_e2e"


def maintenance_url() -> str:
    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        return with_database(url, "postgres")
    from app.core.embedded_pg import start_embedded

    return start_embedded(Path(os.environ.get("DATA_DIR", REPO / ".data")) / "test-pg", "postgres")


async def recreate(maintenance: str) -> str:
    conn = await asyncpg.connect(maintenance)
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{E2E_DB}" WITH (FORCE)')
        await conn.execute(f'CREATE DATABASE "{E2E_DB}"')
    finally:
        await conn.close()
    return with_database(maintenance, E2E_DB)


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
    database_url = asyncio.run(recreate(maintenance_url()))
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


if __name__ == "__main__":
    raise SystemExit(main())
