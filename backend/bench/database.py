"""Which server the benchmark uses, and its throwaway database.

BENCH_DATABASE_URL's server, else TEST_DATABASE_URL's server, else an embedded PostgreSQL
(pgserver) under $DATA_DIR/bench-pg. The database itself is recreated for a run and
dropped after it.
"""

import os
from dataclasses import dataclass
from pathlib import Path

import asyncpg

from app.core.config import to_asyncpg_url

REPO = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class Target:
    maintenance: str  # postgresql://... of the server's `postgres` database
    url: str  # postgresql://... of the benchmark database
    where: str  # how it was chosen, for the report

    @property
    def asyncpg_dsn(self) -> str:
        return self.url

    @property
    def sqlalchemy_url(self) -> str:
        return to_asyncpg_url(self.url)


def _with_database(url: str, name: str) -> str:
    head, _, query = url.partition("?")
    base = head.rsplit("/", 1)[0] if head.count("/") > 2 else head
    return f"{base}/{name}" + (f"?{query}" if query else "")


def choose(database: str) -> Target:
    for variable in ("BENCH_DATABASE_URL", "TEST_DATABASE_URL"):
        url = os.environ.get(variable)
        if url:
            url = url.replace("postgresql+asyncpg://", "postgresql://")
            return Target(
                _with_database(url, "postgres"),
                _with_database(url, database),
                f"{variable}'s server",
            )
    from app.core.embedded_pg import start_embedded

    data_dir = Path(os.environ.get("DATA_DIR", REPO / ".data"))
    maintenance = start_embedded(data_dir / "bench-pg", "postgres")
    return Target(
        maintenance, _with_database(maintenance, database), f"embedded ({data_dir}/bench-pg)"
    )


async def recreate(target: Target) -> None:
    name = target.url.partition("?")[0].rsplit("/", 1)[1]
    conn = await asyncpg.connect(target.maintenance)
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()


async def drop(target: Target) -> None:
    name = target.url.partition("?")[0].rsplit("/", 1)[1]
    conn = await asyncpg.connect(target.maintenance)
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await conn.close()


async def exists(target: Target) -> bool:
    name = target.url.partition("?")[0].rsplit("/", 1)[1]
    conn = await asyncpg.connect(target.maintenance)
    try:
        found = await conn.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name)
    finally:
        await conn.close()
    return found is not None
