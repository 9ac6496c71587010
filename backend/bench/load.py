"""A cheap keep-alive HTTP/1.1 client on asyncio streams, and the load driver.

The client shares the machine with the server and PostgreSQL, so it does as little as it
can: one pre-built request per caller, a header scan for Content-Length, no JSON parsing
(a read's first response must be a 200, and each write's its expected status).
"""

import asyncio
import contextlib
import math
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass


class HttpError(Exception):
    pass


class Connection:
    def __init__(self, host: str, port: int) -> None:
        self.host = host
        self.port = port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def open(self) -> None:
        self.reader, self.writer = await asyncio.open_connection(self.host, self.port)

    async def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            with contextlib.suppress(OSError):
                await self.writer.wait_closed()

    async def request(self, raw: bytes) -> tuple[int, bytes]:
        assert self.reader is not None and self.writer is not None
        self.writer.write(raw)
        head = await self.reader.readuntil(b"\r\n\r\n")
        status = int(head[9:12])
        lowered = head.lower()
        at = lowered.find(b"\r\ncontent-length:")
        if at >= 0:
            end = lowered.index(b"\r\n", at + 2)
            body = await self.reader.readexactly(int(lowered[at + 17 : end]))
        elif b"\r\ntransfer-encoding: chunked" in lowered:
            chunks = []
            while True:
                size = int((await self.reader.readuntil(b"\r\n")).strip(), 16)
                chunks.append(await self.reader.readexactly(size + 2))
                if size == 0:
                    break
            body = b"".join(c[:-2] for c in chunks)
        else:
            raise HttpError("no content-length")
        return status, body


def http_request(
    host: str,
    port: int,
    method: str,
    path: str,
    token: str,
    body: bytes = b"",
    headers: dict[str, str] | None = None,
) -> bytes:
    """A request as the SPA sends it: a bearer token, JSON, and brotli or gzip accepted."""
    lines = [
        f"{method} {path} HTTP/1.1",
        f"Host: {host}:{port}",
        f"Authorization: Bearer {token}",
        "Accept: application/json",
        "Accept-Encoding: br, gzip",
        *(f"{name}: {value}" for name, value in (headers or {}).items()),
    ]
    if body or method != "GET":
        lines += ["Content-Type: application/json", f"Content-Length: {len(body)}"]
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


@dataclass
class Series:
    latencies: list[float]  # seconds
    elapsed: float
    concurrency: int

    @classmethod
    def merge(cls, parts: list["Series"]) -> "Series":
        return cls(
            [t for p in parts for t in p.latencies],
            sum(p.elapsed for p in parts),
            parts[0].concurrency,
        )

    @property
    def count(self) -> int:
        return len(self.latencies)

    def percentile(self, p: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]

    @property
    def p50(self) -> float:
        return self.percentile(50)

    @property
    def p99(self) -> float:
        return self.percentile(99)

    @property
    def throughput(self) -> float:
        return self.count / self.elapsed if self.elapsed else 0.0


Call = Callable[[int], Awaitable[None]]  # the worker number


async def run_series(call: Call, concurrency: int, total: int, seconds: float) -> Series:
    """`total` calls spread over `concurrency` workers; stops early after `seconds`."""
    latencies: list[float] = []
    remaining = total
    deadline = time.perf_counter() + seconds

    async def worker(number: int) -> None:
        nonlocal remaining
        while remaining > 0 and time.perf_counter() < deadline:
            remaining -= 1
            started = time.perf_counter()
            await call(number)
            latencies.append(time.perf_counter() - started)

    started = time.perf_counter()
    await asyncio.gather(*(worker(n) for n in range(concurrency)))
    return Series(latencies, time.perf_counter() - started, concurrency)


class HttpLoad:
    """`concurrency` keep-alive connections sending one read again and again (after a
    warm-up request whose answer is checked)."""

    def __init__(self, host: str, port: int, raw: bytes, concurrency: int) -> None:
        self.raw = raw
        self.connections = [Connection(host, port) for _ in range(concurrency)]

    async def __aenter__(self) -> "HttpLoad":
        for connection in self.connections:
            await connection.open()
        status, body = await self.connections[0].request(self.raw)
        if status != 200:
            raise HttpError(f"{status}: {body[:300]!r}")
        return self

    async def __aexit__(self, *_: object) -> None:
        for connection in self.connections:
            await connection.close()

    async def call(self, number: int) -> None:
        status, body = await self.connections[number].request(self.raw)
        if status != 200:
            raise HttpError(f"{status}: {body[:300]!r}")


class HttpWrites:
    """`concurrency` keep-alive connections, each request sent once (a write on its own
    item), in order; each must answer `expected`."""

    def __init__(
        self, host: str, port: int, requests: list[bytes], concurrency: int, expected: int
    ) -> None:
        self.requests = list(reversed(requests))
        self.expected = expected
        self.answers: list[bytes] = []
        self.connections = [Connection(host, port) for _ in range(concurrency)]

    async def __aenter__(self) -> "HttpWrites":
        for connection in self.connections:
            await connection.open()
        return self

    async def __aexit__(self, *_: object) -> None:
        for connection in self.connections:
            await connection.close()

    async def call(self, number: int) -> None:
        status, body = await self.connections[number].request(self.requests.pop())
        if status != self.expected:
            raise HttpError(f"{status}: {body[:300]!r}")
        self.answers.append(body)
