"""Engine and the request-scoped session (commit on success, roll back on error).

Safe requests (GET, HEAD) get a session in autocommit mode: every statement is its own
transaction, which spares the BEGIN and COMMIT round trips a read would otherwise pay.
A safe route may still write (notifications sweep due notices in on read), but only in
single statements, each atomic on its own.
"""

from collections.abc import AsyncIterator
from typing import Annotated, Any

import asyncpg
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
SAFE_METHODS = frozenset({"GET", "HEAD"})


def engine_options() -> dict[str, Any]:
    # Scoped queries differ hugely by subtree size; a cached generic plan is a trap.
    return {
        "pool_pre_ping": False,
        "pool_size": 10,
        "max_overflow": 10,
        "connect_args": {"server_settings": {"plan_cache_mode": "force_custom_plan"}},
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


async def dispose_engine() -> None:
    global _engine, _sessionmaker, _read_sessionmaker
    if _engine is not None:
        await _engine.dispose()
    _engine = None
    _sessionmaker = None
    _read_sessionmaker = None


async def driver(session: AsyncSession) -> asyncpg.Connection:
    """The session's own asyncpg connection, for hot reads written as plain SQL.

    Hand-written statements skip SQLAlchemy's statement building, caching and result
    processing, which cost more than the query on a list page. Run on the session's
    connection, they see and join its transaction once one has begun (a write began it).
    """
    connection = await session.connection()
    raw = await connection.get_raw_connection()
    return raw.driver_connection


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
