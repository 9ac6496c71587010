"""Issues: due dates from severity, delegation, resolution tiers, edits, allowed_actions."""

import uuid
from datetime import datetime, timedelta

import httpx
import pytest

from app.access.roles import Role
from app.issues.config import get_issue_settings
from tests.support import World
from tests.workitems.helpers import act, assert_problem, headers, insert_issue

DUE = {
    "critical": timedelta(hours=24),
    "high": timedelta(days=3),
    "normal": timedelta(days=7),
    "low": timedelta(days=15),
}


def due_after_creation(issue: dict[str, str]) -> timedelta:
    return datetime.fromisoformat(issue["due_at"]) - datetime.fromisoformat(issue["created_at"])


@pytest.mark.parametrize("severity", list(DUE))
async def test_due_date_follows_severity(
    client: httpx.AsyncClient, world: World, severity: str
) -> None:
    response = await client.post(
        "/api/v1/issues",
        json={"title": f"{severity} problem", "category": "construction", "severity": severity},
        headers=headers(world, Role.officer, "M121"),
    )
    assert response.status_code == 201, response.text
    issue = response.json()
    assert due_after_creation(issue) == DUE[severity]
    assert issue["status"] == "open"
    assert issue["reporter_org_id"] == issue["handler_org_id"] == str(world.unit("M121").id)
    assert issue["reporter_user_id"] == str(world.actor(Role.officer, "M121").user.id)
    assert issue["handler_tier"] == "community" and issue["resolved_tier"] is None


