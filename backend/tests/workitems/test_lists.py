"""Task and issue lists: filters, sorts both ways, keyset pagination that neither repeats nor
skips while others insert, and overdue / due-soon at their boundaries."""

import asyncio
import logging
import secrets
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from app.access.roles import Role
from app.core.config import get_settings
from app.core.db import reader
from app.core.models import utcnow
from app.issues.repository import TABLE as ISSUES
from app.stats.repository import StatsRepository
from app.tasks.repository import TABLE as TASKS
from tests.support import World
from tests.workitems.helpers import assert_problem, headers, insert_issue, insert_task, ts

SORTS = ["due_at", "-due_at", "created_at", "-created_at", "updated_at", "-updated_at"]


def parse(value: str) -> datetime:
    return datetime.fromisoformat(value)


async def collect(
    client: httpx.AsyncClient,
    url: str,
    hdrs: dict[str, str],
    params: dict[str, Any],
    between_pages: Any = None,
) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    cursor = None
    while True:
        query = {**params, **({"cursor": cursor} if cursor else {})}
        response = await client.get(url, params=query, headers=hdrs)
        assert response.status_code == 200, response.text
        body = response.json()
        items.extend(body["items"])
        cursor = body["next_cursor"]
        if cursor is None:
            return items
        if between_pages is not None:
            await between_pages()


def assert_sorted(items: list[dict[str, Any]], sort: str) -> None:
    field = sort.lstrip("-")
    keys = [(parse(i[field]), uuid.UUID(i["id"])) for i in items]
    assert keys == sorted(keys, reverse=sort.startswith("-"))


@pytest.mark.parametrize("sort", SORTS)
async def test_task_pages_neither_repeat_nor_skip_while_others_insert(
    client: httpx.AsyncClient, world: World, sort: str
) -> None:
    tag = f"page-{secrets.token_hex(4)}"
    now = utcnow()
    same_due = now + timedelta(days=2)
    same_created = now - timedelta(hours=1)
    original = set()
    for n in range(21):
        extra: dict[str, Any] = {}
        if n % 3 == 0:  # ties on every sort key: the id breaks them
            extra = {"created_at": same_created, "updated_at": same_created}
        task_id = await insert_task(
            world,
            "S11",
            "M111",
            title=f"{tag} {n}",
            due_at=same_due if n % 2 else now + timedelta(hours=n * 5 - 40),
            **extra,
        )
        original.add(str(task_id))

    async def insert_more() -> None:
        for k in range(2):
            await insert_task(
                world, "S11", "M112", title=f"{tag} new", due_in=timedelta(hours=k * 30 - 20)
            )

    items = await collect(
        client,
        "/api/v1/tasks",
        headers(world, Role.leader, "S11"),
        {"q": tag, "sort": sort, "limit": 4},
        between_pages=insert_more,
    )
    ids = [i["id"] for i in items]
    assert len(ids) == len(set(ids)), "a row was repeated"
    assert original <= set(ids), "a row was skipped"
    assert_sorted(items, sort)


async def test_pagination_with_truly_concurrent_inserts(
    client: httpx.AsyncClient, world: World
) -> None:
    tag = f"conc-{secrets.token_hex(4)}"
    original = {
        str(await insert_task(world, "S11", "M111", title=f"{tag} {n}", due_in=timedelta(hours=n)))
        for n in range(30)
    }
    done = asyncio.Event()

    async def writer() -> None:
        n = 0
        while not done.is_set() and n < 25:
            await insert_task(world, "S11", "M111", title=f"{tag} w{n}", due_in=timedelta(hours=n))
            n += 1
            await asyncio.sleep(0)

    async def reader() -> list[dict[str, Any]]:
        try:
            return await collect(
                client,
                "/api/v1/tasks",
                headers(world, Role.officer, "M111"),
                {"q": tag, "sort": "due_at", "limit": 3},
                between_pages=lambda: asyncio.sleep(0.005),
            )
        finally:
            done.set()

    items, _ = await asyncio.gather(reader(), writer())
    ids = [i["id"] for i in items]
    assert len(ids) == len(set(ids))
    assert original <= set(ids)
    assert_sorted(items, "due_at")


async def test_order_parameter_sets_the_direction(client: httpx.AsyncClient, world: World) -> None:
    tag = f"order-{secrets.token_hex(4)}"
    for n in range(3):
        await insert_task(world, "S11", "M111", title=f"{tag} {n}", due_in=timedelta(days=n + 1))
    hdrs = headers(world, Role.officer, "S11")
    asc = await client.get("/api/v1/tasks", params={"q": tag, "sort": "due_at"}, headers=hdrs)
    desc = await client.get(
        "/api/v1/tasks", params={"q": tag, "sort": "due_at", "order": "desc"}, headers=hdrs
    )
    assert [i["id"] for i in desc.json()["items"]] == [i["id"] for i in asc.json()["items"]][::-1]


