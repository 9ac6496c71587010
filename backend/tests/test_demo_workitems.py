"""The demo's work items (issue 3, item 9): loaded by `python -m app.cli demo` through the
task and issue services, twice into one scratch database (the load is repeatable)."""

import os
import subprocess
import sys
import uuid
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import asyncpg
import pytest

from app.core.db_urls import plain_url, with_database
from app.demo.workitems import KEY_POLICIES, TASKFORCE

BACKEND = Path(__file__).resolve().parents[1]


def _demo(database_url: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "app.cli", "demo"],
        cwd=BACKEND,
        env={**os.environ, "DATABASE_URL": database_url},
        capture_output=True,
        text=True,
        timeout=300,
    )


COUNTS = {
    "tasks": "SELECT status, count(*) AS n FROM tasks GROUP BY status",
    "issues": "SELECT status || '/' || coalesce(resolved_tier, '-') AS status, count(*) AS n "
    "FROM issues GROUP BY 1",
    "events": "SELECT action AS status, count(*) AS n FROM item_events GROUP BY action",
    "feedback": "SELECT kind AS status, count(*) AS n FROM feedback GROUP BY kind",
}


class Demo:
    def __init__(self, conn: asyncpg.Connection, runs: list[dict[str, dict[str, int]]]) -> None:
        self.conn = conn
        self.runs = runs

    async def rows(self, sql: str, *args: Any) -> list[asyncpg.Record]:
        return list(await self.conn.fetch(sql, *args))

    async def value(self, sql: str, *args: Any) -> Any:
        return await self.conn.fetchval(sql, *args)


async def _counts(conn: asyncpg.Connection) -> dict[str, dict[str, int]]:
    return {
        name: {r["status"]: r["n"] for r in await conn.fetch(sql)} for name, sql in COUNTS.items()
    }


@pytest.fixture(scope="module")
async def demo(maintenance_url: str) -> AsyncIterator[Demo]:
    name = f"liandong_demo_{uuid.uuid4().hex[:8]}"
    admin = await asyncpg.connect(plain_url(maintenance_url))
    await admin.execute(f'CREATE DATABASE "{name}"')
    url = with_database(maintenance_url, name)
    conn: asyncpg.Connection | None = None
    try:
        runs = []
        for _ in range(2):  # `make demo` twice: each run erases and loads afresh
            result = _demo(url)
            assert result.returncode == 0, result.stderr
            conn = await asyncpg.connect(plain_url(url))
            runs.append(await _counts(conn))
            await conn.close()
        conn = await asyncpg.connect(plain_url(url))
        yield Demo(conn, runs)
    finally:
        if conn is not None:
            await conn.close()
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


async def test_the_load_is_repeatable(demo: Demo) -> None:
    first, second = demo.runs
    assert first == second
    assert sum(first["tasks"].values()) == await demo.value("SELECT count(*) FROM tasks")


async def test_eleven_policy_items_from_the_task_force_to_departments(demo: Demo) -> None:
    rows = await demo.rows(
        # The due date at issue (a 督办单 may have set a later one since).
        """SELECT t.title, t.priority, i.name AS issuer,
                  (SELECT (e.data->>'due_at')::timestamptz FROM item_events e
                   WHERE e.entity_id = t.id AND e.action = 'create') - t.created_at AS span,
                  a.kind AS assignee_kind, u.username AS created_by
           FROM tasks t JOIN org_units i ON i.id = t.issuer_org_id
           JOIN org_units a ON a.id = t.assignee_org_id
           JOIN users u ON u.id = t.created_by
           WHERE t.source = 'policy'"""
    )
    assert len(rows) == 11
    assert {r["issuer"] for r in rows} == {TASKFORCE}
    assert {r["assignee_kind"] for r in rows} == {"department"}
    assert {r["span"] for r in rows} == {timedelta(days=7)}
    assert {r["created_by"] for r in rows} == {"taskforce.leader"}
    urgent = sorted(r["title"] for r in rows if r["priority"] == "urgent")
    assert len(urgent) == 5
    for key in KEY_POLICIES:
        assert sum(key in title for title in urgent) == 1, key
    assert sum(r["priority"] == "normal" for r in rows) == 6
    # The five key ones were in place within their week.
    late = await demo.value(
        """SELECT count(*) FROM tasks WHERE source = 'policy' AND priority = 'urgent'
           AND (status <> 'done' OR completed_at > due_at)"""
    )
    assert late == 0