async def test_due_hours_are_configurable(
    client: httpx.AsyncClient, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ISSUE_DUE_HOURS_CRITICAL", "6")
    get_issue_settings.cache_clear()
    try:
        response = await client.post(
            "/api/v1/issues",
            json={"title": "urgent", "category": "water", "severity": "critical"},
            headers=headers(world, Role.officer, "M121"),
        )
        assert due_after_creation(response.json()) == timedelta(hours=6)
    finally:
        monkeypatch.delenv("ISSUE_DUE_HOURS_CRITICAL")
        get_issue_settings.cache_clear()


async def test_new_severity_moves_the_due_date(client: httpx.AsyncClient, world: World) -> None:
    hdrs = headers(world, Role.officer, "M121")
    created = (
        await client.post("/api/v1/issues", json={"title": "t", "category": "land"}, headers=hdrs)
    ).json()
    patched = await client.patch(
        f"/api/v1/issues/{created['id']}", json={"severity": "critical"}, headers=hdrs
    )
    assert patched.status_code == 200
    assert due_after_creation(patched.json()) == DUE["critical"]
    assert_problem(
        await client.patch(f"/api/v1/issues/{created['id']}", json={"category": "x"}, headers=hdrs),
        422,
    )
    resolved = await insert_issue(world, "M121", status="resolved")
    assert_problem(
        await client.patch(f"/api/v1/issues/{resolved}", json={"title": "late"}, headers=hdrs),
        409,
        "resolved",
    )


async def test_validation_on_create(client: httpx.AsyncClient, world: World) -> None:
    hdrs = headers(world, Role.officer, "M121")
    for bad in (
        {"title": "x"},
        {"title": "x", "category": "weather"},
        {"title": "x", "category": "land", "severity": "apocalyptic"},
        {"title": "", "category": "land"},
        {"title": "x", "category": "land", "handler_org_id": str(world.unit("C1").id)},
        {"title": "x", "category": "land", "reporter_org_id": str(uuid.uuid4())},
    ):
        assert_problem(await client.post("/api/v1/issues", json=bad, headers=hdrs), 422)
    outside = {"title": "x", "category": "land", "reporter_org_id": str(world.unit("M122").id)}
    assert_problem(await client.post("/api/v1/issues", json=outside, headers=hdrs), 403)
    # A street may raise an issue on behalf of one of its communities.
    for_community = await client.post(
        "/api/v1/issues",
        json={**outside, "reporter_org_id": str(world.unit("M121").id)},
        headers=headers(world, Role.officer, "S12"),
    )
    assert for_community.status_code == 201
    assert for_community.json()["handler_org_id"] == str(world.unit("M121").id)


async def test_delegation_stays_inside_the_handlers_scope(
    client: httpx.AsyncClient, world: World
) -> None:
    issue_id = await insert_issue(world, "M121", "C1", status="acknowledged")

    async def delegate(target: str | uuid.UUID, expect: int) -> httpx.Response:
        target_id = world.unit(target).id if isinstance(target, str) else target
        response = await client.post(
            f"/api/v1/issues/{issue_id}/delegate",
            json={"note": "yours", "target_org_id": str(target_id)},
            headers=headers(world, Role.leader, "C1"),
        )
        assert response.status_code == expect, response.text
        return response

    await delegate("C1", 403)  # to itself
    await delegate("P", 403)  # upwards
    await delegate("M211", 403)  # another county
    await delegate(uuid.uuid4(), 422)
    moved = (await delegate("D1", 200)).json()
    assert moved["handler_org_id"] == str(world.unit("D1").id)
    assert moved["status"] == "open" and moved["acknowledged_at"] is None
    notes = await client.get("/api/v1/notifications", headers=headers(world, Role.officer, "D1"))
    assert any(
        n["entity_id"] == str(issue_id) and n["kind"] == "issue_delegated"
        for n in notes.json()["items"]
    )
    resolved = await act(
        client, world, "issues", issue_id, "resolve", Role.leader, "D1", {"note": "permit granted"}
    )
    assert resolved["resolved_tier"] == "county"  # a county department resolved it
    assert resolved["resolved_by_org_name"] == world.unit("D1").name


@pytest.mark.parametrize(
    "handler, tier",
    [("M121", "community"), ("S12", "street"), ("C1", "county"), ("P", "prefecture")],
)
async def test_resolution_records_the_tier(
    client: httpx.AsyncClient, world: World, handler: str, tier: str
) -> None:
    issue_id = await insert_issue(world, "M121" if handler != "C1" else "M111", handler)
    resolved = await act(
        client, world, "issues", issue_id, "resolve", Role.leader, handler, {"note": "sorted"}
    )
    assert resolved["resolved_tier"] == tier
    assert resolved["resolved_by_org_id"] == str(world.unit(handler).id)
    assert resolved["reopen_until"]


async def test_an_enterprise_raises_and_rates(client: httpx.AsyncClient, world: World) -> None:
    liaison = headers(world, Role.liaison, "E1")
    created = await client.post(
        "/api/v1/issues",
        json={"title": "Road to the plant washed out", "category": "construction"},
        headers=liaison,
    )
    assert created.status_code == 201
    issue_id = created.json()["id"]
    assert created.json()["allowed_actions"] == []  # a liaison does not handle issues
    # The county (E1 hangs under C1) takes it over (提级办理: E1 both raised and handles it,
    # so the county stands on neither side until then) and resolves it.
    taken = await act(client, world, "issues", issue_id, "take-over", Role.leader, "C1")
    assert taken["handler_org_id"] == str(world.unit("C1").id)
    await act(client, world, "issues", issue_id, "acknowledge", Role.officer, "C1")
    await act(client, world, "issues", issue_id, "resolve", Role.leader, "C1", {"note": "rebuilt"})
    shown = (await client.get(f"/api/v1/issues/{issue_id}", headers=liaison)).json()
    assert shown["allowed_actions"] == ["close", "reopen"]
    closed = await act(
        client,
        world,
        "issues",
        issue_id,
        "close",
        Role.liaison,
        "E1",
        {"note": "thank you", "rating": 4},
    )
    assert closed["rating"] == 4 and closed["resolved_tier"] == "county"


@pytest.mark.parametrize(
    "role, unit, expected",
    [
        (Role.officer, "T1", ["acknowledge", "escalate"]),
        (Role.leader, "T1", ["acknowledge", "escalate", "delegate", "resolve"]),
        (Role.observer, "T1", []),
        (Role.officer, "M111", []),
        (Role.liaison, "M111", []),
        # C1 covers both parties: it stands on the handler's side (the county's task force,
        # nearer the root than the community), and above the handler.
        (Role.leader, "C1", ["acknowledge", "escalate", "delegate", "resolve", "take-over"]),
    ],
)
async def test_allowed_actions_on_an_open_issue(
    client: httpx.AsyncClient, world: World, role: Role, unit: str, expected: list[str]
) -> None:
    issue_id = await insert_issue(world, "M111", "T1")
    shown = (
        await client.get(f"/api/v1/issues/{issue_id}", headers=headers(world, role, unit))
    ).json()
    assert shown["allowed_actions"] == expected
    assert shown["can_feedback"] is (role in (Role.leader, Role.officer, Role.liaison))


async def test_escalation_hands_over_the_actions(client: httpx.AsyncClient, world: World) -> None:
    issue_id = await insert_issue(world, "M111", status="acknowledged")
    community = headers(world, Role.leader, "M111")
    before = (await client.get(f"/api/v1/issues/{issue_id}", headers=community)).json()
    assert "resolve" in before["allowed_actions"]
    await act(client, world, "issues", issue_id, "escalate", Role.officer, "M111", {"note": "help"})
    after = (await client.get(f"/api/v1/issues/{issue_id}", headers=community)).json()
    assert after["allowed_actions"] == []  # it is the street's now; the community watches
    assert_problem(
        await client.post(
            f"/api/v1/issues/{issue_id}/resolve", json={"note": "x"}, headers=community
        ),
        403,
    )
    street = (
        await client.get(f"/api/v1/issues/{issue_id}", headers=headers(world, Role.leader, "S11"))
    ).json()
    assert street["status"] == "open" and "acknowledge" in street["allowed_actions"]
    notes = await client.get("/api/v1/notifications", headers=headers(world, Role.leader, "S11"))
    assert any(
        n["entity_id"] == str(issue_id) and n["kind"] == "issue_escalated"
        for n in notes.json()["items"]
    )
