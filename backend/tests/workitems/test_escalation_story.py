"""The escalation story: a community raises a problem, the street escalates it, the county
resolves it (resolved_tier = county), the community closes it with a rating. The community
sees it throughout; its sibling community never does (404 on every read)."""

import httpx

from app.access.roles import Role
from tests.support import World
from tests.workitems.helpers import act, headers


async def test_community_raises_street_escalates_county_resolves_community_closes(
    client: httpx.AsyncClient, world: World
) -> None:
    community = headers(world, Role.officer, "M111")
    sibling = headers(world, Role.leader, "M112")
    created = await client.post(
        "/api/v1/issues",
        json={
            "title": "Workshop has no three-phase power",
            "description": "The baseball workshop cannot start its machines.",
            "category": "power",
            "severity": "high",
        },
        headers=community,
    )
    assert created.status_code == 201, created.text
    issue = created.json()
    issue_id = issue["id"]

    async def community_sees(status: str, handler: str) -> None:
        response = await client.get(f"/api/v1/issues/{issue_id}", headers=community)
        assert response.status_code == 200, response.text
        shown = response.json()
        assert shown["status"] == status
        assert shown["handler_org_id"] == str(world.unit(handler).id)
        assert shown["handler_org_name"] == world.unit(handler).name
        assert shown["reporter_org_name"] == world.unit("M111").name
        listed = await client.get("/api/v1/issues", params={"q": issue["title"]}, headers=community)
        assert issue_id in [i["id"] for i in listed.json()["items"]]

    async def sibling_sees_nothing() -> None:
        for path in ("", "/feedback", "/events"):
            response = await client.get(f"/api/v1/issues/{issue_id}{path}", headers=sibling)
            assert response.status_code == 404, path
        listed = await client.get("/api/v1/issues", params={"q": issue["title"]}, headers=sibling)
        assert listed.json()["items"] == []
        attempt = await client.post(f"/api/v1/issues/{issue_id}/acknowledge", headers=sibling)
        assert attempt.status_code == 404

    assert issue["status"] == "open"
    assert issue["handler_org_id"] == str(world.unit("M111").id)
    await community_sees("open", "M111")
    await sibling_sees_nothing()

    # The community cannot solve it and passes it up to its street.
    await act(
        client,
        world,
        "issues",
        issue_id,
        "escalate",
        Role.officer,
        "M111",
        {"note": "needs the power company"},
    )
    await community_sees("open", "S11")
    await sibling_sees_nothing()

    # The street acknowledges it, then escalates to the county.
    await act(client, world, "issues", issue_id, "acknowledge", Role.officer, "S11")
    escalated = await act(
        client,
        world,
        "issues",
        issue_id,
        "escalate",
        Role.officer,
        "S11",
        {"note": "a new transformer needs county funds"},
    )
    assert escalated["handler_org_id"] == str(world.unit("C1").id)
    assert "escalate" not in escalated["allowed_actions"]  # the street no longer handles it
    await community_sees("open", "C1")
    await sibling_sees_nothing()

    # The county resolves it.
    resolved = await act(
        client,
        world,
        "issues",
        issue_id,
        "resolve",
        Role.leader,
        "C1",
        {"note": "Transformer installed by the county power bureau."},
    )
    assert resolved["status"] == "resolved"
    assert resolved["resolved_tier"] == "county"
    assert resolved["resolved_by_org_id"] == str(world.unit("C1").id)
    assert resolved["resolution"] == "Transformer installed by the county power bureau."
    await community_sees("resolved", "C1")
    await sibling_sees_nothing()
    by_tier = await client.get(
        "/api/v1/issues",
        params={"resolved_tier": "county", "q": issue["title"]},
        headers=community,
    )
    assert [i["id"] for i in by_tier.json()["items"]] == [issue_id]

    # The community confirms and rates it.
    shown = (await client.get(f"/api/v1/issues/{issue_id}", headers=community)).json()
    assert set(shown["allowed_actions"]) == {"close", "reopen"}
    closed = await act(
        client,
        world,
        "issues",
        issue_id,
        "close",
        Role.officer,
        "M111",
        {"note": "Machines running.", "rating": 5},
    )
    assert closed["status"] == "closed"
    assert closed["rating"] == 5
    assert closed["resolved_tier"] == "county"
    await community_sees("closed", "C1")
    await sibling_sees_nothing()

    feedback = (await client.get(f"/api/v1/issues/{issue_id}/feedback", headers=community)).json()
    assert [(f["kind"], f["rating"], f["body"]) for f in feedback["items"]] == [
        ("satisfaction", 5, "Machines running.")
    ]
    assert feedback["items"][0]["org_id"] == str(world.unit("M111").id)

    timeline = (await client.get(f"/api/v1/issues/{issue_id}/events", headers=community)).json()
    # Its colour may change along the way, depending on today's date (tests/workitems/test_colour.py
    # covers that): the story is the steps.
    steps = [
        (e["action"], e["from_status"], e["to_status"])
        for e in timeline["items"]
        if e["action"] != "colour_changed"
    ]
    assert steps == [
        ("create", None, "open"),
        ("escalate", "open", "open"),
        ("acknowledge", "open", "acknowledged"),
        ("escalate", "acknowledged", "open"),
        ("resolve", "open", "resolved"),
        ("close", "resolved", "closed"),
    ]
    moves = [
        (e["data"]["from_org_id"], e["data"]["to_org_id"])
        for e in timeline["items"]
        if e["action"] == "escalate"
    ]
    assert moves == [
        (str(world.unit("M111").id), str(world.unit("S11").id)),
        (str(world.unit("S11").id), str(world.unit("C1").id)),
    ]
    assert timeline["items"][1]["note"] == "needs the power company"
    assert timeline["items"][4]["org_name"] == world.unit("C1").name
