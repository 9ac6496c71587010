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
    pg_dir: Path | None = None  # the embedded server's data folder (see `tune`)

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
        maintenance,
        _with_database(maintenance, database),
        f"embedded ({data_dir}/bench-pg)",
        pg_dir=data_dir / "bench-pg",
    )


# The benchmark's own server is set up as a loaded production server would be: a quarter
# of its memory is too much beside two index builds of 2 GB each, 2 GB is not; WAL room
# for a load (with 1 GB a checkpoint comes every few hundred thousand rows, and each makes
# the next write to every index page a full-page image); and no WAL for what a load
# writes into tables it empties first (wal_level minimal: nothing replicates from it). A
# server given by URL is measured as it is.
LOAD_SETTINGS = {
    "shared_buffers": "2GB",
    "wal_buffers": "64MB",
    "wal_level": "minimal",
    "max_wal_senders": "0",
    "max_wal_size": "16GB",
    "checkpoint_timeout": "30min",
}


async def tune(target: Target) -> None:
    """LOAD_SETTINGS on the embedded server, restarted when they need it."""
    if target.pg_dir is None:
        return
    conn = await asyncpg.connect(target.maintenance)
    try:
        for name, value in LOAD_SETTINGS.items():
            await conn.execute(f"ALTER SYSTEM SET {name} = '{value}'")
        await conn.execute("SELECT pg_reload_conf()")
        # What a reload cannot change: the settings PostgreSQL reads at start only.
        at_start = await conn.fetch(
            "SELECT name FROM pg_settings WHERE context = 'postmaster' AND name = ANY($1)",
            list(LOAD_SETTINGS),
        )
        stale = [r["name"] for r in at_start]
        shown = [await conn.fetchval(f"SHOW {name}") for name in stale]
    finally:
        await conn.close()
    if shown != [LOAD_SETTINGS[name] for name in stale]:
        import pgserver
        from pgserver._commands import pg_ctl  # type: ignore[attr-defined]

        server = pgserver.get_server(str(target.pg_dir.resolve()), cleanup_mode=None)  # type: ignore[attr-defined]
        # Restarted with the options it was started with (postmaster.opts).
        pg_ctl(["-w", "restart"], pgdata=server.pgdata, user=server.system_user, timeout=120)


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
