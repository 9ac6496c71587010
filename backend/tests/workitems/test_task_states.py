"""Every task action from every state: the new status, or 409 problem+json naming the state.

The caller is a leader of the side that takes the action (at S11, the issuer, or M111,
the assignee, of a task issued by S11 to M111), so only the state decides. `returned` is
split by who sent it back (it decides what may follow).
"""

from datetime import timedelta

import httpx
import pytest

from app.access.roles import Role
from app.core.models import utcnow
from tests.support import World
from tests.workitems.helpers import assert_problem, headers, insert_task, ts

STATES = [
    "issued",
    "accepted",
    "in_progress",
    "submitted",
    "done",
    "cancelled",
    "returned_by_issuer",
    "returned_by_assignee",
]
OPEN = [s for s in STATES if s not in ("done", "cancelled")]

# action -> {state it is allowed from: resulting status}; every other state -> 409.
EXPECTED: dict[str, dict[str, str]] = {
    "accept": {"issued": "accepted"},
    "start": {"accepted": "in_progress", "returned_by_issuer": "in_progress"},
    "progress": {
        "accepted": "in_progress",
        "in_progress": "in_progress",
        "returned_by_issuer": "in_progress",
    },
    "submit": {
        "accepted": "submitted",
        "in_progress": "submitted",
        "returned_by_issuer": "submitted",
    },
    "verify": {"submitted": "done"},
    "return": {"submitted": "returned", "issued": "returned", "accepted": "returned"},
    "cancel": dict.fromkeys(OPEN, "cancelled"),
    # Without a pending request: asking is allowed while the assignee holds the task...
    "request-extension": {
        "issued": "issued",
        "accepted": "accepted",
        "in_progress": "in_progress",
        "returned_by_issuer": "returned",
    },
    # ...and there is nothing to approve or refuse.
    "approve-extension": {},
    "reject-extension": {},
    "reissue": {"returned_by_assignee": "issued"},
}
# With a pending extension request, the issuer may answer it in any open state.
EXPECTED_PENDING: dict[str, dict[str, str]] = {
    "request-extension": {},
    "approve-extension": {s: ("returned" if s.startswith("returned") else s) for s in OPEN},
    "reject-extension": {s: ("returned" if s.startswith("returned") else s) for s in OPEN},
}


ISSUER_ACTIONS = {"verify", "cancel", "approve-extension", "reject-extension", "reissue"}


def side_unit(action: str, state: str) -> str:
    """Where a leader stands to take `action` in `state`: the issuer S11 or assignee M111."""
    if action in ISSUER_ACTIONS or (action == "return" and state == "submitted"):
        return "S11"
    return "M111"


def body_for(action: str) -> dict[str, object] | None:
    if action == "progress":
        return {"note": "halfway there", "progress": 50}
    if action in ("submit", "return"):
        return {"note": "a reason or a report"}
    if action == "request-extension":
        return {"note": "the site flooded", "due_at": ts(utcnow() + timedelta(days=30))}
    return None


def status_name(state: str) -> str:
    return "returned" if state.startswith("returned") else state


def test_table_covers_every_action() -> None:
    from app.tasks.state import ACTIONS

    assert set(EXPECTED) == set(ACTIONS)


async def _check(
    client: httpx.AsyncClient, world: World, action: str, state: str, pending: bool
) -> None:
    table = EXPECTED_PENDING if pending and action in EXPECTED_PENDING else EXPECTED
    task_id = await insert_task(world, "S11", "M111", status=state, extension=pending)
    response = await client.post(
        f"/api/v1/tasks/{task_id}/{action}",
        json=body_for(action),
        headers=headers(world, Role.leader, side_unit(action, state)),
    )
    if state in table[action]:
        assert response.status_code == 200, response.text
        task = response.json()
        assert task["status"] == table[action][state]
        assert task["version"] == 2
        assert response.headers["etag"] == '"2"'
    else:
        problem = assert_problem(response, 409, status_name(state))
        assert problem["status"] == 409


@pytest.mark.parametrize("state", STATES)
@pytest.mark.parametrize("action", list(EXPECTED))
async def test_action_from_state(
    client: httpx.AsyncClient, world: World, action: str, state: str
) -> None:
    await _check(client, world, action, state, pending=False)


@pytest.mark.parametrize("state", STATES)
@pytest.mark.parametrize("action", list(EXPECTED_PENDING))
async def test_extension_action_with_a_pending_request(
    client: httpx.AsyncClient, world: World, action: str, state: str
) -> None:
    await _check(client, world, action, state, pending=True)


async def test_return_records_which_side_sent_it_back(
    client: httpx.AsyncClient, world: World
) -> None:
    issuer, assignee = headers(world, Role.leader, "S11"), headers(world, Role.leader, "M111")
    submitted = await insert_task(world, "S11", "M111", status="submitted")
    issued = await insert_task(world, "S11", "M111", status="issued")
    rejected = await client.post(
        f"/api/v1/tasks/{submitted}/return", json={"note": "photos missing"}, headers=issuer
    )
    declined = await client.post(
        f"/api/v1/tasks/{issued}/return", json={"note": "not ours"}, headers=assignee
    )
    assert rejected.json()["returned_by"] == "issuer"
    assert declined.json()["returned_by"] == "assignee"
    # A rejected submission goes back to work; a declined task goes back to the issuer.
    rework = await client.get(f"/api/v1/tasks/{submitted}", headers=assignee)
    assert set(rework.json()["allowed_actions"]) >= {"start", "submit"}
    assert "reissue" not in rejected.json()["allowed_actions"]
    assert "reissue" in declined.json()["allowed_actions"] + [
        a
        for a in (await client.get(f"/api/v1/tasks/{issued}", headers=issuer)).json()[
            "allowed_actions"
        ]
    ]
    assert "start" not in declined.json()["allowed_actions"]


@pytest.mark.parametrize("action", ["submit", "return"])
async def test_submit_and_return_need_a_note(
    client: httpx.AsyncClient, world: World, action: str
) -> None:
    task_id = await insert_task(world, "S11", "M111", status="submitted")
    for body in (None, {}, {"note": "   "}):
        response = await client.post(
            f"/api/v1/tasks/{task_id}/{action}",
            json=body,
            headers=headers(world, Role.leader, "C1"),
        )
        assert_problem(response, 422)