async def test_task_filters(client: httpx.AsyncClient, world: World) -> None:
    tag = f"filter-{secrets.token_hex(4)}"
    now = utcnow()
    a = await insert_task(
        world,
        "S11",
        "M111",
        title=f"{tag} Alpha",
        status="accepted",
        priority="urgent",
        source="meeting",
        due_at=now + timedelta(days=1),
    )
    b = await insert_task(
        world,
        "S11",
        "M112",
        title=f"{tag} beta",
        status="done",
        source="policy",
        due_at=now - timedelta(days=1),
    )
    c = await insert_task(
        world,
        "C1",
        "S11",
        title=f"{tag} gamma",
        status="in_progress",
        due_at=now - timedelta(hours=2),
    )
    d = await insert_task(world, "T1", "M121", title=f"{tag} delta", due_at=now + timedelta(days=9))
    e = await insert_task(
        world, "S11", "M111", title=f"{tag} sub", parent_id=a, due_at=now + timedelta(days=1)
    )
    hdrs = headers(world, Role.observer, "C1")

    async def ids(**params: Any) -> set[uuid.UUID]:
        response = await client.get("/api/v1/tasks", params={"q": tag, **params}, headers=hdrs)
        assert response.status_code == 200, response.text
        return {uuid.UUID(i["id"]) for i in response.json()["items"]}

    assert await ids() == {a, b, c, d, e}
    assert await ids(status=["accepted", "done"]) == {a, b}
    assert await ids(status="in_progress") == {c}
    assert await ids(issuer_org_id=str(world.unit("S11").id)) == {a, b, e}
    assert await ids(assignee_org_id=str(world.unit("S11").id)) == {c}
    assert await ids(assignee_org_id=str(uuid.uuid4())) == set()
    assert await ids(within_org_id=str(world.unit("S12").id)) == {d}
    assert await ids(within_org_id=str(world.unit("M111").id)) == {a, e}
    assert await ids(parent_id=str(a)) == {e}
    assert await ids(overdue="true") == {c}
    assert await ids(overdue="false") == {a, b, d, e}
    assert await ids(due_soon="true") == {a, e}
    assert await ids(due_before=ts(now)) == {b, c}
    assert await ids(due_after=ts(now)) == {a, d, e}
    assert await ids(due_after=ts(now), due_before=ts(now + timedelta(days=2))) == {a, e}
    assert await ids(priority="urgent") == {a}
    assert await ids(source="policy") == {b}
    assert await ids(q=f"{tag} alp") == {a}  # case-insensitive
    # Party names come with every item, even for units the caller cannot read.
    listed = (await client.get("/api/v1/tasks", params={"q": f"{tag} delta"}, headers=hdrs)).json()
    assert listed["items"][0]["issuer_org_name"] == world.unit("T1").name
    assert listed["items"][0]["assignee_org_name"] == world.unit("M121").name


async def test_issue_filters(client: httpx.AsyncClient, world: World) -> None:
    tag = f"ifilter-{secrets.token_hex(4)}"
    now = utcnow()
    a = await insert_issue(
        world, "M111", "S11", title=f"{tag} a", status="resolved", category="land", severity="high"
    )
    b = await insert_issue(world, "M111", "C1", title=f"{tag} b", status="closed", category="power")
    c = await insert_issue(
        world, "M112", title=f"{tag} c", category="land", due_at=now - timedelta(hours=1)
    )
    d = await insert_issue(
        world,
        "E1",
        "D1",
        title=f"{tag} d",
        status="acknowledged",
        category="labour",
        severity="critical",
        due_at=now + timedelta(hours=3),
    )
    hdrs = headers(world, Role.leader, "C1")

    async def ids(**params: Any) -> set[uuid.UUID]:
        response = await client.get("/api/v1/issues", params={"q": tag, **params}, headers=hdrs)
        assert response.status_code == 200, response.text
        return {uuid.UUID(i["id"]) for i in response.json()["items"]}

    assert await ids() == {a, b, c, d}
    assert await ids(category="land") == {a, c}
    assert await ids(category=["land", "labour"]) == {a, c, d}
    assert await ids(severity="critical") == {d}
    assert await ids(status="open") == {c}
    assert await ids(handler_org_id=str(world.unit("S11").id)) == {a}
    assert await ids(reporter_org_id=str(world.unit("M111").id)) == {a, b}
    assert await ids(within_org_id=str(world.unit("S11").id)) == {a, b, c}
    assert await ids(resolved_tier="street") == {a}
    assert await ids(resolved_tier="county") == {b}
    assert await ids(overdue="true") == {c}
    assert await ids(due_soon="true") == {d}
    for sort in SORTS:
        items = await collect(client, "/api/v1/issues", hdrs, {"q": tag, "sort": sort, "limit": 1})
        assert len(items) == 4
        assert_sorted(items, sort)


