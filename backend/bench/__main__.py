"""`python -m bench` (from backend/; `make bench` runs it): seed, measure, write the report.

1. Check the free disk, recreate the benchmark database (see database.py for which server)
   and migrate it; seed 10,000+ org units, users and grants, then --rows tasks and --rows
   issues (see seed.py), with notifications and timelines.
2. Start a uvicorn server (1 worker, 127.0.0.1, production settings) and, for a community
   officer, a street leader, a county leader and a prefecture observer, time every request
   the SPA's screens send (screens.py) over HTTP, and its floor (the same SQL through
   asyncpg, captured from the app in this process), at 1 and 16 concurrent clients; then
   the writes of a task's and an issue's life, each against its floor in one transaction.
3. Keep the figures (docs/benchmarks/<rows>.json), write docs/benchmarks.md from every
   size kept, and drop the database.

Bounded: fixed request counts, a time cap per series and a time limit for all the
measurements; the server is stopped at the end whatever happens.
"""

import argparse
import asyncio
import os
import secrets
import shlex
import shutil
import sys
import time
import uuid
from datetime import UTC, datetime
from typing import Any

import asyncpg
import orjson

from bench import database, report, screens, seed
from bench.floor import Call, ReadFloor, Replay, Statement, WriteFloor, capture, replay_of
from bench.load import HttpLoad, HttpWrites, Series, http_request, run_series
from bench.machine import busy_processes
from bench.server import Server

CONCURRENCY = (1, 16)
ROUNDS = 2
GB = 1024**3
DISK_PER_MILLION = 3 * GB  # of each of tasks and issues


def parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000, help="tasks (and issues)")
    parser.add_argument("--requests", type=int, default=200, help="requests per read series")
    parser.add_argument("--writes", type=int, default=100, help="writes per step at 1 client")
    parser.add_argument("--series-seconds", type=float, default=20.0, help="cap per series")
    parser.add_argument(
        "--time-limit", type=float, default=2400.0, help="cap for all measurements (s)"
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
    parser.add_argument("--database", default="wt_bench_run")
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="measure an earlier run's database as it is (no reseeding), and keep it",
    )
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument("--output", default=str(report.REPO / "docs" / "benchmarks.md"))
    return parser.parse_args(argv)


class Clock:
    def __init__(self, seconds: float) -> None:
        self.deadline = time.monotonic() + seconds

    def left(self, cap: float) -> float:
        return max(0.0, min(cap, self.deadline - time.monotonic()))


def log(message: str) -> None:
    print(f"[bench {datetime.now(UTC):%H:%M:%S}] {message}", flush=True)


async def measure_reads(
    args: argparse.Namespace,
    target: database.Target,
    server: Server,
    app: Any,
    tokens: dict[str, str],
    details: dict[str, tuple[uuid.UUID, uuid.UUID, uuid.UUID]],
    phase: report.Phase,
    clock: Clock,
) -> None:
    from app.calendar.service import local_date  # reads the settings, set in run()

    host, port = "127.0.0.1", server.port
    today = local_date(datetime.now(UTC))
    cases: dict[str, list[tuple[str, Call]]] = {
        caller: screens.reads(*details[caller], today) for caller in seed.CALLERS
    }
    captured = {}
    for caller, calls in cases.items():
        for name, call in calls:
            captured[(name, caller)] = await capture(app, call, tokens[caller])
            phase.statements[f"{name} | {caller}"] = len(captured[(name, caller)].statements)

    async def series(make: Any, concurrency: int, count: int) -> Series | None:
        seconds = clock.left(args.series_seconds / ROUNDS)
        if seconds <= 0:
            return None
        async with make(concurrency) as load:
            return await run_series(load.call, concurrency, count, seconds)

    # Rounds: every series is split in ROUNDS parts spread over the phase, so a burst of
    # other work on the machine hits all of them alike instead of one caller's numbers.
    parts: dict[tuple[str, str, int, str], list[Series]] = {}
    for _ in range(ROUNDS):
        for concurrency in CONCURRENCY:
            count = args.requests * (1 if concurrency == 1 else 4) // ROUNDS
            for caller, calls in cases.items():
                for name, call in calls:
                    raw = http_request(host, port, call.method, call.path, tokens[caller])
                    made = captured[(name, caller)]
                    for kind, make in (
                        ("endpoint", lambda c, raw=raw: HttpLoad(host, port, raw, c)),
                        ("floor", lambda c, s=made: ReadFloor(target.url, s, c)),
                    ):
                        got = await series(make, concurrency, count)
                        if got:
                            parts.setdefault((name, caller, concurrency, kind), []).append(got)
            log(f"reads at {concurrency} clients: a round done")
    for key, pieces in parts.items():
        phase.reads[key] = report.Figures.of(Series.merge(pieces))


