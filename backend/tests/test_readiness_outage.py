"""/health/ready through a database outage, on a PostgreSQL server of the test's own
(Debian's binaries; the shared server is never stopped): 200 while the database answers,
503 problem+json with Retry-After while it is down (liveness stays 200), and 200 again
once it is back."""

import contextlib
import glob
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.test_server_limits import BACKEND, PROBLEM_JSON, _free_port

READY = "/api/v1/health/ready"


def _pg_bin() -> Path:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"))
    assert found, "Debian's PostgreSQL binaries (/usr/lib/postgresql/*/bin) are required"
    return Path(found[-1]).parent


class OwnPostgres:
    """A throwaway server in a folder of its own. initdb refuses to run as root, so as
    root (CI) the server runs as Debian's `postgres` user."""

    def __init__(self) -> None:
        self.bin = _pg_bin()
        self.root = Path(tempfile.mkdtemp(prefix="liandong-own-pg-"))
        self.data = self.root / "data"
        self.port = _free_port()
        self.url = f"postgresql://postgres@127.0.0.1:{self.port}/postgres"
        self.as_owner: list[str] = []
        if os.geteuid() == 0:
            shutil.chown(self.root, "postgres")
            self.as_owner = ["runuser", "-u", "postgres", "--"]
        self._run("initdb", "-D", str(self.data), "-U", "postgres", "--auth=trust")
        self.options = (
            f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.root} "
            "-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        )

    def _run(self, program: str, *args: str) -> None:
        subprocess.run(
            [*self.as_owner, str(self.bin / program), *args], check=True, capture_output=True
        )

    def start(self) -> None:
        log = str(self.root / "log")
        self._run("pg_ctl", "-D", str(self.data), "-o", self.options, "-w", "-l", log, "start")

    def stop(self, mode: str = "fast") -> None:
        self._run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "stop")

    def remove(self) -> None:
        with contextlib.suppress(subprocess.CalledProcessError):
            self.stop("immediate")
        shutil.rmtree(self.root, ignore_errors=True)


@pytest.fixture(scope="module")
def outage() -> Iterator[tuple[OwnPostgres, str]]:
    database = OwnPostgres()
    server = None
    try:
        database.start()
        env = {**os.environ, "DATABASE_URL": database.url, "RUN_WORKER": "false"}
        subprocess.run(
            [sys.executable, "-m", "app.cli", "migrate"], cwd=BACKEND, env=env, check=True
        )
        port = _free_port()
        server = subprocess.Popen(
            [
                sys.executable,
                *("-m", "uvicorn", "app.main:create_app", "--factory", "--host", "127.0.0.1"),
                *("--port", str(port), "--log-level", "critical"),
            ],
            cwd=BACKEND,
            env=env,
        )
        base = f"http://127.0.0.1:{port}"
        _wait_for(base, "/api/v1/health", 200)
        yield database, base
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=30)
        database.remove()


def _wait_for(base: str, path: str, status: int) -> httpx.Response:
    """The answer, once it has the status (servers and pools take a moment to come up)."""
    deadline = time.monotonic() + 60
    while True:
        try:
            answer = httpx.get(base + path, timeout=5)
            if answer.status_code == status or time.monotonic() > deadline:
                return answer
        except httpx.TransportError:
            if time.monotonic() > deadline:
                raise
        time.sleep(0.2)


def test_ready_answers_503_while_the_database_is_down_and_200_once_it_is_back(
    outage: tuple[OwnPostgres, str],
) -> None:
    database, base = outage
    up = httpx.get(base + READY, timeout=5)
    assert up.status_code == 200, up.text
    assert up.json()["database"] == "ok"
    assert up.json()["calendar_covered_until"] is not None

    database.stop()
    # Every answer while it is down is a 503, the first (on the pool's now dead
    # connections) included.
    for _ in range(3):
        down = httpx.get(base + READY, timeout=10)
        assert down.status_code == 503, down.text
        assert down.headers["content-type"] == PROBLEM_JSON
        assert down.headers["retry-after"] == "5"
        assert down.headers["x-request-id"]
        assert down.json()["status"] == 503
    assert httpx.get(base + "/api/v1/health", timeout=5).status_code == 200

    database.start()
    back = _wait_for(base, READY, 200)
    assert back.status_code == 200, back.text
    assert back.json()["database"] == "ok"
