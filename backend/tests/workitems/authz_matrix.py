"""The work-item authorization matrix, as data.

Every task, issue, feedback, timeline and notification route, for every role, from every
position relative to the item's party units. The expectation is written from the access
rules in docs/architecture.md ("Roles and actions", "Writes follow the side"), not read
from app code:

- out of scope (no party unit inside the caller's grant) -> 404;
- in scope but the wrong side, or a role without the right -> 403;
- otherwise the route's success status.

The side a grant puts its holder on follows "Separation of duties": a grant covering both
parties stands on the side of the party nearer the root (an ancestor, else the higher
tier); `above` is a grant strictly above the handler (take-over).

Tasks are issued by the task force T1 (county C1) to community M111, so the two sides are
disjoint; issues are reported by M111 and handled by T1 (as if escalated and delegated).
`WORKITEM_ROUTES` lists every route this matrix covers (the core coverage test reads it).
"""

from dataclasses import dataclass, field
from typing import Any

from app.access.roles import Role

# What each role may do, per the access rules in docs/architecture.md ("Roles and actions").
READ = set(Role)
CREATE_TASK = {Role.leader, Role.officer}
WORK_TASK = {Role.leader, Role.officer}
DECIDE = {Role.leader}
RAISE_ISSUE = {Role.leader, Role.officer, Role.liaison}
WORK_ISSUE = {Role.leader, Role.officer}
CONFIRM_ISSUE = {Role.leader, Role.officer, Role.liaison}  # close/reopen what my unit raised
FEEDBACK = {Role.leader, Role.officer, Role.liaison}

# Where the caller's grant sits, relative to the item's party units. Which sides a
# position covers is worked out from the org tree in the test (a grant covers its subtree).
TASK_POSITIONS: dict[str, str] = {
    "issuer": "T1",
    "assignee": "M111",
    "assignee_ancestor": "S11",
    "common_ancestor": "C1",
    "top": "P",
    "issuer_child": "G1",
    "issuer_sibling": "D1",
    "assignee_sibling": "M112",
    "other_county": "C2",
    "outsider": "X",
}
ISSUE_POSITIONS: dict[str, str] = {
    "reporter": "M111",
    "reporter_ancestor": "S11",
    "handler": "T1",
    "common_ancestor": "C1",
    "top": "P",
    "handler_child": "G1",
    "handler_sibling": "D1",
    "reporter_sibling": "M112",
    "other_county": "C2",
    "outsider": "X",
}
TASK_PARTIES = {"issuer": "T1", "assignee": "M111"}
ISSUE_PARTIES = {"reporter": "M111", "handler": "T1"}


@dataclass(frozen=True)
class Case:
    """One route on one item: who may call it (sides x roles), in which item state."""

    method: str
    path: str
    who: dict[str, frozenset[Role]]  # side -> roles that may do it from that side
    ok: int = 200
    state: str = "issued"
    pending_extension: bool = False
    body: dict[str, Any] | None = None
    label: str = ""
    mutates: bool = True
    # The item is named in the body, not the path: the route's dependency can only check
    # that the caller holds the permission somewhere, so roles without it get 403 anywhere.
    target_in_body: bool = False
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def name(self) -> str:
        return self.label or f"{self.method} {self.path}"


TIERS = ["prefecture", "county", "street", "community"]


def stance(grant: list[int], parties: dict[str, tuple[list[int], str]]) -> tuple[bool, set[str]]:
    """(whether a grant at path `grant` sees the item, the sides it stands on), for an
    item whose parties are {side: (unit path, tier)}, in order (the second one acts)."""

    def covers(path: list[int]) -> bool:
        return path[: len(grant)] == grant

    covered = [side for side, (path, _) in parties.items() if covers(path)]
    (one, (one_path, one_tier)), (other, (other_path, other_tier)) = parties.items()
    sides = set(covered)
    if len(covered) == 2:
        if one_path == other_path:
            sides = set(covered) if len(grant) == len(one_path) else set()
        elif covers_path(one_path, other_path) or TIERS.index(one_tier) < TIERS.index(other_tier):
            sides = {one}
        elif covers_path(other_path, one_path) or TIERS.index(other_tier) < TIERS.index(one_tier):
            sides = {other}
        else:
            sides = set()
    if covers(other_path) and len(grant) < len(other_path):
        sides.add("above")
    return bool(covered), sides


def covers_path(ancestor: list[int], path: list[int]) -> bool:
    return path[: len(ancestor)] == ancestor


def expect(case: Case, role: Role, visible: bool, sides: set[str]) -> int:
    """`visible`: a party unit lies inside the caller's grant; `sides`: where they stand."""
    if case.target_in_body and not any(role in roles for roles in case.who.values()):
        return 403
    if not visible:
        return 404
    if any(role in case.who.get(side, frozenset()) for side in sides):
        return case.ok
    return 403


T = "/api/v1/tasks/{task_id}"
I = "/api/v1/issues/{issue_id}"  # noqa: E741


def issuer(roles: set[Role]) -> dict[str, frozenset[Role]]:
    return {"issuer": frozenset(roles)}


def assignee(roles: set[Role]) -> dict[str, frozenset[Role]]:
    return {"assignee": frozenset(roles)}


def either_task(roles: set[Role]) -> dict[str, frozenset[Role]]:
    return {"issuer": frozenset(roles), "assignee": frozenset(roles)}


def handler(roles: set[Role]) -> dict[str, frozenset[Role]]:
    return {"handler": frozenset(roles)}


def reporter(roles: set[Role]) -> dict[str, frozenset[Role]]:
    return {"reporter": frozenset(roles)}