async def measure_writes(
    args: argparse.Namespace,
    target: database.Target,
    server: Server,
    app: Any,
    tokens: dict[str, str],
    seeded: seed.Seeded,
    phase: report.Phase,
    clock: Clock,
) -> None:
    host, port = "127.0.0.1", server.port
    street, community = (seeded.callers[c][1].id for c in ("street leader", "community officer"))
    conn = await asyncpg.connect(target.url)
    try:
        for flow, steps in screens.flows(street, community):
            # The statements of each step, captured on one item in process (after a
            # warm-up item, so the statements are prepared).
            replays: list[Replay] = []
            for capturing in (False, True):
                item: str | None = None
                for step in steps:
                    call = step.call(item)
                    got = await capture(app, call, tokens[step.caller], step.expected, warm=False)
                    if capturing:
                        key = call.headers["Idempotency-Key"]
                        replays.append(await replay_of(conn, got, item, key))
                    item = item or str(orjson.loads(got.body)["id"])
            for concurrency in CONCURRENCY:
                count = args.writes * (1 if concurrency == 1 else 4)
                items: dict[str, list[str | None]] = {
                    "endpoint": [None] * count,
                    "floor": [None] * count,
                }
                for step, replay in zip(steps, replays, strict=True):
                    seconds = clock.left(args.series_seconds * 2)
                    if seconds <= 0:
                        return
                    done = await _endpoint_writes(
                        host,
                        port,
                        tokens[step.caller],
                        step,
                        items["endpoint"],
                        concurrency,
                        seconds,
                    )
                    phase.writes[(f"{flow}: {step.name}", concurrency, "endpoint")] = done[0]
                    floor = await _floor_writes(
                        target.url, replay, items["floor"], concurrency, seconds
                    )
                    phase.writes[(f"{flow}: {step.name}", concurrency, "floor")] = floor[0]
                    items = {"endpoint": done[1], "floor": floor[1]}
                log(f"writes of a {flow} at {concurrency} clients done")
    finally:
        await conn.close()


async def _endpoint_writes(
    host: str,
    port: int,
    token: str,
    step: screens.Step,
    items: list[str | None],
    concurrency: int,
    seconds: float,
) -> tuple[report.Figures, list[str | None]]:
    """The step over HTTP on each of `items`; its figures and the items it wrote."""
    requests = []
    for item in items:
        call = step.call(item)
        requests.append(
            http_request(host, port, call.method, call.path, token, call.body, call.headers)
        )
    async with HttpWrites(host, port, requests, concurrency, step.expected) as load:
        got = await run_series(load.call, concurrency, len(requests), seconds)
    written: list[str | None] = [str(orjson.loads(body)["id"]) for body in load.answers]
    return report.Figures.of(got), written


async def _floor_writes(
    dsn: str, replay: Replay, items: list[str | None], concurrency: int, seconds: float
) -> tuple[report.Figures, list[str | None]]:
    """The step's captured statements on each of `items`, each in one transaction."""
    runs: list[list[Statement]] = []
    written: list[str | None] = []
    for item in items:
        statements, mapping = replay.on(item)
        runs.append(statements)
        written.append(item if item is not None else mapping[replay.created])
    async with WriteFloor(dsn, runs, concurrency) as load:
        got = await run_series(load.call, concurrency, len(runs), seconds)
    return report.Figures.of(got), written[: got.count]


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
        "'work_mem', 'effective_cache_size', 'max_connections', 'jit', 'random_page_cost',"
        " 'max_wal_size', 'checkpoint_timeout', 'wal_level')"
    )
    settings = {}
    for r in rows:
        value, unit = r["setting"], r["unit"]
        if unit == "8kB":
            value = f"{int(value) * 8 // 1024}MB"
        elif unit == "kB":
            value = f"{int(value) // 1024}MB"
        elif unit in ("MB", "s"):
            value = f"{value}{unit}"
        settings[r["name"]] = value
    return report.machine_facts(f"PostgreSQL {version}", settings, target.where)


