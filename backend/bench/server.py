"""The API under test: a real uvicorn process (one worker, 127.0.0.1 only)."""

import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path
from types import TracebackType

import orjson

BACKEND = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Server:
    """`python -m uvicorn app.main:create_app --factory --workers 1` on a free port."""

    def __init__(self, database_url: str, secret: str) -> None:
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.data_dir = tempfile.TemporaryDirectory(prefix="liandong-bench-")
        self.env = {
            **os.environ,
            "DATABASE_URL": database_url,
            "SECRET_KEY": secret,
            "ENVIRONMENT": "production",
            "DATA_DIR": self.data_dir.name,
            "SPA_DIR": self.data_dir.name,  # no SPA: API routes only
            "ACCESS_TOKEN_MINUTES": "240",
            "LOGIN_FAILURES_PER_ADDRESS": "1000000",
            # No job worker in the server: its sweeps would run between the requests
            # timed (the jobs' own cost is not what a screen waits for).
            "RUN_WORKER": "false",
        }
        self.command = [
            sys.executable,
            "-m",
            "uvicorn",
            "app.main:create_app",
            "--factory",
            "--host",
            "127.0.0.1",
            "--port",
            str(self.port),
            "--workers",
            "1",
            "--no-access-log",
            "--log-level",
            "warning",
        ]
        self.process: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> "Server":
        self.process = subprocess.Popen(self.command, cwd=BACKEND, env=self.env)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(f"the server exited with {self.process.returncode}")
            try:
                with urllib.request.urlopen(f"{self.base}/api/v1/health", timeout=1) as r:
                    if r.status == 200:
                        return self
            except OSError:
                time.sleep(0.2)
        self.__exit__(None, None, None)
        raise SystemExit("the server did not start within 60 s")

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.data_dir.cleanup()

    def login(self, username: str, password: str) -> str:
        body = urllib.parse.urlencode({"username": username, "password": password}).encode()
        request = urllib.request.Request(
            f"{self.base}/api/v1/auth/token",
            data=body,
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )
        with urllib.request.urlopen(request, timeout=30) as response:
            token: str = orjson.loads(response.read())["access_token"]
        return token
