"""Every statement on calendar_days."""

import uuid
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from app.calendar.days import WEEKEND, WORKING_DAY
from app.calendar.models import DaySource
from app.core.repository import Repository


class CalendarRepository(Repository):
    # ---------------------------------------------------------------- reads (plain SQL)

    async def days(self, first: date, last: date) -> list[Any]:
        """The stored days from `first` to `last` inclusive, in order."""
        return list(
            await self.fetch(
                "SELECT day, working, name FROM calendar_days"
                " WHERE day BETWEEN $1 AND $2 ORDER BY day",
                first,
                last,
            )
        )

    async def coverage(self) -> tuple[date | None, date | None]:
        """(first, last) stored day."""
        row = await self.fetchrow("SELECT min(day) AS first, max(day) AS last FROM calendar_days")
        return (row["first"], row["last"]) if row else (None, None)

    async def working_day_after(self, day: date, n: int) -> date | None:
        """The n-th working day after `day` (n >= 1); None past the stored days."""
        return await self._nth_working_day("day > $1", "", day, n)

    async def working_day_back(self, day: date, n: int) -> date | None:
        """The n-th working day counting back from `day`, `day` included (n >= 1); None
        before the stored days."""
        return await self._nth_working_day("day <= $1", "DESC", day, n)

    async def _nth_working_day(self, bound: str, order: str, day: date, n: int) -> date | None:
        """The n-th working day within `bound`, in `order`: the last of the first n working
        days read in order off the day's key, n rows at most; None when there are fewer."""
        found: date | None = await self.fetchval(
            f"SELECT (array_agg(day ORDER BY day {order}))[$2] FROM (SELECT day"
            f" FROM calendar_days WHERE {bound} AND working ORDER BY day {order} LIMIT $2) d",
            day,
            n,
        )
        return found

    # ---------------------------------------------------------------- inside a write

    async def fill_week(self, first: date, last: date, by: uuid.UUID, now: datetime) -> None:
        """Store the ordinary week for the days from `first` to `last` not stored yet."""
        await self.execute(
            "INSERT INTO calendar_days (day, working, name, source, updated_by, updated_at)"
            " SELECT d::date, extract(isodow FROM d) < 6,"
            " CASE WHEN extract(isodow FROM d) < 6 THEN $3 ELSE $4 END, $5, $6, $7"
            " FROM generate_series($1::date, $2::date, interval '1 day') AS d"
            " ON CONFLICT (day) DO NOTHING",
            first,
            last,
            WORKING_DAY,
            WEEKEND,
            DaySource.week.value,
            by,
            now,
        )

    async def put_days(
        self, days: Sequence[tuple[date, bool, str]], by: uuid.UUID, now: datetime
    ) -> int:
        """Write (day, working, name) over what is stored; how many days changed."""
        changed: int = await self.fetchval(
            "WITH given AS (SELECT * FROM unnest($1::date[], $2::bool[], $3::text[])"
            " AS g(day, working, name)),"
            " written AS (INSERT INTO calendar_days"
            " (day, working, name, source, updated_by, updated_at)"
            " SELECT day, working, name, $4, $5, $6 FROM given"
            " ON CONFLICT (day) DO UPDATE SET working = EXCLUDED.working,"
            " name = EXCLUDED.name, source = EXCLUDED.source,"
            " updated_by = EXCLUDED.updated_by, updated_at = EXCLUDED.updated_at"
            " WHERE (calendar_days.working, calendar_days.name)"
            " IS DISTINCT FROM (EXCLUDED.working, EXCLUDED.name)"
            " RETURNING 1)"
            " SELECT count(*) FROM written",
            [d for d, _, _ in days],
            [w for _, w, _ in days],
            [n for _, _, n in days],
            DaySource.override.value,
            by,
            now,
        )
        return changed
