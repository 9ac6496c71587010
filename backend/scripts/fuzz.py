"""Fuzz the API against its own OpenAPI document with schemathesis, once per demo role.

Like scripts/e2e.py: a fresh demo database next to the test database (named after it
with `_fuzz`; or `liandong_fuzz` on the embedded server), `liandong serve` on a free
127.0.0.1 port, then one bounded `schemathesis run` per role signed in as a demo user of
that role. Every check named below must pass; the run fails on the first role that fails.

Left out of the run: `POST /auth/logout`, which would end the session the run signs in
with (its answers are covered by the tests).
"""

import asyncio
import json
import os
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

from app.demo.seed import DEMO_PASSWORD
from scripts.e2e import drop, free_port, maintenance_url_and_name, recreate, wait_for

# Every demo role, the admin last: its run edits users (a password, an account turned off)
# with ids it saw in answers, which would sign the other roles out.
ROLES = {
    "leader": "county.leader",
    "officer": "community.officer",
    "observer": "prefecture.observer",
    "liaison": "enterprise.liaison",
    "admin": "county.admin",
}
CHECKS = (
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_schema_conformance",
    "response_headers_conformance",
)
EXAMPLES = os.environ.get("FUZZ_EXAMPLES", "25")


def sign_in(base: str, username: str) -> str:
    form = urllib.parse.urlencode({"username": username, "password": DEMO_PASSWORD}).encode()
    with urllib.request.urlopen(f"{base}/api/v1/auth/token", data=form, timeout=30) as answer:
        token: str = json.load(answer)["access_token"]
    return token


def fuzz(base: str, role: str, username: str, token: str) -> int:
    command = [
        *(sys.executable, "-m", "scripts.schemathesis_cli", "run"),
        f"{base}/api/v1/openapi.json",
        *("--checks", ",".join(CHECKS)),
        *("--max-examples", EXAMPLES),
        *("--workers", "2"),
        *("--phases", "fuzzing"),
        *("--seed", os.environ.get("FUZZ_SEED", "9")),
        *("--exclude-path", "/api/v1/auth/logout"),
        *("--header", f"Authorization: Bearer {token}"),
        "--no-shrink",
        "--continue-on-failure",
    ]
    print(f"fuzz: {role} ({username})", flush=True)
    started = time.monotonic()
    code = subprocess.call(command)
    print(f"fuzz: {role} done in {time.monotonic() - started:.0f} s, exit {code}", flush=True)
    return code


def main() -> int:
    maintenance, name = maintenance_url_and_name()
    name = name.removesuffix("_e2e") + "_fuzz"
    database_url = asyncio.run(recreate(maintenance, name))
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "PORT": str(port),
        "ENVIRONMENT": "development",
        "LOGIN_FAILURES_PER_ADDRESS": "1000000",
        "LOGIN_FAILURES_PER_USER": "1000000",
    }
    with tempfile.TemporaryFile("w+") as server_log:
        server = subprocess.Popen(
            [sys.executable, "-m", "app.cli", "serve"],
            cwd=Path(__file__).parents[1],
            env=env,
            stdout=server_log,
            stderr=subprocess.STDOUT,
        )
        started = time.monotonic()
        try:
            wait_for(f"{base}/api/v1/health", 120)
            roles = os.environ.get("FUZZ_ROLES", ",".join(ROLES)).split(",")
            tokens = {role: sign_in(base, ROLES[role]) for role in roles}
            failed = [role for role in roles if fuzz(base, role, ROLES[role], tokens[role])]
            took = time.monotonic() - started
            print(f"fuzz: {len(roles)} roles in {took:.0f} s; failed: {failed or 'none'}")
            if failed:
                server_log.seek(0)
                print("fuzz: the server's log, less its access lines:")
                print(*_errors(server_log.readlines()), sep="\n")
            return 1 if failed else 0
        finally:
            server.terminate()
            server.wait(timeout=30)
            asyncio.run(drop(maintenance, name))


def _errors(lines: list[str]) -> list[str]:
    """The server's log without its access lines."""
    return [line.rstrip() for line in lines if not line.startswith("INFO:")]


if __name__ == "__main__":
    raise SystemExit(main())
