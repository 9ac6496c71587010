"""The rollup tables: stats_rebuild() recomputes exactly what the triggers maintained,
stats_compact() folds slots without changing a sum, and overdue / due soon are right at
their boundaries whichever bucket (day, hour, live) an item falls in."""

import asyncio
import itertools
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from sqlmodel import SQLModel, col

from app.access.roles import Role
from app.core.db import sessionmaker
from app.grants.models import Grant
from app.issues.models import Issue
from app.orgs.models import OrgKind, OrgUnit
from app.orgs.service import insert_org
from app.stats.models import IssueDueBucket, IssueRollup, TaskDueBucket, TaskRollup
from app.tasks.models import Task
from tests.stats.reference import expected_summary, load_raw
from tests.stats.test_summary import SUMMARY, freeze, summary_of
from tests.support import World, make_user, token_for
from tests.workitems.helpers import insert_issue, insert_task

ROLLUPS: list[tuple[type[SQLModel], list[str], list[str]]] = [
    (TaskRollup, ["org_key", "status", "priority"], ["n", "on_time", "timed", "seconds"]),
    (
        IssueRollup,
        ["org_key", "dimension", "value"],
        ["n", "timed", "seconds", "rated", "rating_sum"],
    ),
    (TaskDueBucket, ["org_key", "hours", "start_hour"], ["n"]),
    (IssueDueBucket, ["org_key", "hours", "start_hour"], ["n"]),
]


async def snapshot() -> dict[str, dict[tuple[Any, ...], tuple[int, ...]]]:
    """Every counter summed over slots, without the ones that add up to zero."""
    found: dict[str, dict[tuple[Any, ...], tuple[int, ...]]] = {}
    async with sessionmaker()() as session:
        for model, keys, sums in ROLLUPS:
            key_cols = [col(getattr(model, k)) for k in keys]
            rows = (
                await session.execute(
                    sa.select(
                        *key_cols, *[sa.func.sum(col(getattr(model, c))) for c in sums]
                    ).group_by(*key_cols)
                )
            ).all()
            found[model.__tablename__] = {  # type: ignore[index]
                tuple(r[: len(keys)]): tuple(int(v) for v in r[len(keys) :])
                for r in rows
                if any(r[len(keys) :])
            }
    return found


async def physical_rows() -> list[tuple[int, bool]]:
    """(slot, all counters zero) of every stored row."""
    rows: list[tuple[int, bool]] = []
    async with sessionmaker()() as session:
        for model, _, sums in ROLLUPS:
            result = await session.execute(
                sa.select(*[col(getattr(model, c)) for c in ["slot", *sums]])
            )
            rows += [(r[0], not any(r[1:])) for r in result]
    return rows


async def call(function: str) -> None:
    async with sessionmaker()() as session:
        await session.execute(sa.text(f"SELECT {function}()"))
        await session.commit()


async def test_rebuild_and_compact_give_identical_counters(world: World) -> None:
    await insert_task(world, "C2", "M221", status="done", completed_at=datetime.now(UTC))
    await insert_task(world, "S22", "M222", status="accepted")
    await insert_issue(world, "M222", "C2", status="closed")

    # Writes from several connections land in several slots.
    async def write(label: str) -> None:
        async with sessionmaker()() as session:
            await session.execute(
                sa.update(Task)
                .where(col(Task.assignee_org_id) == world.unit(label).id)
                .values(priority="urgent")
            )
            await asyncio.sleep(0.05)  # hold the connection so the others open their own
            await session.commit()

    await asyncio.gather(*(write(label) for label in ("M211", "M212", "M221", "M222")))
    maintained = await snapshot()
    assert maintained["stats_task_rollups"] and maintained["stats_issue_rollups"]
    assert maintained["stats_task_due"]

    await call("stats_compact")
    assert await snapshot() == maintained
    assert all(slot == 0 and not zero for slot, zero in await physical_rows())

    await call("stats_rebuild")
    assert await snapshot() == maintained
    assert all(slot == 0 and not zero for slot, zero in await physical_rows())


