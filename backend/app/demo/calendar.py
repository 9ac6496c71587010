"""The demo's 2027: entered as a root admin would, so that nothing the demo shows falls
outside the working-day calendar. The dates follow the usual pattern of the State
Council's schedule; they are demo data, not the published one."""

import uuid
from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from app.calendar.repository import CalendarRepository
from app.core.models import utcnow

YEAR_END = date(2027, 12, 31)
HOLIDAYS = {
    "元旦": ["2027-01-01", "2027-01-02", "2027-01-03"],
    "春节": [f"2027-02-{d:02d}" for d in range(5, 13)],
    "清明节": ["2027-04-03", "2027-04-04", "2027-04-05"],
    "劳动节": [f"2027-05-{d:02d}" for d in range(1, 6)],
    "端午节": ["2027-06-09", "2027-06-10", "2027-06-11"],
    "中秋节": ["2027-09-15", "2027-09-16", "2027-09-17"],
    "国庆节": [f"2027-10-{d:02d}" for d in range(1, 8)],
}
ADJUSTED = {
    "春节": ["2027-02-14", "2027-02-20"],
    "劳动节": ["2027-04-25", "2027-05-08"],
    "国庆节": ["2027-09-26", "2027-10-09"],
}


async def load_calendar_2027(session: AsyncSession, admin_id: uuid.UUID) -> None:
    calendar = await CalendarRepository.writing(session)
    now = utcnow()
    _, last = await calendar.coverage()
    if last is not None and last < YEAR_END:
        await calendar.fill_week(date(last.year + 1, 1, 1), YEAR_END, admin_id, now)
    days = [(date.fromisoformat(d), False, name) for name, ds in HOLIDAYS.items() for d in ds]
    days += [
        (date.fromisoformat(d), True, f"{name}补班") for name, ds in ADJUSTED.items() for d in ds
    ]
    await calendar.put_days(days, admin_id, now)
