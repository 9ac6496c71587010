"""The floor: what a request costs without the framework.

The floor runs the very SQL the endpoint runs (captured from the app in this process: a
`before_cursor_execute` hook on the engine, and asyncpg's fetch and execute methods
wrapped while one warm request runs) on a plain asyncpg connection, turns the records
into dicts and encodes them with orjson. A write's statements run in one transaction,
on another item in the same state, with the ids it made fresh for each run.
"""

import uuid
from dataclasses import dataclass, field
from typing import Any

import asyncpg
import orjson
import sqlalchemy as sa

from app.core.db import READ_SETTINGS, get_engine

Statement = tuple[str, tuple[Any, ...]]


def _default(value: Any) -> Any:
    if isinstance(value, uuid.UUID):
        return str(value)
    raise TypeError(type(value).__name__)


def encode(results: list[list[asyncpg.Record]]) -> bytes:
    return orjson.dumps([[dict(r) for r in rows] for rows in results], default=_default)


@dataclass(frozen=True)
class Call:
    """One request: its method, path (with the query), body and headers."""

    method: str
    path: str
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)


async def asgi_call(app: Any, call: Call, token: str) -> tuple[int, bytes]:
    """One request through the whole ASGI app, without a network or an HTTP client."""
    path, _, query = call.path.partition("?")
    headers = [
        (b"host", b"127.0.0.1"),
        (b"authorization", f"Bearer {token}".encode()),
        *((k.lower().encode(), v.encode()) for k, v in call.headers.items()),
    ]
    if call.body:
        headers += [
            (b"content-type", b"application/json"),
            (b"content-length", str(len(call.body)).encode()),
        ]
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": call.method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": query.encode(),
        "root_path": "",
        "headers": headers,
        "client": ("127.0.0.1", 40000),
        "server": ("127.0.0.1", 8000),
    }
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": call.body, "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    await app(scope, receive, send)
    status = next(m["status"] for m in sent if m["type"] == "http.response.start")
    return status, b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")


class Capture:
    """Statements the app executes while active: through SQLAlchemy (its engine's
    `before_cursor_execute` event) and as plain SQL on the driver connection (asyncpg's
    methods, wrapped for the duration; SQLAlchemy itself never calls them)."""

    RAW_METHODS = ("fetch", "fetchrow", "fetchval", "execute")

    def __init__(self) -> None:
        self.statements: list[Statement] = []
        self.on_read_pool: list[bool] = []  # each statement's: planned for its values
        self.active = False
        self._originals: dict[str, Any] = {}

    def hook(self, *args: Any) -> None:
        _conn, _cursor, statement, parameters, _context, _many = args
        if self.active:
            self.statements.append((statement, tuple(parameters or ())))
            self.on_read_pool.append(False)

    def _wrap(self, original: Any) -> Any:
        async def recorded(connection: Any, query: str, *args: Any, **kwargs: Any) -> Any:
            if self.active:
                self.statements.append((query, args))
                settings = getattr(getattr(connection, "_params", None), "server_settings", None)
                self.on_read_pool.append(settings == READ_SETTINGS)
            return await original(connection, query, *args, **kwargs)

        return recorded

    def __enter__(self) -> "Capture":
        sa.event.listen(get_engine().sync_engine, "before_cursor_execute", self.hook)
        for name in self.RAW_METHODS:
            original = getattr(asyncpg.Connection, name)
            self._originals[name] = original
            setattr(asyncpg.Connection, name, self._wrap(original))
        return self

    def __exit__(self, *_: object) -> None:
        sa.event.remove(get_engine().sync_engine, "before_cursor_execute", self.hook)
        for name, original in self._originals.items():
            setattr(asyncpg.Connection, name, original)
        self._originals.clear()


@dataclass
class Captured:
    """The SQL one request ran, in order; which of it ran on the read pool (planned for
    its values, see app/core/db.py) rather than a session; and the answer's body."""

    statements: list[Statement]
    on_read_pool: list[bool]
    body: bytes


async def capture(
    app: Any, call: Call, token: str, expected: int = 200, warm: bool = True
) -> Captured:
    """What one request runs (after a warm-up request for reads: connections made,
    statements prepared)."""
    with Capture() as recorder:
        if warm:
            status, body = await asgi_call(app, call, token)
            assert status == expected, body[:300]
        recorder.active = True
        status, body = await asgi_call(app, call, token)
        recorder.active = False
        assert status == expected, (call.path, body[:300])
    kept = [
        (statement, pooled)
        for statement, pooled in zip(recorder.statements, recorder.on_read_pool, strict=True)
        if not _is_transaction_control(statement[0])
    ]
    return Captured([s for s, _ in kept], [p for _, p in kept], body)


def _is_transaction_control(sql: str) -> bool:
    words = sql.split(None, 1)
    return bool(words) and words[0].upper().rstrip(";") in {
        "BEGIN",
        "COMMIT",
        "ROLLBACK",
        "SAVEPOINT",
        "RELEASE",
        "START",
    }


