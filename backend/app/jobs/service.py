"""The periodic jobs: what each does, when it runs, and how a period is run exactly once.

Each kind has a cron schedule read in `TIME_ZONE`. The worker defers one job per cron tick
(procrastinate: at most once per tick across every worker), and `run_period` runs it:
it claims (kind, tick) in job_runs and does the work in that same transaction, so a
period is done once however many workers picked it up. procrastinate skips ticks missed
by more than ten minutes (a server that was down), so every kind works from state, not
from the tick: each run does everything due up to now, whatever the gap since the last.
"""

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from app.chasing.service import sweep as chasing_sweep
from app.core.config import get_settings
from app.core.db import sessionmaker
from app.core.idempotency import PURGE_BATCH, purge_expired
from app.core.models import utcnow
from app.issues.repository import IssueRepository
from app.jobs.repository import JobRunRepository
from app.notifications.service import sweep_due
from app.stats.repository import StatsRepository
from app.tasks.repository import TaskRepository
from app.todo.repository import TodoRepository


@dataclass(frozen=True)
class JobKind:
    name: str
    cron: str  # in TIME_ZONE
    work: Callable[[AsyncSession, datetime], Awaitable[None]]  # (session, now)
    summary: str


async def _chasing_sweep(session: AsyncSession, now: datetime) -> None:
    await chasing_sweep(session, now)


async def _due_notices(session: AsyncSession, now: datetime) -> None:
    await sweep_due(session, now=now)


async def _colour_transitions(session: AsyncSession, now: datetime) -> None:
    for repository in (TaskRepository, IssueRepository):
        await (await repository.writing(session)).record_colours(now)


async def _idempotency_expiry(session: AsyncSession, now: datetime) -> None:
    while await purge_expired(session, now) == PURGE_BATCH:
        pass


async def _rollup_compaction(session: AsyncSession, _: datetime) -> None:
    await (await StatsRepository.writing(session)).compact()
    await (await TodoRepository.writing(session)).compact()


KINDS: dict[str, JobKind] = {
    kind.name: kind
    for kind in (
        JobKind(
            "chasing_sweep",
            "*/10 * * * *",
            _chasing_sweep,
            "the chasing ladder: every step due on late and unsigned items",
        ),
        JobKind(
            "due_notices",
            "*/5 * * * *",
            _due_notices,
            "due-soon and overdue notices to the units that must act",
        ),
        JobKind(
            "colour_transitions",
            "*/5 * * * *",
            _colour_transitions,
            "record the colours the clock changed (green to blue to yellow to red)",
        ),
        JobKind(
            "idempotency_expiry",
            "17 * * * *",
            _idempotency_expiry,
            "delete idempotency keys past their 7 days",
        ),
        JobKind(
            "rollup_compaction",
            "40 2 * * *",
            _rollup_compaction,
            "fold the dashboard's rollup slots and the to-do tallies, at night",
        ),
    )
}


def local_zone() -> ZoneInfo:
    return ZoneInfo(get_settings().time_zone)


def period_of(tick: datetime) -> str:
    """The period's key: its local start."""
    return tick.astimezone(local_zone()).isoformat()


async def run_period(kind: JobKind, tick: datetime) -> bool:
    """Run `kind` for the period starting at `tick`; False when that period was done already."""
    async with sessionmaker()() as session:
        runs = await JobRunRepository.writing(session)
        now = utcnow()
        if not await runs.claim(kind.name, period_of(tick), now):
            return False
        await kind.work(session, now)
        await session.commit()
        return True


async def record_failure(kind: JobKind, tick: datetime, attempts: int, error: str) -> None:
    """Keep the last attempt's failure where operators look (job_runs)."""
    async with sessionmaker()() as session:
        runs = await JobRunRepository.writing(session)
        await runs.record_failure(kind.name, period_of(tick), attempts, error, utcnow())
        await session.commit()
