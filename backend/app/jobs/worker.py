"""The procrastinate app: one periodic task per job kind, and the ways to run workers.

procrastinate reaches PostgreSQL through psycopg 3 with `search_path=procrastinate`, the
schema our migrations create from its pinned version's SQL (`PROCRASTINATE_VERSION`).
"""

import asyncio
import contextlib
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import croniter
import procrastinate
from procrastinate import JobContext, RetryStrategy

from app.core.config import get_settings
from app.core.db_urls import plain_url
from app.jobs.service import KINDS, JobKind, local_zone, record_failure, run_period

PROCRASTINATE_VERSION = "3.10.0"
SCHEMA = "procrastinate"
# A failing period is tried three times more, about 8 s, 14 s and 32 s apart, then recorded.
RETRY = RetryStrategy(max_attempts=3, wait=5, exponential_wait=3)


def connector() -> procrastinate.PsycopgConnector:
    settings = get_settings()
    return procrastinate.PsycopgConnector(
        conninfo=plain_url(settings.async_database_url()),
        kwargs={"options": f"-c search_path={SCHEMA}"},
        min_size=1,
        max_size=4,
    )


def register(app: procrastinate.App, kind: JobKind, retry: RetryStrategy) -> None:
    async def perform(context: JobContext, timestamp: int) -> None:
        tick = datetime.fromtimestamp(timestamp, UTC)
        try:
            await run_period(kind, tick)
        except Exception as error:
            attempts = (context.job.attempts if context.job else 0) + 1
            if attempts > (retry.max_attempts or 0):
                await record_failure(kind, tick, attempts, f"{type(error).__name__}: {error}")
            raise

    task = app.task(name=kind.name, pass_context=True, retry=retry, queue="periodic")(perform)
    periodic = app.periodic(cron=kind.cron, periodic_id=kind.name)(task)
    _read_cron_in_local_time(app, kind, periodic)


def _read_cron_in_local_time(app: procrastinate.App, kind: JobKind, task: Any) -> None:
    """procrastinate reads cron in UTC; our schedules are local (`TIME_ZONE`).

    Its periodic task builds a croniter on first use and keeps it; a croniter started at
    a zone-aware moment reads every later timestamp in that zone, so we give it one.
    """
    periodic_task = app.periodic_registry.periodic_tasks[(task.name, kind.name)]
    periodic_task.__dict__["croniter"] = croniter.croniter(kind.cron, datetime.now(local_zone()))


def create_jobs_app() -> procrastinate.App:
    app = procrastinate.App(connector=connector())
    for kind in KINDS.values():
        register(app, kind, RETRY)
    return app


async def run_worker(concurrency: int = 1, wait: bool = True) -> None:
    """A worker until stopped (or, with `wait=False`, until the queue is empty)."""
    app = create_jobs_app()
    async with app.open_async():
        await app.run_worker_async(concurrency=concurrency, wait=wait, install_signal_handlers=wait)


@contextlib.asynccontextmanager
async def worker_in_process() -> AsyncIterator[None]:
    """A worker beside the web server, in its event loop, for as long as the server runs."""
    app = create_jobs_app()
    async with app.open_async():
        worker = asyncio.create_task(app.run_worker_async(install_signal_handlers=False))
        try:
            yield
        finally:
            worker.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await worker
