"""Separation of duties (docs/architecture.md): every case answers 403 problem+json naming
the rule and its case, `allowed_actions` never lists what the rule forbids (it lists it
in `refused_actions`, with the reason), and a leader above the handler takes an issue
over (提级办理) instead of the detour through escalation.
"""

from typing import Any

import httpx

from app.access.roles import Role
from app.core.db import sessionmaker
from app.grants.models import Grant
from tests.support import PASSWORD, World, make_user, token_for
from tests.workitems.helpers import act, assert_problem, headers, insert_issue, insert_task

RULE = "separation_of_duties"


async def person(world: World, *grants: tuple[Role, str]) -> dict[str, str]:
    """The headers of a new person holding `grants` (role, unit) at once."""
    from app.auth.passwords import hash_password

    async with sessionmaker()() as session:
        user = await make_user(
            session,
            f"duties-{len(grants)}-{id(grants)}",
            password_hash=await hash_password(PASSWORD),
        )
        for role, unit in grants:
            session.add(Grant(user_id=user.id, org_id=world.unit(unit).id, role=role.value))
        token = await token_for(session, user)
        await session.commit()
    return {"Authorization": f"Bearer {token}"}


async def shown(client: httpx.AsyncClient, kind: str, item_id: Any, hdrs: dict[str, str]) -> Any:
    response = await client.get(f"/api/v1/{kind}/{item_id}", headers=hdrs)
    assert response.status_code == 200, response.text
    return response.json()


async def refused(
    client: httpx.AsyncClient,
    kind: str,
    item_id: Any,
    action: str,
    hdrs: dict[str, str],
    case: str,
    body: dict[str, Any] | None = None,
) -> None:
    """`action` is neither allowed nor taken: listed as refused for `case`, and a 403."""
    item = await shown(client, kind, item_id, hdrs)
    assert action not in item["allowed_actions"]
    listed = {r["action"]: r for r in item["refused_actions"]}
    assert listed[action]["rule"] == RULE and listed[action]["case"] == case, listed
    response = await client.post(f"/api/v1/{kind}/{item_id}/{action}", json=body, headers=hdrs)
    problem = assert_problem(response, 403)
    assert (problem["rule"], problem["case"]) == (RULE, case)
    assert problem["detail"] == listed[action]["detail"]
    assert (await shown(client, kind, item_id, hdrs))["version"] == item["version"]


async def test_a_county_issuing_to_a_community_is_the_issuer(
    client: httpx.AsyncClient, world: World
) -> None:
    task = await insert_task(world, "C1", "M111")
    county = headers(world, Role.leader, "C1")
    assert (await shown(client, "tasks", task, county))["allowed_actions"] == ["cancel"]
    await refused(client, "tasks", task, "accept", county, "upper_party")
    # The county may not even send it back as if it were the community.
    await refused(client, "tasks", task, "return", county, "upper_party", {"note": "no"})
    await act(client, world, "tasks", task, "accept", Role.officer, "M111")


async def test_a_leader_cannot_accept_submit_and_verify_their_own_task(
    client: httpx.AsyncClient, world: World
) -> None:
    """Through a grant at the community (not covering the county) a county leader who also
    holds one there may work the task; they may never judge their own submission."""
    both = await person(world, (Role.leader, "C1"), (Role.leader, "M111"))
    task = await insert_task(world, "C1", "M111")
    for action, body in (("accept", None), ("submit", {"note": "done"})):
        response = await client.post(f"/api/v1/tasks/{task}/{action}", json=body, headers=both)
        assert response.status_code == 200, response.text
    await refused(client, "tasks", task, "verify", both, "own_submission")
    await refused(client, "tasks", task, "return", both, "own_submission", {"note": "redo"})
    # Another leader of the issuer side judges it.
    done = await act(client, world, "tasks", task, "verify", Role.leader, "C1")
    assert done["status"] == "done"


async def test_two_units_of_one_tier_under_one_grant_stand_on_neither_side(
    client: httpx.AsyncClient, world: World
) -> None:
    """The county's task force issuing to a county department: the county's own leader is
    neither; each unit's own people act."""
    task = await insert_task(world, "T1", "D1")
    county = headers(world, Role.leader, "C1")
    assert (await shown(client, "tasks", task, county))["allowed_actions"] == []
    await refused(client, "tasks", task, "accept", county, "equal_parties")
    await refused(client, "tasks", task, "cancel", county, "equal_parties")
    await act(client, world, "tasks", task, "accept", Role.officer, "D1")
    await act(client, world, "tasks", task, "cancel", Role.leader, "T1")


async def test_a_street_handling_its_communitys_issue_is_the_handler(
    client: httpx.AsyncClient, world: World
) -> None:
    issue = await insert_issue(world, "M111", "S11", status="acknowledged")
    street = headers(world, Role.leader, "S11")
    resolved = await act(
        client, world, "issues", issue, "resolve", Role.leader, "S11", {"note": "fixed"}
    )
    assert resolved["status"] == "resolved"
    # "A street leader can resolve an issue and then close and rate it for the community."
    body = {"note": "fine", "rating": 5}
    await refused(client, "issues", issue, "close", street, "upper_party", body)
    await refused(client, "issues", issue, "reopen", street, "upper_party")
    closed = await act(client, world, "issues", issue, "close", Role.officer, "M111", body)
    assert closed["status"] == "closed"


