"""Working days: counting them, stepping over them, and entering later years.

Past the stored days nothing is guessed: a count or a limit that needs a day not yet
entered is refused (422 `calendar-not-covered`), and `/health/ready` warns 60 days ahead.
"""

from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import asyncpg
from sqlalchemy.ext.asyncio import AsyncSession

from app.access.roles import Role
from app.access.scope import Principal
from app.calendar.repository import CalendarRepository
from app.calendar.schemas import MAX_RANGE_DAYS, Overrides
from app.core.config import get_settings
from app.core.errors import Forbidden, Unprocessable
from app.core.models import utcnow

# A limit in working days ends at this local time on its last day.
DAY_ENDS_AT = time(18, 0)
# /health/ready warns this many days before the calendar runs out.
COVERAGE_WARNING_DAYS = 60
# How far ahead an admin may enter the calendar.
MAX_YEARS_AHEAD = 10


class CalendarNotCovered(Unprocessable):
    slug = "calendar-not-covered"

    def __init__(self, needed: date, covered: tuple[date | None, date | None]) -> None:
        first, last = covered
        super().__init__(
            f"The working-day calendar does not cover {needed.isoformat()} yet "
            f"(it covers {first} to {last}); a root admin enters later years under "
            "PUT /api/v1/calendar/overrides.",
            extra={
                "covered_from": first and first.isoformat(),
                "covered_until": last and last.isoformat(),
            },
        )


def local_zone() -> ZoneInfo:
    return ZoneInfo(get_settings().time_zone)


def local_date(moment: datetime) -> date:
    return moment.astimezone(local_zone()).date()


async def working_days(connection: asyncpg.Connection, first: date, last: date) -> dict[str, Any]:
    if last < first:
        raise Unprocessable("`to` is before `from`.")
    if (last - first).days >= MAX_RANGE_DAYS:
        raise Unprocessable(f"Ask for at most {MAX_RANGE_DAYS} days at a time.")
    calendar = CalendarRepository(connection)
    rows = await calendar.days(first, last)
    if len(rows) != (last - first).days + 1:
        stored = {r["day"] for r in rows}
        missing = next(
            first + timedelta(days=n)
            for n in range((last - first).days + 1)
            if first + timedelta(days=n) not in stored
        )
        raise CalendarNotCovered(missing, await calendar.coverage())
    days = [{"date": r["day"], "working": r["working"], "name": r["name"]} for r in rows]
    return {"working_days": sum(d["working"] for d in days), "days": days}


async def limit_after(connection: asyncpg.Connection, start: datetime, working: int) -> datetime:
    """The end of the `working`-th working day after `start`'s local date (18:00 local)."""
    calendar = CalendarRepository(connection)
    day = await calendar.working_day_after(local_date(start), working)
    if day is None:
        _, last = coverage = await calendar.coverage()
        raise CalendarNotCovered((last or local_date(start)) + timedelta(days=1), coverage)
    return datetime.combine(day, DAY_ENDS_AT, local_zone())


async def coverage(connection: asyncpg.Connection) -> tuple[date | None, date | None]:
    return await CalendarRepository(connection).coverage()


async def readiness(connection: asyncpg.Connection) -> dict[str, Any]:
    """What /health/ready says of the calendar: how far it goes, and a warning
    COVERAGE_WARNING_DAYS before it runs out (limits past it are refused)."""
    _, last = await coverage(connection)
    today = local_date(utcnow())
    warnings = []
    if last is None or (last - today).days < COVERAGE_WARNING_DAYS:
        warnings.append(
            f"The working-day calendar covers days only until {last}: a root admin enters "
            "the next year under PUT /api/v1/calendar/overrides."
        )
    return {
        "status": "warning" if warnings else "ok",
        "database": "ok",
        "calendar_covered_until": last,
        "warnings": warnings,
    }


def _is_root_admin(principal: Principal) -> bool:
    return any(g.role == Role.admin and len(g.path) == 1 for g in principal.grants)


async def put_overrides(
    session: AsyncSession, principal: Principal, body: Overrides
) -> dict[str, Any]:
    """Write the given days (and, with `covered_until`, the ordinary week up to it)."""
    if not _is_root_admin(principal):
        raise Forbidden("Only an admin of a root unit enters the working-day calendar.")
    calendar = await CalendarRepository.writing(session)
    now = utcnow()
    today = local_date(now)
    horizon = date(today.year + MAX_YEARS_AHEAD, 12, 31)
    latest = max(
        [d.date for d in body.days] + ([body.covered_until] if body.covered_until else []),
        default=None,
    )
    if latest is not None and latest > horizon:
        raise Unprocessable(f"The calendar can be entered up to {horizon.isoformat()}.")
    first, last = await calendar.coverage()
    if body.covered_until and last and body.covered_until > last:
        await calendar.fill_week(
            last + timedelta(days=1), body.covered_until, principal.user_id, now
        )
    beyond = [
        d.date for d in body.days if last is None or d.date > max(last, body.covered_until or last)
    ]
    if beyond:
        raise Unprocessable(
            f"{min(beyond).isoformat()} is past the calendar's coverage; "
            "extend it with `covered_until` in the same request."
        )
    changed = await calendar.put_days(
        [(d.date, d.working, d.name) for d in body.days], principal.user_id, now
    )
    first, last = await calendar.coverage()
    assert first is not None and last is not None
    return {"changed": changed, "covered_from": first, "covered_until": last}