async def test_workshop_tasks_reach_the_communities_through_the_streets(demo: Demo) -> None:
    rows = await demo.rows(
        """SELECT p.title AS parent, pi.name AS issuer, pa.kind AS street_kind,
                  ca.kind AS child_kind, c.issuer_org_id = p.assignee_org_id AS issued_by_street
           FROM tasks c JOIN tasks p ON p.id = c.parent_id
           JOIN org_units pi ON pi.id = p.issuer_org_id
           JOIN org_units pa ON pa.id = p.assignee_org_id
           JOIN org_units ca ON ca.id = c.assignee_org_id"""
    )
    chains = [r for r in rows if r["issuer"] == TASKFORCE and r["street_kind"] == "street"]
    assert all(r["child_kind"] == "community" and r["issued_by_street"] for r in chains)
    for workshop in ("电子元件加工车间", "棒球生产加工车间"):
        assert any(workshop in r["parent"] for r in chains), workshop
    assert len({r["parent"] for r in chains}) >= 4
    communities = await demo.value(
        """SELECT count(DISTINCT t.assignee_org_id) FROM tasks t
           JOIN org_units a ON a.id = t.assignee_org_id WHERE a.kind = 'community'"""
    )
    assert communities == 5
    groups = await demo.value(
        """SELECT count(*) FROM tasks t JOIN org_units a ON a.id = t.assignee_org_id
           WHERE a.kind = 'group'"""
    )
    assert groups >= 2
    # The parents' subtask rollups are kept by the service.
    rollups = await demo.rows(
        """SELECT p.subtasks_total AS total, p.subtasks_done AS done,
                  (SELECT count(*) FROM tasks c WHERE c.parent_id = p.id
                     AND c.status <> 'cancelled') AS counted,
                  (SELECT count(*) FROM tasks c WHERE c.parent_id = p.id
                     AND c.status = 'done') AS counted_done
           FROM tasks p WHERE EXISTS (SELECT 1 FROM tasks c WHERE c.parent_id = p.id)"""
    )
    assert rollups and all(
        r["total"] == r["counted"] and r["done"] == r["counted_done"] for r in rollups
    )


async def test_tasks_stand_at_every_step_of_the_workflow(demo: Demo) -> None:
    status = demo.runs[-1]["tasks"]
    for wanted in ("issued", "accepted", "in_progress", "submitted", "done", "returned"):
        assert status.get(wanted, 0) >= 1, wanted
    assert await demo.value("SELECT count(*) FROM tasks WHERE extension_due_at IS NOT NULL") >= 1
    assert await demo.value("SELECT count(*) FROM item_events WHERE action = 'approve-extension'")
    # Done: completion feedback and a verification; in progress: progress feedback;
    # returned by the issuer: the reason as review feedback.
    missing = await demo.value(
        """SELECT count(*) FROM tasks t WHERE t.status = 'done' AND NOT (
             EXISTS (SELECT 1 FROM feedback f WHERE f.entity_id = t.id AND f.kind = 'completion')
             AND EXISTS (SELECT 1 FROM item_events e WHERE e.entity_id = t.id
                         AND e.action = 'verify'))"""
    )
    assert missing == 0
    assert await demo.value(
        """SELECT count(*) FROM tasks t WHERE t.status = 'in_progress' AND EXISTS (
             SELECT 1 FROM feedback f WHERE f.entity_id = t.id AND f.kind = 'progress')"""
    )
    assert await demo.value(
        """SELECT count(*) FROM tasks t WHERE t.status = 'returned' AND EXISTS (
             SELECT 1 FROM feedback f WHERE f.entity_id = t.id AND f.kind = 'review')"""
    )


async def test_issues_are_resolved_at_each_tier_as_in_the_report(demo: Demo) -> None:
    tiers = {
        r["resolved_tier"]: r["n"]
        for r in await demo.rows(
            """SELECT resolved_tier, count(*) AS n FROM issues
               WHERE status IN ('resolved', 'closed') GROUP BY resolved_tier"""
        )
    }
    # The report: prefecture 26, street 42, community 12, county 60+.
    assert set(tiers) == {"prefecture", "county", "street", "community"}
    assert tiers["county"] > tiers["street"] > tiers["prefecture"] > tiers["community"] > 0
    categories = {r["category"] for r in await demo.rows("SELECT category FROM issues")}
    assert {
        "land",
        "power",
        "water",
        "construction",
        "labour",
        "materials",
        "policy",
        "funding",
    } <= categories
    # Closed ones carry a 1-5 rating, stored as satisfaction feedback too.
    closed = await demo.rows(
        """SELECT i.rating, (SELECT count(*) FROM feedback f WHERE f.entity_id = i.id
                             AND f.kind = 'satisfaction') AS rated
           FROM issues i WHERE i.status = 'closed'"""
    )
    assert closed and all(1 <= r["rating"] <= 5 and r["rated"] >= 1 for r in closed)
    assert len({r["rating"] for r in closed}) >= 3
    assert await demo.value("SELECT count(*) FROM issues WHERE status = 'resolved'") >= 1
    # Escalated up the chain, delegated down it, reopened once.
    for action in ("escalate", "delegate", "reopen"):
        assert await demo.value(
            "SELECT count(*) FROM item_events WHERE entity_type = 'issue' AND action = $1", action
        ), action
    to_prefecture = await demo.value(
        """SELECT count(*) FROM item_events WHERE action = 'escalate'
           AND data->>'to_tier' = 'prefecture'"""
    )
    assert to_prefecture >= 1
    reporters = {
        r["kind"]
        for r in await demo.rows(
            "SELECT o.kind FROM issues i JOIN org_units o ON o.id = i.reporter_org_id"
        )
    }
    assert {"community", "street", "enterprise"} <= reporters


