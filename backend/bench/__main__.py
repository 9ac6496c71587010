"""`python -m bench` (from backend/; `make bench` runs it): seed, measure, write the report.

1. Recreate the benchmark database (see database.py for which server) and migrate it.
2. Seed 10,000+ org units, users and grants, then tasks and issues: --first rows of each,
   measure; grow to --rows of each, measure again.
3. Each measurement starts a uvicorn server (1 worker, 127.0.0.1) and, for a community
   officer, a street leader, a county leader and a prefecture observer, times
   GET /api/v1/tasks?limit=50 over HTTP and the floor (the same SQL with asyncpg + orjson)
   at 1 and 16 concurrent clients, and GET /api/v1/stats/summary at 1 client. The last
   measurement also breaks the list down layer by layer and profiles it.
4. Write docs/benchmarks.md.

Bounded: fixed request counts, a time cap per series and a time limit for all the
measurements; the server is stopped at the end whatever happens.
"""

import argparse
import asyncio
import os
import secrets
import shlex
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import asyncpg

from bench import database, report, seed
from bench.floor import Floor, breakdown, capture, profile
from bench.load import HttpLoad, Series, get_request, run_series
from bench.machine import busy_processes
from bench.server import Server

LIST_PATH, LIST_QUERY = "/api/v1/tasks", "limit=50"
SUMMARY_PATH = "/api/v1/stats/summary"
CONCURRENCY = (1, 16)
ROUNDS = 4


def parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000, help="tasks (and issues) at the end")
    parser.add_argument("--first", type=int, default=100_000, help="rows at the first measurement")
    parser.add_argument("--requests", type=int, default=400, help="requests per series at 1 client")
    parser.add_argument("--series-seconds", type=float, default=30.0, help="cap per series")
    parser.add_argument(
        "--time-limit", type=float, default=1800.0, help="cap for all measurements (s)"
    )
    parser.add_argument(
        "--settle-load",
        type=float,
        default=1.0,
        help="before measuring, wait for the 1-minute load average to drop below this",
    )
    parser.add_argument(
        "--settle-seconds", type=float, default=120.0, help="...but no longer than this"
    )
    parser.add_argument("--database", default="liandong_bench")
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="measure an earlier run's database as it is (no reseeding; one size only)",
    )
    parser.add_argument(
        "--output", type=Path, default=report.REPO / "docs" / "benchmarks.md", help="report"
    )
    return parser.parse_args(argv)


class Clock:
    def __init__(self, seconds: float) -> None:
        self.deadline = time.monotonic() + seconds

    def left(self, cap: float) -> float:
        return max(0.0, min(cap, self.deadline - time.monotonic()))


def log(message: str) -> None:
    print(f"[bench {datetime.now(UTC):%H:%M:%S}] {message}", flush=True)


async def measure(
    args: argparse.Namespace,
    target: database.Target,
    seeded: seed.Seeded,
    phase: report.Phase,
    secret: str,
    clock: Clock,
    final: bool,
) -> None:
    from app.core.db import dispose_engine
    from app.main import create_app

    phase.load.append(os.getloadavg())
    with Server(target.url, secret) as server:
        host, port = "127.0.0.1", server.port
        tokens = {c: server.login(u, seed.PASSWORD) for c, (u, _) in seeded.callers.items()}
        app = create_app()
        for caller, token in tokens.items():
            phase.statements[caller] = await capture(app, LIST_PATH, LIST_QUERY, token)

        async def series(make: Any, concurrency: int, count: int) -> Series | None:
            seconds = clock.left(args.series_seconds / ROUNDS)
            if seconds <= 0:
                return None
            async with make(concurrency) as load:
                return await run_series(load.call, concurrency, count, seconds)

        # Rounds: every caller's endpoint, floor and summary series are split in ROUNDS
        # parts spread over the whole phase, so a burst of other work on the machine hits
        # all of them alike instead of one caller's numbers.
        lists: dict[tuple[str, int, str], list[Series]] = {}
        summaries: dict[str, list[Series]] = {}
        for _ in range(ROUNDS):
            for concurrency in CONCURRENCY:
                count = args.requests * (1 if concurrency == 1 else 4) // ROUNDS
                for caller in seed.CALLERS:
                    raw = get_request(host, port, f"{LIST_PATH}?{LIST_QUERY}", tokens[caller])
                    statements = phase.statements[caller]
                    for kind, make in (
                        ("endpoint", lambda c, raw=raw: HttpLoad(host, port, raw, c)),
                        ("floor", lambda c, s=statements: Floor(target.url, s, c)),
                    ):
                        got = await series(make, concurrency, count)
                        if got:
                            lists.setdefault((caller, concurrency, kind), []).append(got)
            for caller, (_, unit) in seeded.callers.items():
                path = f"{SUMMARY_PATH}?org_id={unit.id}"
                raw = get_request(host, port, path, tokens[caller])
                got = await series(
                    lambda c, raw=raw: HttpLoad(host, port, raw, c), 1, args.requests // ROUNDS
                )
                if got:
                    summaries.setdefault(caller, []).append(got)
        for (caller, concurrency, kind), parts in lists.items():
            target_map = phase.endpoint if kind == "endpoint" else phase.floor
            target_map[(caller, concurrency)] = Series.merge(parts)
        for caller, parts in summaries.items():
            phase.summary[caller] = Series.merge(parts)
        for concurrency in CONCURRENCY:
            for caller in seed.CALLERS:
                e, f = (
                    phase.endpoint.get((caller, concurrency)),
                    phase.floor.get((caller, concurrency)),
                )
                if e and f:
                    log(
                        f"{phase.rows:,} rows, {caller}, {concurrency} clients: endpoint p50 "
                        f"{e.p50 * 1000:.2f} ms, floor {f.p50 * 1000:.2f} ms, "
                        f"ratio {e.p50 / f.p50:.2f}"
                    )
        for caller, got in phase.summary.items():
            log(f"{phase.rows:,} rows, {caller}: summary p50 {got.p50 * 1000:.2f} ms")
        if final and clock.left(60) > 0:
            for caller, token in tokens.items():
                phase.breakdown[caller] = await breakdown(
                    app, target.url, phase.statements[caller], LIST_PATH, LIST_QUERY, token, 200
                )
            phase.profiled = f"county leader, {phase.rows:,} rows, 300 requests"
            phase.profile = await profile(app, LIST_PATH, LIST_QUERY, tokens["county leader"], 300)
        await dispose_engine()
    phase.load.append(os.getloadavg())


