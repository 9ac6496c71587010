"""Test fixtures: a throwaway real PostgreSQL database, the app, and an org tree.

TEST_DATABASE_URL names a server database to (re)create; without it an embedded
PostgreSQL (pgserver) starts under DATA_DIR.
"""

import asyncio
import os
import secrets
from collections.abc import AsyncIterator
from pathlib import Path

import asyncpg
import httpx
import pytest

from app.core.db_urls import database_name, plain_url, with_database
from tests.support import TEST_SECRET

TEST_DB = "liandong_test"


def _server_and_database() -> tuple[str, str]:
    """(maintenance URL, test database URL) for a server we may create databases on."""
    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        return with_database(url, "postgres"), with_database(url, database_name(url) or TEST_DB)
    from app.core.embedded_pg import start_embedded

    data_dir = Path(os.environ.get("DATA_DIR", ".data"))
    maintenance = start_embedded(data_dir / "test-pg", "postgres")
    return maintenance, with_database(maintenance, TEST_DB)


async def _recreate(maintenance: str, database_url: str) -> None:
    name = database_name(database_url)
    conn = await asyncpg.connect(plain_url(maintenance))
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()


def pytest_configure(config: pytest.Config) -> None:
    maintenance, database_url = _server_and_database()
    asyncio.run(_recreate(maintenance, database_url))
    os.environ["DATABASE_URL"] = database_url
    os.environ["ENVIRONMENT"] = "test"
    os.environ["SECRET_KEY"] = TEST_SECRET
    os.environ.setdefault("LOGIN_FAILURES_PER_ADDRESS", "1000000")
    config.stash[_URLS] = (maintenance, database_url)
    from app.core.config import get_settings
    from app.core.migrate import upgrade

    get_settings.cache_clear()
    upgrade()


_URLS = pytest.StashKey[tuple[str, str]]()


@pytest.fixture(scope="session")
def database_url(pytestconfig: pytest.Config) -> str:
    return pytestconfig.stash[_URLS][1]


@pytest.fixture(scope="session")
def maintenance_url(pytestconfig: pytest.Config) -> str:
    return pytestconfig.stash[_URLS][0]


@pytest.fixture(scope="session")
async def client() -> AsyncIterator[httpx.AsyncClient]:
    from app.core.db import dispose_engine
    from app.main import create_app

    transport = httpx.ASGITransport(app=create_app(), client=("10.9.8.7", 5555))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
        yield c
    await dispose_engine()


@pytest.fixture(scope="session")
async def world(client: httpx.AsyncClient) -> "World":
    from tests.support import build_world

    return await build_world()


@pytest.fixture
async def fresh_database(maintenance_url: str) -> AsyncIterator[str]:
    """An empty database of our own on the test server, dropped afterwards."""
    from app.core.config import to_asyncpg_url

    name = f"liandong_fresh_{secrets.token_hex(6)}"
    conn = await asyncpg.connect(plain_url(maintenance_url))
    try:
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()
    try:
        yield to_asyncpg_url(with_database(maintenance_url, name))
    finally:
        conn = await asyncpg.connect(plain_url(maintenance_url))
        try:
            await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            await conn.close()


@pytest.fixture
def unique() -> str:
    return secrets.token_hex(4)


from tests.support import World  # noqa: E402