def check_disk(rows: int) -> None:
    """About 3 GB per million rows of each of tasks and issues; say so, refuse if short."""
    needed = DISK_PER_MILLION * rows / 1_000_000
    free = shutil.disk_usage(report.REPO).free
    log(f"{rows:,} rows of each need about {needed / GB:.1f} GB; {free / GB:.1f} GB free")
    if free < needed:
        raise SystemExit(f"not enough free disk: {needed / GB:.1f} GB needed")


async def run(args: argparse.Namespace) -> None:
    started = report.now()
    target = database.choose(args.database)
    secret = secrets.token_urlsafe(48)
    # The in-process app (the statements captured for the floors) reads these, like the
    # server does.
    os.environ.update(
        DATABASE_URL=target.url,
        SECRET_KEY=secret,
        ENVIRONMENT="production",
        ACCESS_TOKEN_MINUTES="240",
    )
    from app.core.config import get_settings
    from app.core.db import dispose_engine
    from app.core.migrate import upgrade
    from app.main import create_app

    get_settings.cache_clear()
    log(f"database {target.url.split('@')[-1]} ({target.where})")
    reused = None
    if args.reuse and await database.exists(target):
        conn = await asyncpg.connect(target.url)
        reused = await seed.load_existing(conn)
        await conn.close()
    if reused is None:
        check_disk(args.rows)
        await database.recreate(target)
    await database.tune(target)
    try:
        await asyncio.to_thread(upgrade, target.sqlalchemy_url)
        conn = await asyncpg.connect(target.url)
        try:
            machine = await facts(conn, target)
            if reused is not None:
                seeded = reused
                log(f"reusing the database as it is: {seeded.rows:,} tasks")
            else:
                seeded = await seed.seed_tree(conn, seed.Shape())
                log(f"seeding {args.rows:,} tasks and {args.rows:,} issues")
                await seed.load(target.url, conn, seeded, args.rows, datetime.now(UTC), log)
            details = await seed.details(conn, seeded)
            phase = report.Phase(rows=seeded.rows, visible=await seed.visible_counts(conn, seeded))
            kinds = {
                r["kind"]: r["n"]
                for r in await conn.fetch("SELECT kind, count(*) AS n FROM org_units GROUP BY kind")
            }
            users = int(await conn.fetchval("SELECT count(*) FROM users"))
            grants = int(await conn.fetchval("SELECT count(*) FROM grants"))
            phase.sizes = await seed.sizes(conn)
        finally:
            await conn.close()
        log(f"visible (tasks, issues): {phase.visible}")
        await settle(args)
        phase.busy = await asyncio.to_thread(busy_processes)
        if phase.busy:
            log(f"other processes busy: {', '.join(phase.busy)}")
        clock = Clock(args.time_limit)
        phase.load.append(os.getloadavg())
        with Server(target.url, secret) as server:
            tokens = {c: server.login(u, seed.PASSWORD) for c, (u, _) in seeded.callers.items()}
            app = create_app()
            await measure_reads(args, target, server, app, tokens, details, phase, clock)
            phase.load.append(os.getloadavg())
            await measure_writes(args, target, server, app, tokens, seeded, phase, clock)
            await dispose_engine()
        phase.load.append(os.getloadavg())
    finally:
        if not (args.reuse or args.keep):
            log("dropping the benchmark database")
            await database.drop(target)
    command = "python -m bench" + (" " + shlex.join(sys.argv[1:]) if sys.argv[1:] else "")
    bench_args = os.environ.get("BENCH_ARGS")
    shown = f"make bench BENCH_ARGS={shlex.quote(bench_args)}" if bench_args else "make bench"
    record = report.Run(
        command=f"`{shown}` (runs `cd backend && {command}`)",
        started=started,
        finished=report.now(),
        machine=machine,
        callers={c: (u.name, u.kind) for c, (_, u) in seeded.callers.items()},
        timings=seeded.timings,
        units_by_kind=kinds,
        users=users,
        grants=grants,
        phase=phase,
        concurrency=CONCURRENCY,
        requests=args.requests,
        writes=args.writes,
    )
    report.keep(record)
    report.write(args.output)
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
