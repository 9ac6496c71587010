"""Periodic jobs on procrastinate: local cron, once per period, retries, the worker's life."""

import asyncio
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg
import procrastinate
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.db_urls import plain_url
from app.core.models import utcnow
from app.jobs import worker as jobs_worker
from app.jobs.repository import JobRunRepository
from app.jobs.service import KINDS, JobKind, run_period
from app.main import create_app


async def _fetch(database_url: str, sql: str, *args: Any) -> list[asyncpg.Record]:
    conn = await asyncpg.connect(plain_url(database_url))
    try:
        return list(await conn.fetch(sql, *args))
    finally:
        await conn.close()


async def _runs(kind: str) -> list[dict[str, Any]]:
    from app.core.db import reader

    async with reader() as connection:
        return await JobRunRepository(connection).runs(kind)


def _next_tick(app: procrastinate.App, name: str, after: datetime) -> datetime:
    periodic = app.periodic_registry.periodic_tasks[(name, name)]
    next_at = periodic.croniter.get_next(ret_type=float, start_time=after.timestamp())
    return datetime.fromtimestamp(next_at, UTC)


def test_cron_reads_local_time() -> None:
    app = jobs_worker.create_jobs_app()
    # "40 2 * * *" is 02:40 in Asia/Shanghai, 18:40 UTC the day before.
    after = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
    assert _next_tick(app, "rollup_compaction", after) == datetime(2026, 12, 1, 18, 40, tzinfo=UTC)
    # "17 * * * *" has no hour: the same instant in any zone.
    assert _next_tick(app, "idempotency_expiry", after) == datetime(2026, 12, 1, 12, 17, tzinfo=UTC)


async def test_a_period_runs_once_however_many_runs_start_it() -> None:
    done: list[datetime] = []

    async def count(_: AsyncSession, now: datetime) -> None:
        await asyncio.sleep(0.05)  # both runs are in flight together
        done.append(now)

    kind = JobKind(f"count_{uuid.uuid4().hex[:8]}", "* * * * *", count, "counts")
    tick = datetime(2026, 12, 2, 1, 5, tzinfo=UTC)
    ran = await asyncio.gather(*(run_period(kind, tick) for _ in range(3)))
    assert sorted(ran) == [False, False, True]
    assert len(done) == 1
    assert await run_period(kind, tick + timedelta(minutes=1))
    runs = await _runs(kind.name)
    assert [(r["period"], r["status"]) for r in runs] == [
        ("2026-12-02T09:05:00+08:00", "done"),
        ("2026-12-02T09:06:00+08:00", "done"),
    ]


# The workers' own deferrer must not add a tick of its own while a test runs.
NEVER_NOW = "0 3 1 1 *"


@pytest.fixture
async def queue(database_url: str) -> AsyncIterator[None]:
    """procrastinate's tables, emptied of what a test deferred."""
    yield
    conn = await asyncpg.connect(plain_url(database_url))
    try:
        await conn.execute("SET search_path TO procrastinate")  # its triggers expect it
        await conn.execute("DELETE FROM procrastinate_jobs")
    finally:
        await conn.close()


async def _job_statuses(database_url: str, task_name: str) -> list[str]:
    rows = await _fetch(
        database_url,
        "SELECT status::text FROM procrastinate.procrastinate_jobs WHERE task_name = $1"
        " ORDER BY id",
        task_name,
    )
    return [r["status"] for r in rows]


async def test_two_workers_do_a_deferred_period_once(database_url: str, queue: None) -> None:
    done: list[datetime] = []

    async def count(_: AsyncSession, now: datetime) -> None:
        await asyncio.sleep(0.2)
        done.append(now)

    kind = JobKind(f"count_{uuid.uuid4().hex[:8]}", NEVER_NOW, count, "counts")
    app = procrastinate.App(connector=jobs_worker.connector())
    jobs_worker.register(app, kind, jobs_worker.RETRY)
    tick = int(datetime(2026, 12, 2, 1, 10, tzinfo=UTC).timestamp())
    async with app.open_async():
        # The same period deferred twice (as two deferrers might), taken by two workers.
        for _ in range(2):
            await app.tasks[kind.name].defer_async(timestamp=tick)
        await asyncio.gather(
            app.run_worker_async(wait=False, install_signal_handlers=False, name="one"),
            app.run_worker_async(wait=False, install_signal_handlers=False, name="two"),
        )
    assert len(done) == 1
    assert await _job_statuses(database_url, kind.name) == ["succeeded", "succeeded"]
    assert [r["status"] for r in await _runs(kind.name)] == ["done"]