@pytest.mark.parametrize("kind", ["tasks", "issues"])
async def test_bad_list_parameters(client: httpx.AsyncClient, world: World, kind: str) -> None:
    hdrs = headers(world, Role.officer, "S11")
    url = f"/api/v1/{kind}"
    assert_problem(await client.get(url, params={"limit": 201}, headers=hdrs), 422)
    assert_problem(await client.get(url, params={"limit": 0}, headers=hdrs), 422)
    assert_problem(await client.get(url, params={"cursor": "nonsense!"}, headers=hdrs), 422)
    assert_problem(await client.get(url, params={"sort": "title"}, headers=hdrs), 422)
    lost = assert_problem(await client.get(url, params={"status": "lost"}, headers=hdrs), 422)
    assert [e["loc"] for e in lost["errors"]] == [["query", "status", "0"]]
    vague = await client.get(url, params={"overdue": "maybe", "limit": "x"}, headers=hdrs)
    assert {tuple(e["loc"]) for e in assert_problem(vague, 422)["errors"]} == {
        ("query", "overdue"),
        ("query", "limit"),
    }
    unknown = await client.get(url, params={"colour": "red"}, headers=hdrs)
    assert unknown.status_code == 200  # unknown parameters are ignored, as elsewhere
    assert_problem(
        await client.get(url, params={"due_before": "2026-01-01T00:00"}, headers=hdrs), 422
    )
    if kind == "tasks":
        await insert_task(world, "S11", "M111")
        await insert_task(world, "S11", "M111")
    else:
        await insert_issue(world, "S11")
        await insert_issue(world, "S11")
    page = await client.get(url, params={"limit": 1, "sort": "due_at"}, headers=hdrs)
    cursor = page.json()["next_cursor"]
    assert cursor
    other = await client.get(url, params={"cursor": cursor, "sort": "-created_at"}, headers=hdrs)
    assert_problem(other, 422, "sort")
    assert (await client.get(url, params={"limit": 200}, headers=hdrs)).status_code == 200


def test_overdue_and_due_soon_boundaries() -> None:
    now = datetime(2026, 5, 1, 12, 0, tzinfo=UTC)
    tick = timedelta(microseconds=1)
    day = timedelta(days=1)
    for table, open_status, closed in (
        (TASKS, "in_progress", ("done", "cancelled")),
        (ISSUES, "acknowledged", ("resolved", "closed")),
    ):
        assert table.is_overdue(now - tick, open_status, now)
        assert not table.is_overdue(now, open_status, now)  # due this instant: not yet late
        # Due soon is blue's window: from blue_from (inclusive) until the due date.
        assert table.is_due_soon(now, now - day, open_status, now)
        assert table.is_due_soon(now + day, now, open_status, now)
        assert not table.is_due_soon(now + day, now + tick, open_status, now)
        assert not table.is_due_soon(now - tick, now - day, open_status, now)  # overdue
        assert not table.is_due_soon(now + day, None, open_status, now)
        for status in closed:
            assert not table.is_overdue(now - day, status, now)
            assert not table.is_due_soon(now + tick, now - day, status, now)


