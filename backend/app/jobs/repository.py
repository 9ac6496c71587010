"""Every statement on job_runs."""

from datetime import datetime
from typing import Any

from sqlalchemy.dialects import postgresql

from app.core.repository import Repository
from app.jobs.models import JobRun, RunStatus

_TABLE = JobRun.__table__  # type: ignore[attr-defined]


class JobRunRepository(Repository):
    async def claim(self, kind: str, period: str, now: datetime) -> bool:
        """Take (kind, period) for this transaction's work; False when it is already done.

        A failed period is taken again. A concurrent claim waits on the key until the
        first transaction ends, then sees the outcome. Through the session, so that the
        claim opens the transaction the work's plain SQL then joins.
        """
        insert = postgresql.insert(_TABLE).values(
            kind=kind, period=period, status=RunStatus.done.value, attempts=1, finished_at=now
        )
        claimed = await self.session.execute(
            insert.on_conflict_do_update(
                index_elements=["kind", "period"],
                set_={
                    "status": insert.excluded.status,
                    "error": None,
                    "finished_at": insert.excluded.finished_at,
                    "attempts": _TABLE.c.attempts + 1,
                },
                where=_TABLE.c.status == RunStatus.failed.value,
            ).returning(_TABLE.c.kind)
        )
        return claimed.first() is not None

    async def record_failure(
        self, kind: str, period: str, attempts: int, error: str, now: datetime
    ) -> None:
        insert = postgresql.insert(_TABLE).values(
            kind=kind,
            period=period,
            status=RunStatus.failed.value,
            attempts=attempts,
            error=error[:2000],
            finished_at=now,
        )
        await self.session.execute(
            insert.on_conflict_do_update(
                index_elements=["kind", "period"],
                set_={
                    "attempts": insert.excluded.attempts,
                    "error": insert.excluded.error,
                    "finished_at": insert.excluded.finished_at,
                },
                where=_TABLE.c.status == RunStatus.failed.value,
            )
        )

    async def runs(self, kind: str) -> list[dict[str, Any]]:
        """The kind's recorded runs, oldest first."""
        rows = await self.fetch(
            "SELECT kind, period, status, attempts, error, finished_at FROM job_runs"
            " WHERE kind = $1 ORDER BY period",
            kind,
        )
        return [dict(r) for r in rows]
