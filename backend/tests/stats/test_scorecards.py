"""The scorecards equal a reference computed in Python from the raw rows (see
reference.py), after a scripted story: tasks accepted on time and late, submitted, returned
and resubmitted, verified, cancelled, re-issued to a sibling, overdue; issues escalated,
resolved on time and late, closed with ratings; items issued at 23:30 and 00:30 local."""

import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx
import pytest

from app.access.roles import Role
from app.calendar.service import local_date, local_zone
from app.core.models import utcnow
from app.issues.models import Issue
from app.tasks.models import Task, TaskStatus
from tests.stats.reference import expected_scorecards, load_score_raw
from tests.support import World, all_pages
from tests.workitems.helpers import (
    act,
    assert_problem,
    create_task,
    headers,
    insert_issue,
    insert_task,
    set_columns,
)

SCORECARDS = "/api/v1/stats/scorecards"
H = timedelta(hours=1)


def freeze(monkeypatch: pytest.MonkeyPatch, at: datetime) -> None:
    monkeypatch.setattr("app.stats.service.utcnow", lambda: at)


async def scorecards_of(
    client: httpx.AsyncClient, hdrs: dict[str, str], org_id: uuid.UUID, **period: str
) -> dict[str, Any]:
    response = await client.get(SCORECARDS, params={"org_id": str(org_id), **period}, headers=hdrs)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def assert_matches_reference(
    client: httpx.AsyncClient,
    world: World,
    monkeypatch: pytest.MonkeyPatch,
    at: datetime,
    first: date,
    last: date,
) -> None:
    freeze(monkeypatch, at)
    raw = await load_score_raw()
    period = {"from": first.isoformat(), "to": last.isoformat()}
    for label in ("P", "C1", "C2", "S11", "S12", "T1"):
        unit = world.unit(label)
        body = await scorecards_of(client, headers(world, Role.observer, "P"), unit.id, **period)
        assert (body["from"], body["to"]) == (first.isoformat(), last.isoformat())
        expected = expected_scorecards(raw, unit.id, first, last, at)
        assert {uuid.UUID(u["org_id"]) for u in body["units"]} == set(expected), label
        for card in body["units"]:
            assert card["metrics"] == expected[uuid.UUID(card["org_id"])], (label, card["name"])


def local(day: date, hour: int, minute: int) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=local_zone())


async def create_issue(
    client: httpx.AsyncClient, world: World, unit: str, **fields: Any
) -> dict[str, Any]:
    body = {"title": f"issue at {unit}", "category": "power", **fields}
    response = await client.post(
        "/api/v1/issues", json=body, headers=headers(world, Role.officer, unit)
    )
    assert response.status_code == 201, response.text
    data: dict[str, Any] = response.json()
    return data


