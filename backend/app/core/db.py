"""Engine and the request-scoped session (commit on success, roll back on error), and a
plain asyncpg pool for reads (see app/core/repository.py for who uses which).

Reads are plain SQL on `reader()` connections: no SQLAlchemy statement building, caching
or result processing, and no session to open and commit, which together cost more than
the queries. A safe request (GET, HEAD) that asks for a session anyway gets it in
autocommit mode, sparing BEGIN and COMMIT.
"""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from contextvars import ContextVar
from typing import Annotated, Any

import asyncpg
import orjson
from fastapi import Depends, Request
from sqlalchemy import MetaData
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlmodel import SQLModel

from app.core.config import get_settings
from app.core.db_urls import plain_url

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
SQLModel.metadata.naming_convention = NAMING_CONVENTION
metadata: MetaData = SQLModel.metadata

_engine: AsyncEngine | None = None
_sessionmaker: async_sessionmaker[AsyncSession] | None = None
_read_sessionmaker: async_sessionmaker[AsyncSession] | None = None
_read_pool: asyncpg.Pool | None = None
SAFE_METHODS = frozenset({"GET", "HEAD"})
# Scoped reads differ hugely by subtree size, so the read pool plans each statement for
# its values: a cached generic plan is a trap there. The session's statements (writes by
# key, the due-notice sweeps) do not vary so, and planning their CTEs afresh each time
# would cost several times what running them does, so sessions keep the default.
# A screen's read returns a page: starting parallel workers (10-30 ms) or compiling with
# JIT costs many times such a query, which the planner, costing the rows it might
# scan, does not see (a prefecture's red tasks: 36 ms with workers, 2 ms without).
READ_SETTINGS = {
    "plan_cache_mode": "force_custom_plan",
    "max_parallel_workers_per_gather": "0",
    "jit": "off",
}


def engine_options() -> dict[str, Any]:
    settings = get_settings()
    return {
        "pool_pre_ping": False,
        "pool_size": settings.db_pool_size,
        "max_overflow": settings.db_pool_overflow,
    }


def get_engine() -> AsyncEngine:
    global _engine, _sessionmaker, _read_sessionmaker
    if _engine is None:
        _engine = create_async_engine(get_settings().async_database_url(), **engine_options())
        _sessionmaker = async_sessionmaker(_engine, class_=AsyncSession, expire_on_commit=False)
        # Same pool; the connection is switched to autocommit while checked out.
        _read_sessionmaker = async_sessionmaker(
            _engine.execution_options(isolation_level="AUTOCOMMIT"),
            class_=AsyncSession,
            expire_on_commit=False,
        )
    return _engine


def sessionmaker() -> async_sessionmaker[AsyncSession]:
    get_engine()
    assert _sessionmaker is not None
    return _sessionmaker


def read_sessionmaker() -> async_sessionmaker[AsyncSession]:
    get_engine()
    assert _read_sessionmaker is not None
    return _read_sessionmaker


async def _keep_state(_: asyncpg.Connection) -> None:
    """Readers run single statements outside transactions and change no session state,
    so a released connection needs no reset query (asyncpg still rolls back a
    transaction left open)."""


async def _decode_json(connection: asyncpg.Connection) -> None:
    """JSON columns arrive as Python values, as they do on a session's connection."""
    for kind in ("json", "jsonb"):
        await connection.set_type_codec(
            kind,
            encoder=lambda value: orjson.dumps(value).decode(),
            decoder=orjson.loads,
            schema="pg_catalog",
        )


async def read_pool() -> asyncpg.Pool:
    global _read_pool
    if _read_pool is None:
        settings = get_settings()
        pool = await asyncpg.create_pool(
            plain_url(settings.async_database_url()),
            min_size=1,
            max_size=settings.db_read_pool_size,
            server_settings=READ_SETTINGS,
            reset=_keep_state,
            init=_decode_json,
        )
        if _read_pool is None:
            _read_pool = pool
        else:  # another request made one meanwhile
            await pool.close()
    return _read_pool


class _HeldReader:
    pool: asyncpg.Pool | None = None
    connection: asyncpg.Connection | None = None


_held_reader: ContextVar[_HeldReader | None] = ContextVar("held_reader", default=None)


@asynccontextmanager
async def reader() -> AsyncIterator[asyncpg.Connection]:
    """A connection for plain-SQL reads, each statement its own transaction: the one the
    request holds inside `reads_held()`, else one from the pool for this block."""
    held = _held_reader.get()
    if held is None:
        async with (await read_pool()).acquire() as connection:
            yield connection
        return
    if held.connection is None:
        held.pool = await read_pool()
        held.connection = await held.pool.acquire()
    yield held.connection


@asynccontextmanager
async def reads_held() -> AsyncIterator[None]:
    """Every `reader()` inside on one read-pool connection, taken at the first read and
    given back at the end: a safe request reads the caller, then its page, and the pool's
    acquire and release cost about what a short statement does."""
    held = _HeldReader()
    token = _held_reader.set(held)
    try:
        yield
    finally:
        _held_reader.reset(token)
        if held.pool is not None and held.connection is not None:
            await held.pool.release(held.connection)


@asynccontextmanager
async def generic_plans(connection: asyncpg.Connection) -> AsyncIterator[None]:
    """Statements run inside are planned once per connection and statement (a cached
    generic plan), in a transaction so that the read pool's setting comes back whatever
    happens: for a read whose plan does not depend on its values, where planning it at
    every call (the read pool's default) costs more than running it."""
    async with connection.transaction(readonly=True):
        await connection.execute("SET LOCAL plan_cache_mode = force_generic_plan")
        yield


async def dispose_engine() -> None:
    global _engine, _sessionmaker, _read_sessionmaker, _read_pool
    if _engine is not None:
        await _engine.dispose()
    if _read_pool is not None:
        await _read_pool.close()
    _engine = None
    _sessionmaker = None
    _read_sessionmaker = None
    _read_pool = None


async def driver(session: AsyncSession) -> asyncpg.Connection:
    """The session's own asyncpg connection, for hot reads written as plain SQL.

    Hand-written statements skip SQLAlchemy's statement building, caching and result
    processing, which cost more than the query on a list page. Run on the session's
    connection, they run in its transaction (begun here if nothing has begun it yet).
    """
    connection = await session.connection()
    raw = await connection.get_raw_connection()
    driver_connection: asyncpg.Connection = raw.driver_connection
    options = (
        connection.sync_connection.get_execution_options() if connection.sync_connection else {}
    )
    autocommit = options.get("isolation_level") == "AUTOCOMMIT"
    if not autocommit and not driver_connection.is_in_transaction():
        # SQLAlchemy's asyncpg adapter sends BEGIN with the first statement it runs itself;
        # plain SQL sent before that would commit on its own, outside the transaction.
        await connection.exec_driver_sql("SELECT 1")
    return driver_connection


async def get_session(request: Request) -> AsyncIterator[AsyncSession]:
    maker = read_sessionmaker() if request.method in SAFE_METHODS else sessionmaker()
    async with maker() as session:
        try:
            yield session
            await session.commit()
        except BaseException:
            await session.rollback()
            raise


# scope="function": commit before the response is sent, so an acknowledged write is durable.
SessionDep = Annotated[AsyncSession, Depends(get_session, scope="function")]
