"""The seam between a domain and the database: one repository per domain owns every
statement on its tables, and talks to PostgreSQL in exactly three ways.

- Reads (safe requests): plain SQL with numbered parameters on a read-pool connection
  (`app.core.db.reader()`), each statement its own transaction. No SQLAlchemy statement
  building or result processing on the hottest path.
- Writes: the request's SQLAlchemy session, in one transaction that the session
  dependency commits: the ORM for the rows a service changes (loaded, and locked, through
  the session); the rows every write adds (timeline events, audit entries) and set-wise
  statements as plain SQL on the session's own connection.
- Reads inside a write, the read-back included: the same plain-SQL reads as a safe
  request, on the session's own asyncpg connection after a flush, so they see exactly
  what the transaction has written.

`Repository(connection)` serves reads; `await Repository.writing(session)` serves writes
and their read-back.
"""

from typing import Any, Self

import asyncpg
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.db import driver


class Repository:
    def __init__(self, connection: asyncpg.Connection, session: AsyncSession | None = None):
        self._connection = connection
        self._session = session

    @classmethod
    async def writing(cls, session: AsyncSession) -> Self:
        return cls(await driver(session), session)

    @property
    def session(self) -> AsyncSession:
        if self._session is None:
            raise RuntimeError(f"{type(self).__name__} was opened for reading only")
        return self._session

    async def connection(self) -> asyncpg.Connection:
        """The connection for plain-SQL reads; in a write, flushed first so that a
        read-back sees what the session has written."""
        if self._session is not None:
            await self._session.flush()
        return self._connection

    # asyncpg's own calls on that connection (its results are untyped).
    async def fetch(self, sql: str, *args: object) -> list[asyncpg.Record]:
        rows: list[asyncpg.Record] = await (await self.connection()).fetch(sql, *args)
        return rows

    async def fetchrow(self, sql: str, *args: object) -> Any:
        return await (await self.connection()).fetchrow(sql, *args)

    async def fetchval(self, sql: str, *args: object) -> Any:
        return await (await self.connection()).fetchval(sql, *args)

    async def execute(self, sql: str, *args: object) -> str:
        status: str = await (await self.connection()).execute(sql, *args)
        return status
