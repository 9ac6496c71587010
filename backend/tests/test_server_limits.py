"""What the server itself refuses, before the app runs, through a real uvicorn process with
the protocol `liandong serve` runs: a request target past 16 KiB is a 414, a request that
is not HTTP a 400, both problem+json with an X-Request-ID."""

import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from app.core.http_protocol import HTTP_PROTOCOL, MAX_TARGET_BYTES

BACKEND = Path(__file__).resolve().parents[1]
PROBLEM_JSON = "application/problem+json"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def server() -> Iterator[tuple[str, int]]:
    port = _free_port()
    process = subprocess.Popen(
        [
            sys.executable,
            *("-m", "uvicorn", "app.main:create_app", "--factory", "--host", "127.0.0.1"),
            *("--port", str(port), "--http", HTTP_PROTOCOL, "--log-level", "error"),
        ],
        cwd=BACKEND,
        env=dict(os.environ),
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{base}/api/v1/health", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.2)
        else:
            raise RuntimeError("the server did not start")
        yield base, port
    finally:
        process.terminate()
        process.wait(timeout=30)


def _exchange(port: int, request: bytes) -> tuple[str, dict[str, str], bytes]:
    """Send raw bytes (httpx refuses URLs past 64 KiB itself); the status line, the
    header fields and the body of the answer."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
        s.sendall(request)
        raw = b""
        while chunk := s.recv(65536):
            raw += chunk
    head, _, body = raw.partition(b"\r\n\r\n")
    status, *lines = head.decode().split("\r\n")
    fields = dict(line.lower().split(": ", 1) for line in lines)
    return status, fields, body


def _get(port: int, target: str) -> tuple[str, dict[str, str], bytes]:
    request = f"GET {target} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
    return _exchange(port, request.encode())


def _assert_problem(answer: tuple[str, dict[str, str], bytes], status: int) -> dict[str, object]:
    line, fields, body = answer
    assert line.split(" ", 2)[1] == str(status), (line, body[:200])
    assert fields["content-type"] == PROBLEM_JSON
    assert fields["x-request-id"]
    document: dict[str, object] = json.loads(body)
    assert document["status"] == status
    return document


@pytest.mark.parametrize("size", [100_000, 70_000, MAX_TARGET_BYTES + 1])
def test_a_long_query_string_is_414_problem_json(server: tuple[str, int], size: int) -> None:
    _, port = server
    path = "/api/v1/tasks?q="
    document = _assert_problem(_get(port, path + "a" * (size - len(path))), 414)
    assert str(MAX_TARGET_BYTES) in str(document["detail"])


def test_a_query_string_within_the_limit_reaches_the_app(server: tuple[str, int]) -> None:
    _, port = server
    path = "/api/v1/health?q="
    line, fields, _ = _get(port, path + "a" * (MAX_TARGET_BYTES - len(path)))
    assert line == "HTTP/1.1 200 OK"
    assert fields["content-type"] == "application/json"


def test_a_request_that_is_not_http_is_400_problem_json(server: tuple[str, int]) -> None:
    _, port = server
    answer = _exchange(port, b"GET / HTTP/1.1\r\nHost: x\r\nBad Header\r\n\r\n")
    _assert_problem(answer, 400)