async def test_scorecards_match_the_reference_through_a_scripted_story(
    client: httpx.AsyncClient, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    now = utcnow()
    today = local_date(now)
    month = (today.replace(day=1), today)
    await assert_matches_reference(client, world, monkeypatch, now, *month)
    officer, leader = Role.officer, Role.leader

    # Accepted at once, submitted, returned by the issuer, resubmitted, verified.
    t1 = await create_task(client, world, "C1", "S11", role=leader, due_at=now + 5 * 24 * H)
    assert t1["status"] == "issued"
    await act(client, world, "tasks", t1["id"], "accept", officer, "S11")
    await act(client, world, "tasks", t1["id"], "submit", officer, "S11", {"note": "built"})
    await act(client, world, "tasks", t1["id"], "return", leader, "C1", {"note": "again"})
    await act(client, world, "tasks", t1["id"], "submit", officer, "S11", {"note": "rebuilt"})
    await act(client, world, "tasks", t1["id"], "verify", leader, "C1")

    # Done at the first submission, but submitted after its due date.
    t2 = await create_task(client, world, "C1", "M121", role=leader, due_at=now + 24 * H)
    await act(client, world, "tasks", t2["id"], "accept", officer, "M121")
    await act(client, world, "tasks", t2["id"], "submit", officer, "M121", {"note": "late"})
    await set_columns(Task, uuid.UUID(t2["id"]), due_at=now - H)
    await act(client, world, "tasks", t2["id"], "verify", leader, "C1")

    # Accepted after the acceptance limit; then overdue, still in progress.
    t3 = await create_task(client, world, "T1", "S12", due_at=now + 48 * H)
    await act(client, world, "tasks", t3["id"], "accept", officer, "S12")
    await set_columns(Task, uuid.UUID(t3["id"]), accept_due_at=now - H, due_at=now - 2 * H)

    # Submitted late and waiting for verification: late, but not overdue.
    t4 = await create_task(client, world, "C1", "S12", role=leader, due_at=now + 24 * H)
    await act(client, world, "tasks", t4["id"], "accept", officer, "S12")
    await act(client, world, "tasks", t4["id"], "submit", officer, "S12", {"note": "here"})
    await set_columns(Task, uuid.UUID(t4["id"]), due_at=now - 3 * H)

    # Cancelled (never counts), declined and re-issued to a sibling, never accepted.
    t5 = await create_task(client, world, "C1", "S11", role=leader)
    await act(client, world, "tasks", t5["id"], "cancel", leader, "C1")
    t6 = await create_task(client, world, "S11", "M111")
    await act(client, world, "tasks", t6["id"], "return", leader, "M111", {"note": "not ours"})
    await act(
        client,
        world,
        "tasks",
        t6["id"],
        "reissue",
        officer,
        "S11",
        {"assignee_org_id": str(world.unit("M112").id)},
    )
    await create_task(client, world, "P", "C2", role=leader, due_at=now + 2 * H)
    await assert_matches_reference(client, world, monkeypatch, utcnow(), *month)

    # Issued at 23:30 and 00:30 local on the 1st of the month: the first is last month's.
    for created in (local(month[0], 0, 30), local(month[0], 0, 30) - H):
        extra = await create_task(client, world, "C1", "S11", role=leader)
        await set_columns(Task, uuid.UUID(extra["id"]), created_at=created.astimezone(UTC))
    previous = month[0] - timedelta(days=1)
    await assert_matches_reference(client, world, monkeypatch, utcnow(), *month)
    await assert_matches_reference(
        client, world, monkeypatch, utcnow(), previous.replace(day=1), previous
    )

    # Issues: escalated and resolved by the county, closed with a rating; resolved late by
    # a street, rated low; one left overdue at a community.
    i1 = await create_issue(client, world, "M111", severity="high")
    await act(client, world, "issues", i1["id"], "escalate", officer, "M111", {"note": "up"})
    await act(client, world, "issues", i1["id"], "escalate", officer, "S11", {"note": "up"})
    await act(client, world, "issues", i1["id"], "resolve", leader, "C1", {"note": "fixed"})
    await act(
        client, world, "issues", i1["id"], "close", officer, "M111", {"note": "ok", "rating": 5}
    )
    i2 = await create_issue(client, world, "M121")
    await act(client, world, "issues", i2["id"], "escalate", officer, "M121", {"note": "up"})
    await set_columns(Issue, uuid.UUID(i2["id"]), due_at=now - H)
    await act(client, world, "issues", i2["id"], "resolve", leader, "S12", {"note": "late"})
    await act(
        client, world, "issues", i2["id"], "close", officer, "M121", {"note": "eh", "rating": 2}
    )
    i3 = await create_issue(client, world, "M122", severity="low")
    await set_columns(Issue, uuid.UUID(i3["id"]), due_at=now - 5 * H)
    await assert_matches_reference(client, world, monkeypatch, utcnow(), *month)
    # Later: more is overdue, whatever the period.
    await assert_matches_reference(client, world, monkeypatch, now + 30 * 24 * H, *month)

    # The known figures, by hand, for the county's streets this month.
    freeze(monkeypatch, utcnow())
    county = await scorecards_of(client, headers(world, Role.observer, "C1"), world.unit("C1").id)
    cards = {u["name"]: u["metrics"] for u in county["units"]}
    s11, s12 = cards[world.unit("S11").name], cards[world.unit("S12").name]
    # S11 had its one submission returned, S12 (with M121 below it) none: fewer first.
    assert s11["tasks_returned"] == {"numerator": 1, "denominator": 1, "rank": 2}
    assert s12["tasks_returned"] == {"numerator": 0, "denominator": 2, "rank": 1}  # t2, t4
    assert s11["tasks_done_first_submission"]["numerator"] == 0
    assert s12["tasks_overdue"]["numerator"] == 1  # t3; t4 was submitted
    assert s12["satisfaction"] == {"numerator": 2, "denominator": 1, "rank": 1}
    # The county resolved i1, not S11: nothing rated, so no rank.
    assert s11["satisfaction"] == {"numerator": 0, "denominator": 0, "rank": None}


async def test_periods_defaults_and_scope(
    client: httpx.AsyncClient, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    county = headers(world, Role.observer, "C1")
    at = datetime(2026, 3, 10, 16, 30, tzinfo=UTC)  # 00:30 on the 11th, local
    freeze(monkeypatch, at)
    body = await scorecards_of(client, county, world.unit("C1").id)
    assert (body["from"], body["to"]) == ("2026-03-01", "2026-03-11")
    assert body["time_zone"] == "Asia/Shanghai"
    assert [u["kind"] for u in body["units"]] == sorted(u["kind"] for u in body["units"])
    assert all(set(u["metrics"]) == set(body["units"][0]["metrics"]) for u in body["units"])

    default = await client.get(SCORECARDS, headers=county)
    assert default.status_code == 200 and default.json()["org_id"] == str(world.unit("C1").id)
    leaf = await scorecards_of(client, county, world.unit("M111").id)
    assert leaf["units"] == []
    for period in (
        {"from": "2026-03-02", "to": "2026-03-01"},
        {"from": "2025-01-01", "to": "2026-03-01"},
        {"from": "2026-02-30"},
    ):
        response = await client.get(
            SCORECARDS, params={"org_id": str(world.unit("C1").id), **period}, headers=county
        )
        assert_problem(response, 422)
    for outside in ("P", "C2", "X"):
        response = await client.get(
            SCORECARDS, params={"org_id": str(world.unit(outside).id)}, headers=county
        )
        assert_problem(response, 404)


async def test_the_dashboard_counts_equal_the_lists_they_link_to(
    client: httpx.AsyncClient, world: World
) -> None:
    """Each figure of the dashboard and each bar of its per-unit charts opens a list with
    the same filters (docs/scorecards.md); the list holds exactly that many items."""
    now = utcnow()
    pairs = [("C1", "S11"), ("C1", "M111"), ("S11", "M112"), ("T1", "M121"), ("S12", "M122")]
    pairs += [("C1", "D1"), ("S11", "S11"), ("P", "C1")]
    statuses = ("issued", "accepted", "in_progress", "submitted", "done", "returned_by_issuer")
    for n, (issuer, assignee) in enumerate(pairs * 3):
        await insert_task(
            world,
            issuer,
            assignee,
            status=(*statuses, "cancelled")[n % 7],
            due_at=now + (n % 4 - 2) * 24 * H,
        )
    for n, (reporter, handler) in enumerate(
        [("M111", "S11"), ("M121", "C1"), ("M112", "M112")] * 3
    ):
        status = ("open", "acknowledged", "resolved")[n % 3]
        await insert_issue(world, reporter, handler, status=status, due_at=now + (n % 3 - 1) * H)
    leader = headers(world, Role.leader, "C1")
    today = local_date(now)
    day_start = datetime(today.year, today.month, 1, tzinfo=local_zone())
    period = {"created_after": day_start.isoformat(), "created_before": (now + H).isoformat()}
    for label in ("C1", "S11", "S12"):
        unit = world.unit(label)
        summary = (
            await client.get(
                "/api/v1/stats/summary", params={"org_id": str(unit.id)}, headers=leader
            )
        ).json()
        for kind in ("tasks", "issues"):
            listed = await all_pages(
                client, f"/api/v1/{kind}", leader, within_org_id=str(unit.id), overdue="true"
            )
            assert summary[kind]["overdue"] == len(listed), (label, kind)
        cards = await scorecards_of(client, leader, unit.id)
        for card in cards["units"]:
            metrics, child = card["metrics"], card["org_id"]
            for metric, url, param in (
                ("tasks_overdue", "/api/v1/tasks", "assignee_within_org_id"),
                ("issues_overdue", "/api/v1/issues", "handler_within_org_id"),
            ):
                listed = await all_pages(client, url, leader, overdue="true", **{param: child})
                assert metrics[metric]["numerator"] == len(listed), (card["name"], metric)
            received = await all_pages(
                client,
                "/api/v1/tasks",
                leader,
                assignee_within_org_id=child,
                status=[s.value for s in TaskStatus if s != TaskStatus.cancelled],
                **period,
            )
            assert metrics["tasks_received"]["numerator"] == len(received), card["name"]
            handled = await all_pages(
                client, "/api/v1/issues", leader, handler_within_org_id=child, **period
            )
            assert metrics["issues_handled"]["numerator"] == len(handled), card["name"]
