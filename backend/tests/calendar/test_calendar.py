"""Working days: the seed against chinese-calendar, holidays and adjusted days, overrides
for later years, limits in working days, and who may do what."""

from datetime import UTC, date, datetime, timedelta

import chinese_calendar
import httpx
import pytest

from app.access.roles import Role
from app.calendar import service
from app.core.db import reader
from tests.calendar.authz_matrix import CALENDAR_ROUTES, CALLER_UNITS, expected_status
from tests.support import ROLES, World

PROBLEM_JSON = "application/problem+json"


async def working_days(
    client: httpx.AsyncClient, world: World, first: date, last: date
) -> httpx.Response:
    return await client.get(
        "/api/v1/calendar/working-days",
        params={"from": first.isoformat(), "to": last.isoformat()},
        headers=world.actor(Role.observer, "M111").headers,
    )


@pytest.mark.parametrize("year", [2019, 2024, 2025, 2026])
async def test_every_day_agrees_with_chinese_calendar(
    client: httpx.AsyncClient, world: World, year: int
) -> None:
    response = await working_days(client, world, date(year, 1, 1), date(year, 12, 31))
    assert response.status_code == 200, response.text
    body = response.json()
    days = body["days"]
    assert len(days) == (date(year, 12, 31) - date(year, 1, 1)).days + 1
    for day in days:
        assert day["working"] == chinese_calendar.is_workday(date.fromisoformat(day["date"]))
    assert body["working_days"] == sum(d["working"] for d in days)


async def test_national_day_spring_festival_and_an_adjusted_saturday(
    client: httpx.AsyncClient, world: World
) -> None:
    # National Day 2025: 1-8 October off; Sunday 28 September and Saturday 11 October worked.
    body = (await working_days(client, world, date(2025, 9, 27), date(2025, 10, 12))).json()
    by_date = {d["date"]: d for d in body["days"]}
    assert by_date["2025-09-27"] == {"date": "2025-09-27", "working": False, "name": "周末"}
    assert by_date["2025-09-28"] == {"date": "2025-09-28", "working": True, "name": "国庆节补班"}
    assert by_date["2025-10-01"]["name"] == "国庆节" and not by_date["2025-10-01"]["working"]
    assert by_date["2025-10-08"]["working"] is False
    assert by_date["2025-10-09"] == {"date": "2025-10-09", "working": True, "name": "工作日"}
    assert by_date["2025-10-11"] == {"date": "2025-10-11", "working": True, "name": "国庆节补班"}
    assert by_date["2025-10-12"]["working"] is False
    # 27 Sep to 12 Oct: 28 Sep, 29 and 30 Sep, 9, 10 and 11 Oct.
    assert body["working_days"] == 6
    # Spring Festival 2026: 15 to 23 February off, Saturday 14 and 28 February worked.
    body = (await working_days(client, world, date(2026, 2, 14), date(2026, 2, 28))).json()
    working = [d["date"] for d in body["days"] if d["working"]]
    assert working[0] == "2026-02-14" and working[-1] == "2026-02-28"
    assert "2026-02-16" not in working and "2026-02-24" in working
    names = {d["date"]: d["name"] for d in body["days"]}
    assert names["2026-02-17"] == "春节" and names["2026-02-14"] == "春节补班"


async def test_a_limit_in_working_days_ends_at_18_00_local() -> None:
    async with reader() as connection:
        # Issued on Tuesday 30 September 2025 at 23:30 local: the days counted start on
        # 1 October; the holiday runs to the 8th, so 2 working days end on Friday 10 Oct.
        issued = datetime(2025, 9, 30, 15, 30, tzinfo=UTC)
        assert await service.limit_after(connection, issued, 2) == datetime(
            2025, 10, 10, 10, 0, tzinfo=UTC
        )
        # 00:30 local on 1 October is already 1 October: the 9th is the first working day.
        issued = datetime(2025, 9, 30, 16, 30, tzinfo=UTC)
        assert await service.limit_after(connection, issued, 1) == datetime(
            2025, 10, 9, 10, 0, tzinfo=UTC
        )


async def test_past_the_calendar_nothing_is_guessed(
    client: httpx.AsyncClient, world: World
) -> None:
    response = await working_days(client, world, date(2040, 12, 30), date(2041, 1, 2))
    assert response.status_code == 422
    assert response.headers["content-type"] == PROBLEM_JSON
    problem = response.json()
    assert problem["type"].endswith("calendar-not-covered")
    assert "2041-01-01" in problem["detail"] or "2040-12-30" in problem["detail"]
    async with reader() as connection:
        with pytest.raises(service.CalendarNotCovered):
            await service.limit_after(connection, datetime(2040, 12, 1, tzinfo=UTC), 400)