async def test_no_unit_judges_its_own_work(demo: Demo) -> None:
    """Separation of duties, in the demo's timelines: taken over, never escalated by a
    unit to itself; nobody verifies what they submitted or closes what they resolved."""
    taken = await demo.rows(
        """SELECT e.org_id::text AS by_unit, e.data->>'to_org_id' AS to_unit FROM item_events e
           WHERE e.entity_type = 'issue' AND e.action = 'taken_over'"""
    )
    assert len(taken) >= 3
    assert all(r["by_unit"] == r["to_unit"] for r in taken)
    to_itself = await demo.value(
        """SELECT count(*) FROM item_events
           WHERE action = 'escalate' AND org_id::text = data->>'to_org_id'"""
    )
    assert to_itself == 0
    for judged, judging in (("submit", "verify"), ("resolve", "close")):
        same = await demo.value(
            """SELECT count(*) FROM item_events j WHERE j.action = $2 AND j.actor_id = (
                 SELECT w.actor_id FROM item_events w
                 WHERE w.entity_id = j.entity_id AND w.action = $1 AND w.id < j.id
                 ORDER BY w.id DESC LIMIT 1)""",
            judged,
            judging,
        )
        assert same == 0, judging


async def test_some_items_are_open_overdue_or_due_soon(demo: Demo) -> None:
    issues = demo.runs[-1]["issues"]
    assert issues.get("open/-", 0) >= 1 and issues.get("acknowledged/-", 0) >= 1
    for table, open_statuses in (
        ("tasks", "status NOT IN ('done', 'cancelled')"),
        ("issues", "status IN ('open', 'acknowledged')"),
    ):
        overdue = await demo.value(
            f"""SELECT count(*) FROM {table} WHERE {open_statuses}
                AND due_at < now() - interval '1 day'"""
        )
        assert overdue >= 2, table
        due_soon = await demo.value(
            f"""SELECT count(*) FROM {table} WHERE {open_statuses}
                AND due_at BETWEEN now() AND now() + interval '48 hours'"""
        )
        assert due_soon >= 1, table


async def test_tasks_planned_overdue_carry_their_planned_due_date_in_their_timeline(
    demo: Demo,
) -> None:
    # The service refuses a past due date, so the loader creates those tasks due a moment
    # later and gives them their planned date when it backdates them.
    mismatched = await demo.value(
        """SELECT count(*) FROM tasks t JOIN item_events e
             ON e.entity_id = t.id AND e.action = 'create'
           WHERE (e.data->>'due_at')::timestamptz <> t.due_at
             AND NOT EXISTS (SELECT 1 FROM item_events x WHERE x.entity_id = t.id
                             AND x.action IN
                                 ('approve-extension', 'update', 'reissue', 'supervise'))"""
    )
    assert mismatched == 0
    assert await demo.value(
        """SELECT count(*) FROM tasks WHERE status NOT IN ('done', 'cancelled')
           AND due_at < now() - interval '1 day'"""
    )


async def test_the_demo_shows_every_colour_with_its_history(demo: Demo) -> None:
    """Every colour now, each recorded as the colour now (the transition job has nothing
    to do), and colour changes on the timelines, each from one colour to another."""
    colour_now = "colour_at(red_from, yellow, yellow_from, blue_from, now())"
    for colour in ("red", "yellow", "blue", "green"):
        count = await demo.value(
            "SELECT (SELECT count(*) FROM tasks WHERE colour = $1)"
            " + (SELECT count(*) FROM issues WHERE colour = $1)",
            colour,
        )
        assert count >= 1, colour
    for table in ("tasks", "issues"):
        stale = await demo.value(f"SELECT count(*) FROM {table} WHERE colour <> {colour_now}")
        assert stale == 0, table
    for entity in ("task", "issue"):
        changes = await demo.value(
            "SELECT count(*) FROM item_events WHERE action = 'colour_changed'"
            " AND entity_type = $1 AND data->>'from' <> data->>'to'",
            entity,
        )
        assert changes >= 3, entity
    assert await demo.value("SELECT count(*) FROM item_events WHERE at > now()") == 0