async def test_truncate_clears_the_counters_of_that_table(maintenance_url: str) -> None:
    """Checked on a scratch database of its own (truncating the shared one would not do)."""
    import asyncpg

    from app.core.config import to_asyncpg_url
    from app.core.db_urls import with_database
    from app.core.migrate import upgrade

    name = f"liandong_stats_{uuid.uuid4().hex[:8]}"
    url = with_database(maintenance_url, name)
    admin = await asyncpg.connect(maintenance_url)
    await admin.execute(f'CREATE DATABASE "{name}"')
    try:
        await asyncio.to_thread(upgrade, to_asyncpg_url(url))
        conn = await asyncpg.connect(url)
        try:
            await conn.execute(
                "INSERT INTO org_units (id, name, kind, tier, path) "
                "VALUES (gen_random_uuid(), 'p', 'prefecture', 'prefecture', '{1}')"
            )
            org = await conn.fetchval("SELECT id FROM org_units")
            await conn.execute(
                "INSERT INTO tasks (id, title, issuer_org_id, issuer_path, assignee_org_id, "
                "assignee_path, due_at, priority, source, status) VALUES (gen_random_uuid(), "
                "'t', $1, '{1}', $1, '{1}', now(), 'normal', 'other', 'issued')",
                org,
            )
            await conn.execute(
                "INSERT INTO issues (id, title, category, severity, status, reporter_org_id, "
                "reporter_path, handler_org_id, handler_path, due_at) VALUES "
                "(gen_random_uuid(), 'i', 'land', 'low', 'open', $1, '{1}', $1, '{1}', now())",
                org,
            )
            counted = "SELECT (SELECT sum(n) FROM stats_task_rollups), "
            counted += "(SELECT sum(n) FROM stats_issue_rollups WHERE dimension = 'status')"
            assert tuple(await conn.fetchrow(counted)) == (1, 1)
            await conn.execute("TRUNCATE tasks CASCADE")  # with task_feed, which refers to it
            assert tuple(await conn.fetchrow(counted)) == (None, 1)
            assert await conn.fetchval("SELECT count(*) FROM stats_task_due") == 0
        finally:
            await conn.close()
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


# Moments that put `now` and `now + 48 h` at the start, inside and at the end of an hour,
# a day and a 30-day bucket (2031-03-12 starts one), so each boundary falls in every kind
# of bucket.
ANCHORS = [
    datetime(2031, 3, 10, 0, 0, tzinfo=UTC),
    datetime(2031, 3, 10, 1, 0, tzinfo=UTC),
    datetime(2031, 3, 10, 13, 0, tzinfo=UTC),
    datetime(2031, 3, 10, 13, 27, 41, 123456, tzinfo=UTC),
    datetime(2031, 3, 10, 23, 59, 59, 999999, tzinfo=UTC),
    datetime(2031, 3, 11, 23, 59, 59, 999999, tzinfo=UTC),
    datetime(2031, 3, 12, 0, 0, tzinfo=UTC),
    datetime(2031, 3, 12, 0, 0, 0, 1, tzinfo=UTC),
]
US = timedelta(microseconds=1)
H = timedelta(hours=1)
OFFSETS = [
    -49 * H,
    -25 * H,
    -H,
    -US,
    timedelta(0),
    US,
    timedelta(minutes=59),
    H,
    23 * H,
    48 * H - US,
    48 * H,
    48 * H + US,
    49 * H,
    72 * H,
    timedelta(days=30),
]


async def _boundary_world() -> tuple[World, dict[str, str]]:
    """A prefecture of its own (R > RC > RS > RM, RM2), and an observer at R."""
    world = World()
    tag = uuid.uuid4().hex[:6]
    async with sessionmaker()() as session:
        parent: OrgUnit | None = None
        for label, kind in (
            ("R", OrgKind.prefecture),
            ("RC", OrgKind.county),
            ("RS", OrgKind.street),
            ("RM", OrgKind.community),
        ):
            parent = await insert_org(session, name=f"{label}-{tag}", kind=kind, parent=parent)
            world.units[label] = parent
        world.units["RM2"] = await insert_org(
            session, name=f"RM2-{tag}", kind=OrgKind.community, parent=world.units["RS"]
        )
        user = await make_user(session, f"stats-obs-{tag}", password_hash="x")
        session.add(Grant(user_id=user.id, org_id=world.units["R"].id, role="observer"))
        token = await token_for(session, user)
        await session.commit()
    return world, {"Authorization": f"Bearer {token}"}