async def test_bad_ranges_are_refused(client: httpx.AsyncClient, world: World) -> None:
    backwards = await working_days(client, world, date(2026, 3, 2), date(2026, 3, 1))
    assert backwards.status_code == 422
    too_long = await working_days(client, world, date(2020, 1, 1), date(2026, 1, 1))
    assert too_long.status_code == 422
    missing = await client.get(
        "/api/v1/calendar/working-days",
        params={"from": "2026-03-01"},
        headers=world.actor(Role.observer, "M111").headers,
    )
    assert missing.status_code == 422


async def test_a_root_admin_enters_a_later_year(client: httpx.AsyncClient, world: World) -> None:
    admin = world.actor(Role.admin, "P").headers
    async with reader() as connection:
        _, covered_until = await service.coverage(connection)
    assert covered_until is not None
    # A year well past everything else the tests use: 2031's New Year and an adjusted
    # Sunday, entered with the coverage extended to the end of that year.
    start = covered_until + timedelta(days=1)
    year_end = date(2031, 12, 31)
    put = await client.put(
        "/api/v1/calendar/overrides",
        json={
            "covered_until": year_end.isoformat(),
            "days": [
                {"date": "2031-01-01", "working": False, "name": "元旦"},
                {"date": "2031-01-05", "working": True, "name": "元旦补班"},
            ],
        },
        headers=admin,
    )
    assert put.status_code == 200, put.text
    assert put.json()["covered_until"] == year_end.isoformat()
    body = (await working_days(client, world, date(2030, 12, 29), date(2031, 1, 6))).json()
    names = [(d["date"], d["working"], d["name"]) for d in body["days"]]
    assert names == [
        ("2030-12-29", False, "周末"),
        ("2030-12-30", True, "工作日"),
        ("2030-12-31", True, "工作日"),
        ("2031-01-01", False, "元旦"),
        ("2031-01-02", True, "工作日"),
        ("2031-01-03", True, "工作日"),
        ("2031-01-04", False, "周末"),
        ("2031-01-05", True, "元旦补班"),
        ("2031-01-06", True, "工作日"),
    ]
    assert start <= date(2030, 12, 29)
    # The same request again changes nothing.
    again = await client.put(
        "/api/v1/calendar/overrides",
        json={"days": [{"date": "2031-01-01", "working": False, "name": "元旦"}]},
        headers=admin,
    )
    assert again.status_code == 200 and again.json()["changed"] == 0
    # A day past the coverage needs the coverage extended with it; nothing is written.
    beyond = await client.put(
        "/api/v1/calendar/overrides",
        json={"days": [{"date": "2032-02-01", "working": False, "name": "春节"}]},
        headers=admin,
    )
    assert beyond.status_code == 422 and beyond.headers["content-type"] == PROBLEM_JSON
    after = await working_days(client, world, date(2032, 2, 1), date(2032, 2, 1))
    assert after.status_code == 422
    twice = await client.put(
        "/api/v1/calendar/overrides",
        json={
            "days": [
                {"date": "2031-01-01", "working": False, "name": "元旦"},
                {"date": "2031-01-01", "working": True, "name": "工作日"},
            ]
        },
        headers=admin,
    )
    assert twice.status_code == 422


CASES = [
    pytest.param(route, role, unit, id=f"{route[0]} {route[1]} {role.value}@{unit}")
    for route in sorted(CALENDAR_ROUTES)
    for role in ROLES
    for unit in CALLER_UNITS
]


@pytest.mark.parametrize(("route", "role", "unit"), CASES)
async def test_calendar_matrix(
    client: httpx.AsyncClient, world: World, route: tuple[str, str], role: Role, unit: str
) -> None:
    method, path = route
    headers = world.actor(role, unit).headers
    if method == "GET":
        response = await client.get(
            path, params={"from": "2026-10-01", "to": "2026-10-31"}, headers=headers
        )
    else:
        # An unchanged day: a permitted caller changes nothing, others are refused.
        response = await client.put(
            path,
            json={"days": [{"date": "2026-10-01", "working": False, "name": "国庆节"}]},
            headers=headers,
        )
    expected = expected_status(method, role, unit)
    assert response.status_code == expected, response.text
    if expected != 200:
        assert response.headers["content-type"] == PROBLEM_JSON


async def test_readiness_reports_the_calendar_and_warns_before_it_runs_out(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with reader() as connection:
        _, covered_until = await service.coverage(connection)
    assert covered_until is not None
    ready = await client.get("/api/v1/health/ready")
    assert ready.status_code == 200
    body = ready.json()
    assert body["database"] == "ok"
    assert body["calendar_covered_until"] == covered_until.isoformat()
    # 60 days before the last covered day (local), the answer warns; 61 days before, not.
    for days_left, status in ((61, "ok"), (59, "warning")):
        moment = datetime.combine(covered_until - timedelta(days=days_left), datetime.min.time())
        monkeypatch.setattr(service, "utcnow", lambda moment=moment: moment.replace(tzinfo=UTC))
        body = (await client.get("/api/v1/health/ready")).json()
        assert body["status"] == status, days_left
        assert bool(body["warnings"]) == (status == "warning")