async def settle(args: argparse.Namespace) -> None:
    """Let the load settle (the seeding's own work, other jobs) before measuring."""
    for _ in range(int(args.settle_seconds // 5)):
        if os.getloadavg()[0] <= args.settle_load:
            break
        await asyncio.sleep(5)
    log(f"load average {os.getloadavg()[0]:.2f}; measuring")


async def facts(conn: asyncpg.Connection, target: database.Target) -> report.Machine:
    version = await conn.fetchval("SHOW server_version")
    rows = await conn.fetch(
        "SELECT name, setting, unit FROM pg_settings WHERE name IN ('shared_buffers', "
        "'work_mem', 'effective_cache_size', 'max_connections', 'jit', 'random_page_cost')"
    )
    settings = {}
    for r in rows:
        value, unit = r["setting"], r["unit"]
        if unit == "8kB":
            value = f"{int(value) * 8 // 1024}MB"
        elif unit == "kB":
            value = f"{int(value) // 1024}MB"
        settings[r["name"]] = value
    return report.machine_facts(f"PostgreSQL {version}", settings, target.where)


async def run(args: argparse.Namespace) -> None:
    started = report.now()
    target = database.choose(args.database)
    secret = secrets.token_urlsafe(48)
    # The in-process app (SQL capture, breakdown) reads these, like the server does.
    os.environ.update(
        DATABASE_URL=target.url,
        SECRET_KEY=secret,
        ENVIRONMENT="production",
        ACCESS_TOKEN_MINUTES="240",
    )
    from app.core.config import get_settings
    from app.core.migrate import upgrade

    get_settings.cache_clear()
    log(f"database {target.url.split('@')[-1]} ({target.where})")
    reused = None
    if args.reuse and await database.exists(target):
        conn = await asyncpg.connect(target.url)
        reused = await seed.load_existing(conn)
        await conn.close()
    if reused is None:
        await database.recreate(target)
    await asyncio.to_thread(upgrade, target.sqlalchemy_url)
    conn = await asyncpg.connect(target.url)
    try:
        machine = await facts(conn, target)
        clock = Clock(args.time_limit)
        phases: list[report.Phase] = []
        if reused is not None:
            seeded = reused
            sizes = [seeded.rows]
            log(f"reusing the database as it is: {seeded.rows:,} tasks")
        else:
            seeded = await seed.seed_tree(conn, seed.Shape())
            sizes = sorted({min(args.first, args.rows), args.rows})
        seed_now = datetime.now(UTC)
        for size in sizes:
            if reused is None:
                log(f"seeding to {size:,} tasks and {size:,} issues")
                await seed.grow(conn, seeded, size, seed_now)
            phase = report.Phase(rows=size, visible=await seed.visible_counts(conn, seeded))
            log(f"visible (tasks, issues): {phase.visible}")
            phases.append(phase)
            await settle(args)
            phase.busy = await asyncio.to_thread(busy_processes)
            if phase.busy:
                log(f"other processes busy: {', '.join(phase.busy)}")
            await measure(args, target, seeded, phase, secret, clock, final=size == sizes[-1])
        kinds = {
            r["kind"]: r["n"]
            for r in await conn.fetch("SELECT kind, count(*) AS n FROM org_units GROUP BY kind")
        }
        users = await conn.fetchval("SELECT count(*) FROM users")
        grants = await conn.fetchval("SELECT count(*) FROM grants")
    finally:
        await conn.close()
    command = "python -m bench" + (" " + shlex.join(sys.argv[1:]) if sys.argv[1:] else "")
    bench_args = os.environ.get("BENCH_ARGS")
    shown = f"make bench BENCH_ARGS={shlex.quote(bench_args)}" if bench_args else "make bench"
    run_record = report.Run(
        command=f"`{shown}` (runs `cd backend && {command}`)",
        started=started,
        finished=report.now(),
        machine=machine,
        seeded=seeded,
        units_by_kind=kinds,
        users=int(users),
        grants=int(grants),
        phases=phases,
        concurrency=CONCURRENCY,
        requests=args.requests,
    )
    report.write(run_record, args.output)
    log(f"wrote {args.output}")


def main(argv: list[str] | None = None) -> None:
    args = parse(sys.argv[1:] if argv is None else argv)
    try:  # the server runs on uvloop (uvicorn[standard]); so does the client, where it can
        import uvloop

        factory: Any = uvloop.new_event_loop
    except ImportError:
        factory = None
    with asyncio.Runner(loop_factory=factory) as runner:
        runner.run(run(args))


if __name__ == "__main__":
    main()