async def test_a_street_whose_issue_went_down_is_the_reporter(
    client: httpx.AsyncClient, world: World
) -> None:
    issue = await insert_issue(world, "S11", "M111")
    street = headers(world, Role.leader, "S11")
    await refused(client, "issues", issue, "acknowledge", street, "upper_party")
    await refused(client, "issues", issue, "resolve", street, "upper_party", {"note": "x"})
    await act(client, world, "issues", issue, "resolve", Role.leader, "M111", {"note": "done"})
    closed = await act(
        client, world, "issues", issue, "close", Role.officer, "S11", {"note": "ok", "rating": 4}
    )
    assert closed["status"] == "closed"


async def test_the_resolver_never_closes_or_rates(client: httpx.AsyncClient, world: World) -> None:
    both = await person(world, (Role.leader, "S11"), (Role.officer, "M111"))
    issue = await insert_issue(world, "M111", "S11", status="acknowledged")
    response = await client.post(
        f"/api/v1/issues/{issue}/resolve", json={"note": "fixed"}, headers=both
    )
    assert response.status_code == 200, response.text
    assert response.json()["resolved_by_user_id"] is not None
    await refused(
        client, "issues", issue, "close", both, "own_resolution", {"note": "", "rating": 5}
    )
    rating = await client.post(
        f"/api/v1/issues/{issue}/feedback",
        json={"kind": "satisfaction", "rating": 5},
        headers=both,
    )
    problem = assert_problem(rating, 403)
    assert (problem["rule"], problem["case"]) == (RULE, "own_resolution")
    comment = await client.post(
        f"/api/v1/issues/{issue}/feedback", json={"kind": "comment", "body": "ok"}, headers=both
    )
    assert comment.status_code == 201, comment.text
    await act(
        client, world, "issues", issue, "close", Role.officer, "M111", {"note": "", "rating": 4}
    )


async def test_a_street_leader_takes_its_communitys_issue_over(
    client: httpx.AsyncClient, world: World
) -> None:
    """Both parties are the community, below the street's grant: the street stands on
    neither side, and takes the issue over instead of escalating it to itself."""
    issue = await insert_issue(world, "M111", "M111", status="acknowledged")
    street = headers(world, Role.leader, "S11")
    item = await shown(client, "issues", issue, street)
    assert item["allowed_actions"] == ["take-over"]
    assert {r["action"] for r in item["refused_actions"]} == {
        "escalate",
        "delegate",
        "resolve",
    }
    await refused(
        client, "issues", issue, "escalate", street, "same_unit_below_grant", {"note": "x"}
    )
    # Not a leader, or not above the handler: no take-over.
    for role, unit, status in (
        (Role.officer, "S11", 403),
        (Role.leader, "M111", 403),
        (Role.leader, "M112", 404),
    ):
        response = await client.post(
            f"/api/v1/issues/{issue}/take-over", headers=headers(world, role, unit)
        )
        assert_problem(response, status)

    taken = await act(
        client, world, "issues", issue, "take-over", Role.leader, "S11", {"note": "街道提级办理"}
    )
    assert taken["handler_org_id"] == str(world.unit("S11").id)
    assert taken["status"] == "open"
    assert {"acknowledge", "resolve"} <= set(taken["allowed_actions"])
    assert "take-over" not in taken["allowed_actions"]

    events = (await client.get(f"/api/v1/issues/{issue}/events", headers=street)).json()["items"]
    event = events[-1]
    assert (event["action"], event["from_status"], event["to_status"]) == (
        "taken_over",
        "acknowledged",
        "open",
    )
    assert event["org_id"] == str(world.unit("S11").id)
    assert event["note"] == "街道提级办理"
    assert (event["data"]["from_org_id"], event["data"]["to_org_id"]) == (
        str(world.unit("M111").id),
        str(world.unit("S11").id),
    )
    assert not any(e["action"] == "escalate" for e in events)

    audit = await client.get(
        "/api/v1/audit", params={"entity_type": "issue", "entity_id": str(issue)}, headers=street
    )
    assert [e["action"] for e in audit.json()["items"]] == ["issue.taken_over"]
    for unit in ("M111", "S11"):
        notes = await client.get(
            "/api/v1/notifications", headers=headers(world, Role.officer, unit)
        )
        assert any(
            n["entity_id"] == str(issue) and n["kind"] == "issue_taken_over"
            for n in notes.json()["items"]
        ), unit


async def test_a_county_leader_takes_over_from_a_street(
    client: httpx.AsyncClient, world: World
) -> None:
    """The county already stands on the handler's side (the street), and above it."""
    issue = await insert_issue(world, "M111", "S11")
    county = headers(world, Role.leader, "C1")
    assert "take-over" in (await shown(client, "issues", issue, county))["allowed_actions"]
    taken = await act(client, world, "issues", issue, "take-over", Role.leader, "C1")
    assert taken["handler_org_id"] == str(world.unit("C1").id)
    resolved = await act(
        client, world, "issues", issue, "resolve", Role.leader, "C1", {"note": "x"}
    )
    assert resolved["resolved_tier"] == "county"