def either_issue(roles: set[Role]) -> dict[str, frozenset[Role]]:
    return {"reporter": frozenset(roles), "handler": frozenset(roles)}


NOTE = {"note": "because"}
TASK_CASES: list[Case] = [
    Case("GET", T, either_task(READ), mutates=False),
    Case("GET", T + "/feedback", either_task(READ), mutates=False),
    Case("GET", T + "/events", either_task(READ), mutates=False),
    Case("PATCH", T, issuer(CREATE_TASK), state="accepted", body={"title": "renamed"}),
    Case(
        "POST",
        T + "/feedback",
        either_task(FEEDBACK),
        ok=201,
        body={"kind": "comment", "body": "noted"},
    ),
    Case("POST", T + "/accept", assignee(WORK_TASK), state="issued"),
    Case("POST", T + "/start", assignee(WORK_TASK), state="accepted"),
    Case(
        "POST",
        T + "/progress",
        assignee(WORK_TASK),
        state="accepted",
        body={"note": "half", "progress": 50},
    ),
    Case("POST", T + "/submit", assignee(WORK_TASK), state="in_progress", body=NOTE),
    Case("POST", T + "/verify", issuer(DECIDE), state="submitted"),
    Case(
        "POST",
        T + "/return",
        issuer(DECIDE),
        state="submitted",
        body=NOTE,
        label="return a submission (issuer)",
    ),
    Case(
        "POST",
        T + "/return",
        assignee(DECIDE),
        state="issued",
        body=NOTE,
        label="send back an issued task (assignee)",
    ),
    Case("POST", T + "/cancel", issuer(DECIDE), state="in_progress"),
    Case(
        "POST",
        T + "/request-extension",
        assignee(WORK_TASK),
        state="in_progress",
        body={"note": "rain", "due_at": "2099-01-01T00:00:00+08:00"},
    ),
    Case(
        "POST",
        T + "/approve-extension",
        issuer(DECIDE),
        state="in_progress",
        pending_extension=True,
    ),
    Case(
        "POST",
        T + "/reject-extension",
        issuer(DECIDE),
        state="in_progress",
        pending_extension=True,
    ),
    Case("POST", T + "/reissue", issuer(CREATE_TASK), state="returned_by_assignee"),
    # Splitting: only the assignee side gives a task subtasks (for units below it).
    Case(
        "POST",
        "/api/v1/tasks",
        assignee(CREATE_TASK),
        ok=201,
        state="accepted",
        label="subtask (POST /api/v1/tasks with parent_id)",
        target_in_body=True,
        # the parent goes T1 -> S11 here, so that there is a unit below its assignee
        extra={"parties": {"issuer": "T1", "assignee": "S11"}, "subtask_to": "M111"},
    ),
]
ISSUE_CASES: list[Case] = [
    Case("GET", I, either_issue(READ), state="open", mutates=False),
    Case("GET", I + "/feedback", either_issue(READ), state="open", mutates=False),
    Case("GET", I + "/events", either_issue(READ), state="open", mutates=False),
    Case(
        "PATCH",
        I,
        # the reporter side edits with issue.create, the handler side with issue.work
        {"reporter": frozenset(RAISE_ISSUE), "handler": frozenset(WORK_ISSUE)},
        state="open",
        body={"title": "renamed"},
        label="PATCH issue",
    ),
    Case(
        "POST",
        I + "/feedback",
        either_issue(FEEDBACK),
        ok=201,
        state="open",
        body={"kind": "satisfaction", "rating": 4},
    ),
    Case("POST", I + "/acknowledge", handler(WORK_ISSUE), state="open"),
    Case("POST", I + "/escalate", handler(WORK_ISSUE), state="acknowledged", body=NOTE),
    Case(
        "POST",
        I + "/delegate",
        handler(DECIDE),
        state="open",
        extra={"delegate_to": "G1"},
    ),
    Case("POST", I + "/resolve", handler(DECIDE), state="acknowledged", body=NOTE),
    Case(
        "POST",
        I + "/close",
        reporter(CONFIRM_ISSUE),
        state="resolved",
        body={"note": "good", "rating": 5},
    ),
    Case("POST", I + "/reopen", reporter(CONFIRM_ISSUE), state="closed"),
    # 提级办理: a leader whose grant lies strictly above the handler.
    Case("POST", I + "/take-over", {"above": frozenset(DECIDE)}, state="acknowledged"),
]

# Collection routes: who may call them at all (lists are checked against visibility).
COLLECTION_CASES: dict[tuple[str, str], frozenset[Role]] = {
    ("GET", "/api/v1/tasks"): frozenset(READ),
    ("POST", "/api/v1/tasks"): frozenset(CREATE_TASK),
    ("GET", "/api/v1/tasks/assignable-units"): frozenset(CREATE_TASK),
    ("GET", "/api/v1/issues"): frozenset(READ),
    ("POST", "/api/v1/issues"): frozenset(RAISE_ISSUE),
}
# Personal routes: every signed-in person, for their own notifications only.
NOTIFICATION_ROUTES = {
    ("GET", "/api/v1/notifications"),
    ("POST", "/api/v1/notifications/read-all"),
    ("POST", "/api/v1/notifications/{notification_id}/read"),
    # 已阅, a chasing notice's recipient only (tests/chasing/test_ladder.py)
    ("POST", "/api/v1/notifications/{notification_id}/acknowledge"),
}

WORKITEM_ROUTES: set[tuple[str, str]] = (
    {(c.method, c.path) for c in TASK_CASES + ISSUE_CASES}
    | set(COLLECTION_CASES)
    | NOTIFICATION_ROUTES
)
