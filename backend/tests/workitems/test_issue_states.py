"""Every issue action from every state: the new status, or 409 problem+json naming the state.

The caller is a leader of the side that takes the action, on an issue reported by M111
and handled by S11: at S11 for the handler's actions (S11 covers M111 too, and stands on
the side nearer the root), at M111 for the reporter's, and at C1, above the handler, for
take-over. So only the state decides.
"""

from datetime import timedelta

import httpx
import pytest

from app.access.roles import Role
from tests.support import World
from tests.workitems.helpers import assert_problem, headers, insert_issue

STATES = ["open", "acknowledged", "resolved", "closed"]
EXPECTED: dict[str, dict[str, str]] = {
    "acknowledge": {"open": "acknowledged"},
    "escalate": {"open": "open", "acknowledged": "open"},
    "delegate": {"open": "open", "acknowledged": "open"},
    "resolve": {"open": "resolved", "acknowledged": "resolved"},
    "close": {"resolved": "closed"},
    "reopen": {"resolved": "open", "closed": "open"},
    "take-over": {"open": "open", "acknowledged": "open"},
}
SIDE_UNIT = {"close": "M111", "reopen": "M111", "take-over": "C1"}


def body_for(world: World, action: str) -> dict[str, object] | None:
    if action in ("escalate", "resolve"):
        return {"note": "a reason or a resolution"}
    if action == "delegate":
        return {"note": "yours", "target_org_id": str(world.unit("M112").id)}
    if action == "close":
        return {"note": "thanks", "rating": 5}
    return None


def test_table_covers_every_action() -> None:
    from app.issues.state import ACTIONS

    assert set(EXPECTED) == set(ACTIONS)


@pytest.mark.parametrize("state", STATES)
@pytest.mark.parametrize("action", list(EXPECTED))
async def test_action_from_state(
    client: httpx.AsyncClient, world: World, action: str, state: str
) -> None:
    issue_id = await insert_issue(world, "M111", "S11", status=state)
    response = await client.post(
        f"/api/v1/issues/{issue_id}/{action}",
        json=body_for(world, action),
        headers=headers(world, Role.leader, SIDE_UNIT.get(action, "S11")),
    )
    if state in EXPECTED[action]:
        assert response.status_code == 200, response.text
        issue = response.json()
        assert issue["status"] == EXPECTED[action][state]
        assert issue["version"] == 2
        assert response.headers["etag"] == '"2"'
    else:
        assert_problem(response, 409, state)


async def test_escalate_moves_one_tier_up_and_stops_at_the_prefecture(
    client: httpx.AsyncClient, world: World
) -> None:
    # An attached unit escalates to the tier unit it hangs under: a county bureau to its
    # county, a task-force group to the task force's county. Each unit's own leader does.
    for start, expected in (
        ("M111", "S11"),
        ("S11", "C1"),
        ("C1", "P"),
        ("D1", "C1"),
        ("G1", "C1"),
        ("E2", "C2"),
    ):
        issue_id = await insert_issue(world, start)
        response = await client.post(
            f"/api/v1/issues/{issue_id}/escalate",
            json={"note": "beyond us"},
            headers=headers(world, Role.leader, start),
        )
        assert response.status_code == 200, response.text
        assert response.json()["handler_org_id"] == str(world.unit(expected).id), start
        assert response.json()["status"] == "open"
    at_top = await insert_issue(world, "P")
    leader = headers(world, Role.leader, "P")
    response = await client.post(
        f"/api/v1/issues/{at_top}/escalate", json={"note": "beyond us"}, headers=leader
    )
    assert_problem(response, 409, "open", "prefecture")
    shown = await client.get(f"/api/v1/issues/{at_top}", headers=leader)
    assert "escalate" not in shown.json()["allowed_actions"]


@pytest.mark.parametrize("state", ["resolved", "closed"])
async def test_reopen_only_within_30_days_of_resolution(
    client: httpx.AsyncClient, world: World, state: str
) -> None:
    officer = headers(world, Role.officer, "M111")
    recent = await insert_issue(world, "M111", "S11", status=state, resolved_ago=timedelta(days=29))
    old = await insert_issue(world, "M111", "S11", status=state, resolved_ago=timedelta(days=31))
    assert (
        "reopen"
        in (await client.get(f"/api/v1/issues/{recent}", headers=officer)).json()["allowed_actions"]
    )
    assert (
        "reopen"
        not in (await client.get(f"/api/v1/issues/{old}", headers=officer)).json()[
            "allowed_actions"
        ]
    )
    response = await client.post(f"/api/v1/issues/{old}/reopen", headers=officer)
    assert_problem(response, 409, state, "too long ago")
    response = await client.post(f"/api/v1/issues/{recent}/reopen", headers=officer)
    assert response.status_code == 200, response.text
    reopened = response.json()
    assert reopened["status"] == "open"
    assert reopened["resolved_tier"] is None and reopened["resolved_at"] is None
    # It goes back to the unit that had resolved it.
    assert reopened["handler_org_id"] == str(world.unit("S11").id)


@pytest.mark.parametrize(
    "action, body",
    [
        ("escalate", None),
        ("escalate", {"note": ""}),
        ("resolve", {}),
        ("resolve", {"note": "  "}),
        ("close", {"note": "fine"}),
        ("close", {"rating": 0}),
        ("close", {"rating": 6}),
        ("delegate", {"note": "x"}),
    ],
)
async def test_action_bodies_are_validated(
    client: httpx.AsyncClient, world: World, action: str, body: dict[str, object] | None
) -> None:
    issue_id = await insert_issue(world, "M111", "S11", status="resolved")
    response = await client.post(
        f"/api/v1/issues/{issue_id}/{action}", json=body, headers=headers(world, Role.leader, "C1")
    )
    assert_problem(response, 422)
