"""What the SPA's screens send (frontend/src/pages and src/api/workitems.ts), per caller.

Reads: the workbench (its two lists, its to-do and the notification bell, which every
screen polls), the to-do lists its tiles link to (`todo=`), the task and issue lists as
they open (sort=due_at), the overdue and colour filters, the keyword search with fixed
terms, an item and its timeline, the notifications page and the dashboard's summary and
scorecards; and the default feed page (GET /tasks, newest first), the yardstick.

Writes: a task's life (issued by the street, accepted and submitted by the community,
verified by the street) and an issue's (raised by the community, escalated to the street,
resolved there, closed by the community with a rating), each step on its own item.
"""

import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from urllib.parse import quote

import orjson

from bench.floor import Call

OPEN_TASKS = ("issued", "accepted", "in_progress", "submitted", "returned")
OPEN_ISSUES = ("open", "acknowledged")
# Terms of the keyword search (see seed.SUBJECTS): one in about 0.1% of task titles, one in
# a quarter of them, and a four-character phrase in about an eighth.
SEARCH_TERMS = (
    ("rare bigram", "光伏"),
    ("common bigram", "车间"),
    ("4-character phrase", "稳岗补贴"),
)
FEED_PAGE = "feed page (GET /tasks, newest first)"
# The to-do lists the workbench's tiles link to (WorkbenchPage's todoListLink): the kinds
# the seeded callers have most of, on both sides of a task and on an issue's handler.
TODO_LISTS = (("tasks", "work"), ("tasks", "verify"), ("issues", "handle"))
COLOURS = ("red", "yellow", "blue")


def _statuses(values: tuple[str, ...]) -> str:
    return "&".join(f"status={v}" for v in values)


def reads(
    org_id: uuid.UUID, task_id: uuid.UUID, issue_id: uuid.UUID, today: date
) -> list[tuple[str, Call]]:
    """(what the screen shows, the request) for a caller whose grant is at `org_id`, who
    opens the task `task_id` and the issue `issue_id`, on the local date `today`."""
    by_due = "sort=due_at&limit=50"
    # The dashboard's period as it opens: this month up to today.
    month = f"from={today.replace(day=1).isoformat()}&to={today.isoformat()}"
    return [
        (FEED_PAGE, Call("GET", "/api/v1/tasks?limit=50")),
        ("me (every screen)", Call("GET", "/api/v1/me")),
        (
            "workbench: open tasks by due date",
            Call("GET", f"/api/v1/tasks?{_statuses(OPEN_TASKS)}&{by_due}"),
        ),
        (
            "workbench: open issues by due date",
            Call("GET", f"/api/v1/issues?{_statuses(OPEN_ISSUES)}&{by_due}"),
        ),
        ("workbench: my to-do", Call("GET", "/api/v1/me/todo?limit=50")),
        *(
            (f"to-do list: {kind} ({items})", Call("GET", f"/api/v1/{items}?todo={kind}&{by_due}"))
            for items, kind in TODO_LISTS
        ),
        ("bell: unread notifications", Call("GET", "/api/v1/notifications?unread=true&limit=100")),
        ("task list (sort=due_at)", Call("GET", f"/api/v1/tasks?{by_due}")),
        ("issue list (sort=due_at)", Call("GET", f"/api/v1/issues?{by_due}")),
        ("overdue tasks", Call("GET", f"/api/v1/tasks?overdue=true&{by_due}")),
        ("overdue issues", Call("GET", f"/api/v1/issues?overdue=true&{by_due}")),
        *(
            (f"tasks coloured {colour}", Call("GET", f"/api/v1/tasks?colour={colour}&{by_due}"))
            for colour in COLOURS
        ),
        *(
            (
                f"task search: {term} ({what})",
                Call("GET", f"/api/v1/tasks?q={quote(term)}&{by_due}"),
            )
            for what, term in SEARCH_TERMS
        ),
        ("task detail", Call("GET", f"/api/v1/tasks/{task_id}")),
        ("task timeline", Call("GET", f"/api/v1/tasks/{task_id}/events?limit=200")),
        ("issue detail", Call("GET", f"/api/v1/issues/{issue_id}")),
        ("issue timeline", Call("GET", f"/api/v1/issues/{issue_id}/events?limit=200")),
        ("notifications page", Call("GET", "/api/v1/notifications?limit=50")),
        ("dashboard summary", Call("GET", f"/api/v1/stats/summary?org_id={org_id}")),
        (
            "dashboard scorecards",
            Call("GET", f"/api/v1/stats/scorecards?org_id={org_id}&{month}"),
        ),
    ]


def _json(body: Mapping[str, object]) -> bytes:
    return orjson.dumps(body)


@dataclass(frozen=True)
class Step:
    """One write: who sends it, the request on an item (None: a creation), its status."""

    name: str
    caller: str
    make: Callable[[str | None], Call]
    expected: int

    def call(self, item: str | None) -> Call:
        made = self.make(item)
        headers = {**made.headers, "Idempotency-Key": str(uuid.uuid4())}
        return Call(made.method, made.path, made.body, headers)


def _action(kind: str, action: str, body: dict[str, object]) -> Callable[[str | None], Call]:
    return lambda item: Call("POST", f"/api/v1/{kind}/{item}/{action}", _json(body))


def flows(street: uuid.UUID, community: uuid.UUID) -> list[tuple[str, list[Step]]]:
    due = (datetime.now(UTC) + timedelta(days=10)).isoformat()
    task = {
        "title": "落实电子元器件车间用电增容：基准测试",
        "description": "按期完成并反馈进展。",
        "issuer_org_id": str(street),
        "assignee_org_id": str(community),
        "due_at": due,
        "priority": "normal",
        "source": "dispatch",
    }
    issue = {
        "title": "项目现场供电容量不足",
        "description": "需协调增容。",
        "category": "power",
        "severity": "normal",
        "reporter_org_id": str(community),
    }
    officer, leader = "community officer", "street leader"
    return [
        (
            "task",
            [
                Step(
                    "create a task",
                    leader,
                    lambda _: Call("POST", "/api/v1/tasks", _json(task)),
                    201,
                ),
                Step("accept", officer, _action("tasks", "accept", {"note": ""}), 200),
                Step("submit", officer, _action("tasks", "submit", {"note": "已完成"}), 200),
                Step("verify", leader, _action("tasks", "verify", {"note": ""}), 200),
            ],
        ),
        (
            "issue",
            [
                Step(
                    "create an issue",
                    officer,
                    lambda _: Call("POST", "/api/v1/issues", _json(issue)),
                    201,
                ),
                Step(
                    "escalate", officer, _action("issues", "escalate", {"note": "需街道协调"}), 200
                ),
                Step("resolve", leader, _action("issues", "resolve", {"note": "已协调解决"}), 200),
                Step("close", officer, _action("issues", "close", {"note": "", "rating": 5}), 200),
            ],
        ),
    ]