async def test_a_failing_job_is_retried_then_recorded(database_url: str, queue: None) -> None:
    attempts: list[datetime] = []

    async def fail(_: AsyncSession, now: datetime) -> None:
        attempts.append(now)
        raise RuntimeError("the rollup table is locked")

    kind = JobKind(f"fail_{uuid.uuid4().hex[:8]}", NEVER_NOW, fail, "fails")
    app = procrastinate.App(connector=jobs_worker.connector())
    jobs_worker.register(app, kind, procrastinate.RetryStrategy(max_attempts=2))
    tick = datetime(2026, 12, 2, 1, 15, tzinfo=UTC)
    async with app.open_async():
        await app.tasks[kind.name].defer_async(timestamp=int(tick.timestamp()))
        # A worker that stops when the queue is empty, again, until the job has settled
        # (each retry is queued as the previous attempt ends).
        for _ in range(10):
            await app.run_worker_async(wait=False, install_signal_handlers=False)
            if await _job_statuses(database_url, kind.name) == ["failed"]:
                break
    assert len(attempts) == 3  # the first try and two retries
    assert await _job_statuses(database_url, kind.name) == ["failed"]
    [run] = await _runs(kind.name)
    assert run["status"] == "failed" and run["attempts"] == 3
    assert run["error"] == "RuntimeError: the rollup table is locked"
    # Once the cause is gone, the period can still be done (by `liandong jobs run` or a
    # later tick), and the record says so.

    async def succeed(_: AsyncSession, now: datetime) -> None:
        attempts.append(now)

    assert await run_period(JobKind(kind.name, kind.cron, succeed, "works"), tick)
    [run] = await _runs(kind.name)
    assert run["status"] == "done" and run["error"] is None


async def test_jobs_catch_up_after_downtime(client: Any, world: Any) -> None:
    """Ticks missed while nothing ran are not replayed (procrastinate skips those older
    than ten minutes); the first run after the gap does everything that fell due in it."""
    from app.access.roles import Role
    from tests.workitems.helpers import headers, insert_task

    now = utcnow()
    fell_due = [
        await insert_task(world, "S11", "M111", status="in_progress", due_at=now - gap)
        for gap in (timedelta(days=3), timedelta(days=1), timedelta(minutes=1))
    ]
    assert await run_period(KINDS["due_notices"], now)
    response = await client.get(
        "/api/v1/notifications",
        params={"limit": 200},
        headers=headers(world, Role.officer, "M111"),
    )
    noticed = {(n["entity_id"], n["kind"]) for n in response.json()["items"]}
    assert {(str(t), "task_overdue") for t in fell_due} <= noticed


async def test_idempotency_keys_expire_by_the_job(database_url: str) -> None:
    user_id = (await _fetch(database_url, "SELECT id FROM users LIMIT 1"))[0]["id"]
    now = utcnow()
    keys = {f"expiry-{uuid.uuid4().hex}": now - timedelta(seconds=1) for _ in range(3)}
    kept = f"expiry-{uuid.uuid4().hex}"
    keys[kept] = now + timedelta(days=1)
    for key, expires_at in keys.items():
        await _fetch(
            database_url,
            "INSERT INTO idempotency_keys (user_id, key, fingerprint, method, path, created_at,"
            " expires_at) VALUES ($1, $2, 'f', 'POST', '/x', $3, $4)",
            user_id,
            key,
            expires_at - timedelta(days=7),
            expires_at,
        )
    assert await run_period(KINDS["idempotency_expiry"], now)
    left = await _fetch(
        database_url, "SELECT key FROM idempotency_keys WHERE key = ANY($1)", list(keys)
    )
    assert [r["key"] for r in left] == [kept]


async def test_the_server_runs_a_worker_while_it_runs(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from app.core.config import get_settings

    monkeypatch.setattr(get_settings(), "run_worker", True)
    app = create_app()
    workers = "SELECT count(*) AS n FROM procrastinate.procrastinate_workers"
    before = (await _fetch(database_url, workers))[0]["n"]
    async with app.router.lifespan_context(app):
        for _ in range(200):
            if (await _fetch(database_url, workers))[0]["n"] == before + 1:
                break
            await asyncio.sleep(0.05)
        assert (await _fetch(database_url, workers))[0]["n"] == before + 1
    assert (await _fetch(database_url, workers))[0]["n"] == before
