"""Idempotency-Key for POST routes, kept in PostgreSQL so every worker agrees.

Usage in a route (the route renders its own `Response`):

    async def create_thing(session: SessionDep, principal: ..., body: ..., idem: IdempotencyDep):
        return await idem.run(principal.user_id, lambda: produce_response())

How it works: the key is claimed by inserting a row in the *same transaction* as the
route's own writes, so the claim, the new rows and the stored response commit (or roll
back) together.

- First request: the claim inserts; the route runs; its response is stored in the row.
- Retry with the same key and the same body: the claim finds the committed row and the
  stored response is replayed (header `Idempotent-Replayed: true`), nothing runs again.
- Same key, another body (or another route): 422.
- Two concurrent requests with one key: the second one's INSERT waits on the unique key
  until the first commits, then replays its response; if the first failed (rolled back),
  the second runs as if it were first. Exactly one set of rows is created.
- Errors are not stored (their transaction rolls back), so a failed request may be retried.
- Keys are scoped to the calling user and kept `KEEP_FOR` (7 days, so a phone that was
  offline for a long weekend can still replay); an expired key is claimed afresh, and the
  `idempotency_expiry` job deletes expired rows.
"""

import hashlib
import uuid
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import Annotated, Any

import orjson
import sqlalchemy as sa
from fastapi import Depends, Header, Request
from fastapi.responses import Response
from pydantic import BaseModel
from sqlalchemy.dialects import postgresql
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import Field, SQLModel, col

from app.core.db import SessionDep, driver
from app.core.errors import Unprocessable
from app.core.etags import json_response
from app.core.models import utcnow

KEEP_FOR = timedelta(days=7)
PURGE_BATCH = 1000
REPLAYED_HEADER = "Idempotent-Replayed"
_STORED_HEADERS = ("content-type", "etag", "location")


class IdempotencyKey(SQLModel, table=True):
    __tablename__ = "idempotency_keys"

    user_id: uuid.UUID = Field(primary_key=True)
    key: str = Field(primary_key=True, max_length=255)
    fingerprint: str = Field(max_length=64)
    method: str = Field(max_length=10)
    path: str = Field(max_length=1000)
    status_code: int | None = Field(default=None)
    headers: dict[str, str] | None = Field(
        default=None, sa_column=sa.Column(postgresql.JSONB, nullable=True)
    )
    body: bytes | None = Field(default=None, sa_column=sa.Column(sa.LargeBinary, nullable=True))
    created_at: datetime = Field(sa_column=sa.Column(sa.DateTime(timezone=True), nullable=False))
    expires_at: datetime = Field(
        sa_column=sa.Column(sa.DateTime(timezone=True), nullable=False, index=True)
    )


KeyHeader = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        min_length=1,
        max_length=255,
        description="Retry-safe POST: a retry with the same key and body replays the first "
        "response; the same key with another body is rejected (422). Kept 7 days.",
    ),
]


def _canonical_body(raw: bytes) -> bytes:
    """JSON bodies compare by content, not by spacing or key order."""
    if not raw.strip():
        return b""
    try:
        return orjson.dumps(orjson.loads(raw), option=orjson.OPT_SORT_KEYS)
    except orjson.JSONDecodeError:
        return raw