class ReadFloor:
    """A read's statements, two plain asyncpg connections per worker: one planning as the
    read pool does, one as sessions do (each statement on the kind it ran on)."""

    def __init__(self, dsn: str, captured: Captured, concurrency: int) -> None:
        self.dsn = dsn
        self.captured = captured
        self.concurrency = concurrency
        self.connections: list[tuple[asyncpg.Connection, asyncpg.Connection]] = []

    async def __aenter__(self) -> "ReadFloor":
        for _ in range(self.concurrency):
            pooled = await asyncpg.connect(self.dsn, server_settings=READ_SETTINGS)
            self.connections.append((pooled, await asyncpg.connect(self.dsn)))
        await self.call(0)
        return self

    async def __aexit__(self, *_: object) -> None:
        for pair in self.connections:
            for connection in pair:
                await connection.close()

    async def call(self, number: int) -> None:
        pooled, session = self.connections[number]
        captured = self.captured
        encode(
            [
                await (pooled if on_pool else session).fetch(sql, *params)
                for (sql, params), on_pool in zip(
                    captured.statements, captured.on_read_pool, strict=True
                )
            ]
        )


class Replay:
    """A captured write, to run again on another item: the item's id is swapped for the
    target's, and every id the write made up (the new item's, its audit entry's, the
    idempotency key) for a fresh one, in the parameters and inside text and bytes."""

    def __init__(
        self, statements: list[Statement], item: str | None, made: set[str], created: str
    ) -> None:
        self.statements = statements
        self.item = item  # the item acted on (None: a creation)
        self.made = made
        self.created = created  # the item it created, or acted on

    def on(self, target: str | None) -> tuple[list[Statement], dict[str, str]]:
        """The statements for `target`, and how ids were mapped (captured -> replayed)."""
        mapping = {old: str(uuid.uuid4()) for old in self.made}
        if self.item is not None and target is not None:
            mapping[self.item] = target
        return [
            (sql, tuple(_swap(p, mapping) for p in params)) for sql, params in self.statements
        ], mapping


def _swap(value: Any, mapping: dict[str, str]) -> Any:
    if isinstance(value, uuid.UUID):
        found = mapping.get(str(value))
        return uuid.UUID(found) if found else value
    if isinstance(value, str):
        for old, new in mapping.items():
            if old in value:
                value = value.replace(old, new)
        return value
    if isinstance(value, bytes):
        for old, new in mapping.items():
            value = value.replace(old.encode(), new.encode())
        return value
    if isinstance(value, list | tuple):
        return type(value)(_swap(v, mapping) for v in value)
    return value


def _uuids(value: Any) -> set[str]:
    if isinstance(value, uuid.UUID):
        return {str(value)}
    if isinstance(value, str | bytes):
        text = value.decode(errors="replace") if isinstance(value, bytes) else value
        found = set()
        for start in range(len(text) - 35):
            piece = text[start : start + 36]
            if piece.count("-") == 4 and piece[8] == piece[13] == piece[18] == piece[23] == "-":
                try:
                    found.add(str(uuid.UUID(piece)))
                except ValueError:
                    continue
        return found
    if isinstance(value, list | tuple):
        return set().union(*(_uuids(v) for v in value)) if value else set()
    return set()


async def replay_of(
    conn: asyncpg.Connection, captured: Captured, item: str | None, key: str
) -> Replay:
    """A captured write (on `item`, or a creation when None; sent with idempotency key
    `key`, answered with `body`) and what it made up: the ids in its parameters that are no
    unit, user, grant or session, other than the item's, and its idempotency key. (The
    floor runs them all in the write's transaction, the caller's grants among them.)"""
    statements, created = captured.statements, item or str(orjson.loads(captured.body)["id"])
    seen: set[str] = set().union(*(_uuids(params) for _, params in statements))
    seen.discard(str(item))
    existing = await conn.fetch(
        "SELECT id::text FROM ("
        " SELECT id FROM org_units UNION ALL SELECT id FROM users UNION ALL SELECT id FROM grants"
        " UNION ALL SELECT id FROM auth_sessions) known WHERE id = ANY($1::uuid[])",
        list(seen),
    )
    made = (seen - {r["id"] for r in existing}) | {key}
    return Replay(statements, item, made, created)


class WriteFloor:
    """Writes replayed, each in one transaction, one plain connection per worker; each
    call takes the next prepared list of statements."""

    def __init__(self, dsn: str, runs: list[list[Statement]], concurrency: int) -> None:
        self.dsn = dsn
        self.runs = list(reversed(runs))
        self.concurrency = concurrency
        self.connections: list[asyncpg.Connection] = []

    async def __aenter__(self) -> "WriteFloor":
        for _ in range(self.concurrency):
            # As the session a write runs in plans (see app/core/db.py).
            self.connections.append(await asyncpg.connect(self.dsn))
        return self

    async def __aexit__(self, *_: object) -> None:
        for connection in self.connections:
            await connection.close()

    async def call(self, number: int) -> None:
        connection = self.connections[number]
        statements = self.runs.pop()
        async with connection.transaction():
            results = [await connection.fetch(sql, *params) for sql, params in statements]
        encode(results)
