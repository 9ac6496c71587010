"""The floor and the breakdown: what the task list costs without the framework.

The floor runs the very SQL the endpoint runs (captured from the app in this process with a
`before_cursor_execute` hook: the caller's grants, then the page) with asyncpg on a plain
connection, turns the page's records into dicts and encodes them with orjson. The
breakdown times the layers in between, in this process, one call at a time.
"""

import cProfile
import io
import pstats
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import asyncpg
import orjson
import sqlalchemy as sa

from app.core.db import SERVER_SETTINGS, get_engine, reader

Statement = tuple[str, tuple[Any, ...]]


def _default(value: Any) -> Any:
    if isinstance(value, uuid.UUID):
        return str(value)
    raise TypeError(type(value).__name__)


def encode_page(rows: list[asyncpg.Record], limit: int = 50) -> bytes:
    return orjson.dumps(
        {"items": [dict(r) for r in rows[:limit]], "next_cursor": None}, default=_default
    )


async def asgi_get(app: Any, path: str, query: str, token: str) -> tuple[int, bytes]:
    """One request through the whole ASGI app, without a network or an HTTP client."""
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": query.encode(),
        "root_path": "",
        "headers": [(b"host", b"127.0.0.1"), (b"authorization", f"Bearer {token}".encode())],
        "client": ("127.0.0.1", 40000),
        "server": ("127.0.0.1", 8000),
    }
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    await app(scope, receive, send)
    status = next(m["status"] for m in sent if m["type"] == "http.response.start")
    return status, b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")


class Capture:
    """Statements the app executes while the block runs: through SQLAlchemy (its engine's
    `before_cursor_execute` event) and as plain SQL on the driver connection (asyncpg's
    fetch methods, wrapped for the duration; SQLAlchemy itself never calls them)."""

    RAW_METHODS = ("fetch", "fetchrow", "fetchval")

    def __init__(self) -> None:
        self.statements: list[Statement] = []
        self.active = False
        self._originals: dict[str, Any] = {}

    def hook(self, *args: Any) -> None:
        _conn, _cursor, statement, parameters, _context, _many = args
        if self.active:
            self.statements.append((statement, tuple(parameters or ())))

    def _wrap(self, original: Any) -> Any:
        async def recorded(connection: Any, query: str, *args: Any, **kwargs: Any) -> Any:
            if self.active:
                self.statements.append((query, args))
            return await original(connection, query, *args, **kwargs)

        return recorded

    def install(self) -> None:
        sa.event.listen(get_engine().sync_engine, "before_cursor_execute", self.hook)
        for name in self.RAW_METHODS:
            original = getattr(asyncpg.Connection, name)
            self._originals[name] = original
            setattr(asyncpg.Connection, name, self._wrap(original))

    def remove(self) -> None:
        sa.event.remove(get_engine().sync_engine, "before_cursor_execute", self.hook)
        for name, original in self._originals.items():
            setattr(asyncpg.Connection, name, original)
        self._originals.clear()


async def capture(app: Any, path: str, query: str, token: str) -> list[Statement]:
    """The SQL one warm request runs, in order."""
    recorder = Capture()
    recorder.install()
    try:
        status, body = await asgi_get(app, path, query, token)  # warm: connect, prepare
        assert status == 200, body[:300]
        recorder.active = True
        status, body = await asgi_get(app, path, query, token)
        assert status == 200, body[:300]
    finally:
        recorder.remove()
    return recorder.statements


class Floor:
    """One plain asyncpg connection per worker."""

    def __init__(self, dsn: str, statements: list[Statement], concurrency: int) -> None:
        self.dsn = dsn
        self.statements = statements
        self.concurrency = concurrency
        self.connections: list[asyncpg.Connection] = []

    async def __aenter__(self) -> "Floor":
        for _ in range(self.concurrency):
            self.connections.append(
                await asyncpg.connect(self.dsn, server_settings=SERVER_SETTINGS)
            )
        await self.call(0)
        return self

    async def __aexit__(self, *_: object) -> None:
        for connection in self.connections:
            await connection.close()

    async def call(self, number: int) -> None:
        connection = self.connections[number]
        rows: list[asyncpg.Record] = []
        for sql, params in self.statements:
            rows = await connection.fetch(sql, *params)
        encode_page(rows)


@dataclass
class Layer:
    name: str
    p50: float


async def p50_of(call: Callable[[], Awaitable[object]], count: int) -> float:
    for _ in range(min(20, count)):
        await call()
    times = []
    for _ in range(count):
        started = time.perf_counter()
        await call()
        times.append(time.perf_counter() - started)
    times.sort()
    return times[len(times) // 2]


async def breakdown(
    app: Any, dsn: str, statements: list[Statement], path: str, query: str, token: str, n: int
) -> list[Layer]:
    """p50 of each layer, one call at a time, in this process."""
    layers: list[Layer] = []
    connection = await asyncpg.connect(dsn, server_settings=SERVER_SETTINGS)
    try:
        page_sql, page_params = statements[-1]

        async def page_fetch() -> None:
            await connection.fetch(page_sql, *page_params)

        async def page_floor() -> None:
            encode_page(await connection.fetch(page_sql, *page_params))

        async def all_floor() -> None:
            rows: list[asyncpg.Record] = []
            for sql, params in statements:
                rows = await connection.fetch(sql, *params)
            encode_page(rows)

        layers.append(Layer("asyncpg: the page query only (fetch)", await p50_of(page_fetch, n)))
        layers.append(Layer("  + dicts + orjson", await p50_of(page_floor, n)))
        layers.append(
            Layer(
                f"floor: all {len(statements)} statements + dicts + orjson",
                await p50_of(all_floor, n),
            )
        )
    finally:
        await connection.close()

    async def read_pool() -> None:
        # As the app does: a pooled connection for the grants, another for the page.
        rows: list[asyncpg.Record] = []
        for sql, params in statements:
            async with reader() as pooled:
                rows = await pooled.fetch(sql, *params)
        encode_page(rows)

    layers.append(
        Layer("the app's read pool: same statements, + dicts + orjson", await p50_of(read_pool, n))
    )

    async def whole_app() -> None:
        status, _ = await asgi_get(app, path, query, token)
        assert status == 200

    layers.append(Layer("whole app in process (ASGI, no network)", await p50_of(whole_app, n)))
    return layers


async def profile(app: Any, path: str, query: str, token: str, n: int, top: int = 25) -> str:
    """cProfile of n in-process requests, the functions with the most own time."""
    for _ in range(10):
        await asgi_get(app, path, query, token)
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(n):
        await asgi_get(app, path, query, token)
    profiler.disable()
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    stats.sort_stats("tottime").print_stats(top)
    return out.getvalue()