def _item(world: World, n: int, due_at: datetime) -> tuple[Task, Issue]:
    u = world.units
    task_status = ("issued", "in_progress", "done", "cancelled", "submitted")[n % 5]
    assignee = u["RM"] if n % 2 else u["RS"]
    task = Task(
        title=f"boundary {n}",
        issuer_org_id=u["RC"].id,
        issuer_path=list(u["RC"].path),
        assignee_org_id=assignee.id,
        assignee_path=list(assignee.path),
        due_at=due_at,
        status=task_status,
        submitted_at=due_at + (n % 3 - 1) * H if task_status in ("done", "submitted") else None,
        completed_at=due_at + (n % 3) * H if task_status == "done" else None,
    )
    issue_status = ("open", "acknowledged", "resolved", "open", "closed")[n % 5]
    resolved = issue_status in ("resolved", "closed")
    handler = u["RS"] if n % 3 else u["RM"]
    issue = Issue(
        title=f"boundary {n}",
        category="water",
        severity=("low", "normal", "high", "critical")[n % 4],
        status=issue_status,
        reporter_org_id=u["RM"].id,
        reporter_path=list(u["RM"].path),
        handler_org_id=handler.id,
        handler_path=list(handler.path),
        due_at=due_at,
        resolved_by_org_id=handler.id if resolved else None,
        resolved_tier=handler.tier if resolved else None,
        resolved_at=datetime.now(UTC) if resolved else None,
        rating=1 + n % 5 if issue_status == "closed" else None,
    )
    return task, issue


async def test_overdue_and_due_soon_at_their_boundaries(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    world, observer = await _boundary_world()
    moments = [a + o for a, o in itertools.product(ANCHORS, OFFSETS)]
    async with sessionmaker()() as session:  # one multi-row INSERT per table
        pairs = [_item(world, n, due) for n, due in enumerate(moments)]
        session.add_all([t for t, _ in pairs] + [i for _, i in pairs])
        await session.commit()

    async def check(at: datetime) -> None:
        freeze(monkeypatch, at)
        raw = await load_raw()
        for label, unit in world.units.items():
            body = await summary_of(client, observer, unit.id)
            expected = expected_summary(raw, unit.id, at)
            assert body["tasks"] == expected["tasks"], (label, at)
            assert body["issues"] == expected["issues"], (label, at)

    for anchor in ANCHORS:
        await check(anchor)
    for moment in (ANCHORS[3] - US, ANCHORS[4] + US, ANCHORS[2] + 30 * H, ANCHORS[0] - 48 * H):
        await check(moment)
    at = ANCHORS[3]
    freeze(monkeypatch, at)
    rs = await summary_of(client, observer, world.units["RS"].id)
    assert rs["tasks"]["overdue"] > 0 and rs["tasks"]["due_soon"] > 0
    assert rs["issues"]["overdue"] > 0 and rs["issues"]["due_soon"] > 0

    # Moving due dates and closing items moves them between buckets.
    async with sessionmaker()() as session:
        await session.execute(
            sa.update(Task)
            .where(col(Task.title).in_([f"boundary {n}" for n in range(0, 30, 2)]))
            .values(due_at=col(Task.due_at) + 25 * H)
        )
        await session.execute(
            sa.update(Issue)
            .where(col(Issue.title).in_([f"boundary {n}" for n in range(0, 30, 3)]))
            .values(status="resolved", resolved_tier="street", resolved_at=at)
        )
        await session.commit()
    for anchor in ANCHORS:
        await check(anchor)


async def test_summary_without_a_frozen_clock(client: httpx.AsyncClient, world: World) -> None:
    from tests.workitems.helpers import headers

    response = await client.get(
        SUMMARY,
        params={"org_id": str(world.unit("C1").id)},
        headers=headers(world, Role.leader, "C1"),
    )
    assert response.status_code == 200, response.text
    as_of = datetime.fromisoformat(response.json()["as_of"])
    assert abs(as_of - datetime.now(UTC)) < timedelta(minutes=5)