class Idempotency:
    def __init__(self, request: Request, session: AsyncSession, key: str | None) -> None:
        self.request = request
        self.session = session
        self.key = key

    async def run(self, user_id: uuid.UUID, produce: Callable[[], Awaitable[Response]]) -> Response:
        """Replay the stored response for this key, or produce one and store it."""
        if self.key is None:
            return await produce()
        fingerprint = await self._fingerprint()
        replay = await self._claim(user_id, fingerprint)
        if replay is not None:
            return replay
        response = await produce()
        await self._store(user_id, response)
        return response

    async def respond(
        self,
        user_id: uuid.UUID,
        make: Callable[[], Awaitable[Any]],
        *,
        status_code: int = 200,
        location: Callable[[dict[str, Any]], str] | None = None,
    ) -> Response:
        """`run()` for a JSON answer: what `make()` returns (a model or a dict), with its
        ETag when it has a version, and its `Location` when given."""

        async def produce() -> Response:
            made = await make()
            body: dict[str, Any] = made.model_dump() if isinstance(made, BaseModel) else made
            return json_response(
                body,
                status_code=status_code,
                version=body.get("version"),
                headers={"Location": location(body)} if location else None,
            )

        return await self.run(user_id, produce)

    async def created(
        self,
        user_id: uuid.UUID,
        make: Callable[[], Awaitable[Any]],
        *,
        location: Callable[[dict[str, Any]], str] | None = None,
    ) -> Response:
        """`respond()` for a creation: 201."""
        return await self.respond(user_id, make, status_code=201, location=location)

    async def _fingerprint(self) -> str:
        url = self.request.url
        digest = hashlib.sha256()
        digest.update(f"{self.request.method} {url.path}?{url.query}\n".encode())
        digest.update(_canonical_body(await self.request.body()))
        return digest.hexdigest()

    async def _claim(self, user_id: uuid.UUID, fingerprint: str) -> Response | None:
        # Plain SQL on the session's own connection (in its transaction): every POST runs
        # these two statements, and SQLAlchemy's building of an upsert costs more than it.
        connection = await driver(self.session)
        now = utcnow()
        claimed = await connection.fetchval(
            _CLAIM,
            user_id,
            self.key,
            fingerprint,
            self.request.method,
            self.request.url.path[:1000],
            now,
            now + KEEP_FOR,
        )
        if claimed is not None:
            return None
        stored = await connection.fetchrow(_STORED, user_id, self.key)
        assert stored is not None  # the claim conflicted with this very row
        if stored["fingerprint"] != fingerprint:
            raise Unprocessable(
                "This Idempotency-Key was already used with a different request; "
                "use a new key for a new request."
            )
        headers: dict[str, Any] = orjson.loads(stored["headers"] or "{}")
        headers[REPLAYED_HEADER] = "true"
        return Response(
            content=stored["body"] or b"", status_code=stored["status_code"] or 200, headers=headers
        )

    async def _store(self, user_id: uuid.UUID, response: Response) -> None:
        headers = {
            name: response.headers[name] for name in _STORED_HEADERS if name in response.headers
        }
        connection = await driver(self.session)
        await connection.execute(
            _STORE,
            user_id,
            self.key,
            response.status_code,
            orjson.dumps(headers).decode(),
            bytes(response.body),
        )


# Take over an expired key; otherwise wait for (and then defer to) its holder.
_CLAIM = """
INSERT INTO idempotency_keys AS k (user_id, key, fingerprint, method, path, created_at, expires_at)
VALUES ($1, $2, $3, $4, $5, $6, $7)
ON CONFLICT (user_id, key) DO UPDATE SET
  fingerprint = excluded.fingerprint, method = excluded.method, path = excluded.path,
  status_code = NULL, headers = NULL, body = NULL,
  created_at = excluded.created_at, expires_at = excluded.expires_at
WHERE k.expires_at <= excluded.created_at
RETURNING k.key
"""
_STORED = (
    "SELECT fingerprint, status_code, headers::text AS headers, body "
    "FROM idempotency_keys WHERE user_id = $1 AND key = $2"
)
_STORE = (
    "UPDATE idempotency_keys SET status_code = $3, headers = $4::jsonb, body = $5 "
    "WHERE user_id = $1 AND key = $2"
)


async def purge_expired(session: AsyncSession, now: datetime | None = None) -> int:
    """Delete up to PURGE_BATCH expired keys; returns how many went."""
    expired = (
        sa.select(col(IdempotencyKey.user_id), col(IdempotencyKey.key))
        .where(col(IdempotencyKey.expires_at) <= (now or utcnow()))
        .limit(PURGE_BATCH)
    )
    result = await session.execute(
        sa.delete(IdempotencyKey).where(
            sa.tuple_(col(IdempotencyKey.user_id), col(IdempotencyKey.key)).in_(expired)
        )
    )
    return int(getattr(result, "rowcount", 0) or 0)


async def _idempotency(request: Request, session: SessionDep, key: KeyHeader = None) -> Idempotency:
    return Idempotency(request, session, key)


IdempotencyDep = Annotated[Idempotency, Depends(_idempotency)]