async def test_every_item_has_a_believable_timeline(demo: Demo) -> None:
    for table in ("tasks", "issues"):
        items = await demo.rows(
            f"""SELECT t.id, t.created_at, t.updated_at,
                       array_agg(e.action ORDER BY e.id) AS actions,
                       array_agg(e.at ORDER BY e.id) AS times
                FROM {table} t JOIN item_events e ON e.entity_id = t.id GROUP BY t.id"""
        )
        assert len(items) == await demo.value(f"SELECT count(*) FROM {table}")
        for item in items:
            assert item["actions"][0] == "create"
            times = item["times"]
            assert times[0] == item["created_at"]
            assert times == sorted(times)
            assert item["updated_at"] >= item["created_at"]
        span = await demo.rows(
            f"SELECT min(created_at) AS first, max(created_at) AS last, now() AS now FROM {table}"
        )
        first, last, now = span[0]["first"], span[0]["last"], span[0]["now"]
        assert timedelta(weeks=4) < now - first < timedelta(weeks=7)
        assert last < now
    assert await demo.value("SELECT count(*) FROM item_events WHERE at > now()") == 0
    assert await demo.value("SELECT count(*) FROM feedback WHERE created_at > now()") == 0
    # Feedback sits on its item's timeline at the moment of its action.
    assert (
        await demo.value(
            """SELECT count(*) FROM feedback f WHERE NOT EXISTS (SELECT 1 FROM item_events e
               WHERE e.entity_id = f.entity_id AND e.at = f.created_at)"""
        )
        == 0
    )
    # Issue due dates follow from creation and severity.
    spans = {
        r["severity"]: r["spans"]
        for r in await demo.rows(
            """SELECT severity, array_agg(DISTINCT due_at - created_at) AS spans
               FROM issues GROUP BY severity"""
        )
    }
    assert spans["normal"] == [timedelta(days=7)] and spans["high"] == [timedelta(days=3)]
    # Every change is in the audit log too, marked as the demo load's.
    audited = await demo.value(
        """SELECT count(DISTINCT entity_id) FROM audit_log
           WHERE entity_type IN ('task', 'issue') AND request_id = 'demo-load'
           AND entity_id IN (SELECT id::text FROM tasks UNION SELECT id::text FROM issues)"""
    )
    assert audited == await demo.value(
        "SELECT (SELECT count(*) FROM tasks) + (SELECT count(*) FROM issues)"
    )


async def test_demo_users_have_notifications(demo: Demo) -> None:
    kinds = {
        (r["username"], r["kind"])
        for r in await demo.rows(
            """SELECT u.username, n.kind FROM notifications n JOIN users u ON u.id = n.user_id"""
        )
    }
    for expected in (
        ("department.officer", "task_assigned"),
        ("community.officer", "task_assigned"),
        ("street.leader", "issue_escalated"),
        ("county.leader", "issue_escalated"),
        ("prefecture.leader", "issue_escalated"),
        ("department.officer", "issue_delegated"),
        ("taskforce.leader", "issue_delegated"),
        ("department.officer", "task_returned"),
    ):
        assert expected in kinds, expected
    assert any(kind.endswith("_overdue") for _, kind in kinds)
    assert any(kind.endswith("_due_soon") for _, kind in kinds)
    assert await demo.value("SELECT count(*) FROM notifications WHERE read_at IS NULL") >= 1
    assert await demo.value("SELECT count(*) FROM notifications WHERE read_at IS NOT NULL") >= 1
    assert await demo.value("SELECT count(*) FROM notifications WHERE created_at > now()") == 0


async def test_late_items_carry_their_chasing_history(demo: Demo) -> None:
    """Every step of the ladder on some late item, some acknowledged, one 督办单."""
    steps = {
        r["action"]
        for r in await demo.rows(
            "SELECT DISTINCT action FROM item_events WHERE action LIKE 'chase_%'"
        )
    }
    assert steps >= {
        "chase_reminder",
        "chase_notice",
        "chase_circular",
        "chase_supervision",
        "chase_acknowledged",
    }
    assert await demo.value("SELECT count(*) FROM item_events WHERE action = 'supervise'") == 1
    assert await demo.value("SELECT count(*) FROM chase_steps WHERE supervised_at IS NOT NULL") == 1
    acknowledged = await demo.value(
        "SELECT count(*) FROM notifications WHERE acknowledged_at IS NOT NULL"
    )
    waiting = await demo.value(
        "SELECT count(*) FROM notifications WHERE kind LIKE 'chase_%' AND acknowledged_at IS NULL"
    )
    assert acknowledged > 0 and waiting > 0