@pytest.mark.parametrize("kind", ["tasks", "issues"])
async def test_flags_and_filters_agree_near_the_boundaries(
    client: httpx.AsyncClient, world: World, kind: str
) -> None:
    tag = f"edge-{secrets.token_hex(4)}"
    now = utcnow()
    minute = timedelta(minutes=1)
    async with reader() as connection:  # due soon ends 18:00 of the 2nd working day after today
        soon_until = await StatsRepository(connection).due_soon_until(now) - now
    cases = {  # due offset -> (overdue, due_soon)
        -timedelta(days=3): (True, False),
        -minute: (True, False),
        minute: (False, True),
        soon_until - minute: (False, True),
        soon_until + minute: (False, False),
    }
    expected: dict[str, tuple[bool, bool]] = {}
    for offset, flags in cases.items():
        if kind == "tasks":
            item_id = await insert_task(world, "S11", "M111", title=tag, due_at=now + offset)
        else:
            item_id = await insert_issue(world, "M111", title=tag, due_at=now + offset)
        expected[str(item_id)] = flags
    closed_id = (
        await insert_task(world, "S11", "M111", title=tag, status="done", due_at=now - minute)
        if kind == "tasks"
        else await insert_issue(world, "M111", title=tag, status="resolved", due_at=now - minute)
    )
    expected[str(closed_id)] = (False, False)
    hdrs = headers(world, Role.officer, "M111")
    items = (await client.get(f"/api/v1/{kind}", params={"q": tag}, headers=hdrs)).json()["items"]
    assert {i["id"]: (i["overdue"], i["due_soon"]) for i in items} == expected
    for flag, index in (("overdue", 0), ("due_soon", 1)):
        for value in (True, False):
            response = await client.get(
                f"/api/v1/{kind}", params={"q": tag, flag: str(value).lower()}, headers=hdrs
            )
            got = {i["id"] for i in response.json()["items"]}
            assert got == {k for k, v in expected.items() if v[index] is value}, (flag, value)
    single = await client.get(f"/api/v1/{kind}/{next(iter(expected))}", headers=hdrs)
    assert single.json()["overdue"] is True


@pytest.mark.parametrize("kind", ["tasks", "issues"])
async def test_a_slow_page_is_read_again_scope_first_with_the_same_items(
    client: httpx.AsyncClient,
    world: World,
    kind: str,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """When the index walk is too slow (a unit whose items are all old), the page is read
    with the scope gathered first: the same items, in the same order, page by page."""
    tag = f"slow-{secrets.token_hex(4)}"
    now = utcnow()
    for n in range(9):
        due = now + timedelta(hours=n * 7 - 30)
        if kind == "tasks":
            status = "done" if n % 4 == 0 else "accepted"
            await insert_task(world, "S11", "M111", title=f"{tag} {n}", due_at=due, status=status)
        else:
            await insert_issue(world, "M111", "S11", title=f"{tag} {n}", due_at=due)
    url, hdrs = f"/api/v1/{kind}", headers(world, Role.leader, "S11")
    queries: list[dict[str, Any]] = [
        {"q": tag, "sort": sort, "limit": 2} for sort in ("-created_at", "due_at", "-updated_at")
    ]
    queries += [{"q": tag, "overdue": "false", "limit": 3}, {"q": tag, "due_soon": "true"}]
    walked = [await collect(client, url, hdrs, query) for query in queries]
    assert all(walked) and len(walked[0]) == 9

    monkeypatch.setattr(get_settings(), "list_scope_first_after_ms", 0.001)  # always too slow
    with caplog.at_level(logging.WARNING, logger="liandong"):
        gathered = [await collect(client, url, hdrs, query) for query in queries]
    assert [[i["id"] for i in page] for page in gathered] == [
        [i["id"] for i in page] for page in walked
    ]
    assert "scope first" in caplog.text


@pytest.mark.parametrize("kind", ["tasks", "issues"])
@pytest.mark.parametrize("sort", ["-created_at", "created_at"])
async def test_the_default_list_reads_the_unit_feed_with_the_same_items(
    client: httpx.AsyncClient, world: World, kind: str, sort: str
) -> None:
    """Unfiltered, newest or oldest first, a list reads the unit feed; with a filter that
    keeps everything it walks the table. Both give the same items in the same order, page
    by page, also right after an item moves to another unit."""
    url = f"/api/v1/{kind}"
    if kind == "tasks":
        moved = await insert_task(world, "S11", "M111", title="moves")
        move = "UPDATE tasks SET assignee_org_id = $1, assignee_path = $2 WHERE id = $3"
    else:
        moved = await insert_issue(world, "M111", "M111", title="moves")
        move = "UPDATE issues SET handler_org_id = $1, handler_path = $2 WHERE id = $3"
    target = world.unit("M112")
    async with reader() as connection:
        await connection.execute(move, target.id, list(target.path), moved)
    keep_all = {"due_after": "2000-01-01T00:00:00+00:00"}
    for role, unit in ((Role.officer, "M112"), (Role.officer, "M111"), (Role.leader, "C1")):
        hdrs = headers(world, role, unit)
        from_feed = await collect(client, url, hdrs, {"sort": sort, "limit": 50})
        walked = await collect(client, url, hdrs, {"sort": sort, "limit": 50, **keep_all})
        assert [i["id"] for i in from_feed] == [i["id"] for i in walked]
        # M111 keeps an issue it reported; a task it no longer works on leaves its list.
        expected = unit != "M111" or kind == "issues"
        assert (str(moved) in {i["id"] for i in from_feed}) == expected
