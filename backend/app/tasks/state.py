"""The task workflow as data: which side, holding which permission, may take which action
from which state, and where it leads. Pure: no I/O, so tests and allowed_actions share it.

States are the task `status`, except that `returned` is split by who sent it back:
`returned_by_assignee` (the assignee declined it; the issuer re-issues or cancels) and
`returned_by_issuer` (a submission was rejected; the assignee reworks and resubmits).
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache

from app.access.roles import Perm
from app.tasks.models import CLOSED_STATUSES, Side, TaskStatus

DUE_SOON = timedelta(hours=48)

ISSUED = "issued"
ACCEPTED = "accepted"
IN_PROGRESS = "in_progress"
SUBMITTED = "submitted"
DONE = "done"
CANCELLED = "cancelled"
RETURNED_BY_ISSUER = "returned_by_issuer"
RETURNED_BY_ASSIGNEE = "returned_by_assignee"

STATES = (
    ISSUED,
    ACCEPTED,
    IN_PROGRESS,
    SUBMITTED,
    DONE,
    CANCELLED,
    RETURNED_BY_ISSUER,
    RETURNED_BY_ASSIGNEE,
)
OPEN_STATES = frozenset(STATES) - {DONE, CANCELLED}
WORKING = frozenset({ACCEPTED, IN_PROGRESS, RETURNED_BY_ISSUER})


@dataclass(frozen=True)
class Rule:
    side: Side
    perm: Perm
    from_states: frozenset[str]
    to_status: TaskStatus | None  # None: the status stays
    returned_by: Side | None = None
    # True: needs a pending extension request; False: needs none pending; None: either.
    pending_extension: bool | None = None


RULES: dict[str, tuple[Rule, ...]] = {
    "accept": (Rule(Side.assignee, Perm.task_work, frozenset({ISSUED}), TaskStatus.accepted),),
    "start": (
        Rule(
            Side.assignee,
            Perm.task_work,
            frozenset({ACCEPTED, RETURNED_BY_ISSUER}),
            TaskStatus.in_progress,
        ),
    ),
    "progress": (Rule(Side.assignee, Perm.task_work, WORKING, TaskStatus.in_progress),),
    "submit": (Rule(Side.assignee, Perm.task_work, WORKING, TaskStatus.submitted),),
    "verify": (Rule(Side.issuer, Perm.task_decide, frozenset({SUBMITTED}), TaskStatus.done),),
    "return": (
        # The issuer rejects a submission...
        Rule(
            Side.issuer,
            Perm.task_decide,
            frozenset({SUBMITTED}),
            TaskStatus.returned,
            returned_by=Side.issuer,
        ),
        # ...or the assignee sends back a task it cannot take on.
        Rule(
            Side.assignee,
            Perm.task_decide,
            frozenset({ISSUED, ACCEPTED}),
            TaskStatus.returned,
            returned_by=Side.assignee,
        ),
    ),
    "cancel": (Rule(Side.issuer, Perm.task_decide, OPEN_STATES, TaskStatus.cancelled),),
    "request-extension": (
        Rule(Side.assignee, Perm.task_work, WORKING | {ISSUED}, None, pending_extension=False),
    ),
    "approve-extension": (
        Rule(Side.issuer, Perm.task_decide, OPEN_STATES, None, pending_extension=True),
    ),
    "reject-extension": (
        Rule(Side.issuer, Perm.task_decide, OPEN_STATES, None, pending_extension=True),
    ),
    "reissue": (
        Rule(Side.issuer, Perm.task_create, frozenset({RETURNED_BY_ASSIGNEE}), TaskStatus.issued),
    ),
}
ACTIONS = tuple(RULES)
# Who may give a task subtasks, edit it, or set its responsible person.
SPLIT = (Side.assignee, Perm.task_create)
SPLIT_STATES = frozenset({ACCEPTED, IN_PROGRESS})
EDIT = (Side.issuer, Perm.task_create)
SET_RESPONSIBLE = ((Side.issuer, Perm.task_create), (Side.assignee, Perm.task_work))

Capability = tuple[Side, Perm]


def label(state: str) -> str:
    """A state as people say it: the status, with who returned it."""
    if state == RETURNED_BY_ISSUER:
        return "returned (by the issuer)"
    if state == RETURNED_BY_ASSIGNEE:
        return "returned (by the assignee)"
    return state


def state_of(status: str, returned_by: str | None) -> str:
    if status == TaskStatus.returned:
        return RETURNED_BY_ISSUER if returned_by == Side.issuer else RETURNED_BY_ASSIGNEE
    return status


@dataclass(frozen=True)
class Decision:
    rule: Rule | None
    problem: str | None  # "forbidden" or "conflict"
    detail: str = ""


def decide(
    action: str, state: str, pending_extension: bool, caps: Iterable[Capability]
) -> Decision:
    """Whether a caller holding `caps` may take `action` now, and by which rule."""
    held = caps if isinstance(caps, frozenset) else frozenset(caps)
    rules = RULES[action]
    if not any((r.side, r.perm) in held for r in rules):
        sides = " or ".join(sorted({f"the {r.side.value} side" for r in rules}))
        return Decision(None, "forbidden", f"Only {sides}, with the right role, may {action}.")
    rule = next((r for r in rules if state in r.from_states), None)
    if rule is None:
        return Decision(None, "conflict", f"The task is {label(state)}; it cannot {action} now.")
    if (rule.side, rule.perm) not in held:
        return Decision(
            None,
            "forbidden",
            f"While the task is {label(state)}, only the {rule.side.value} side may {action}.",
        )
    if rule.pending_extension is True and not pending_extension:
        return Decision(
            None, "conflict", f"The task is {label(state)} with no pending extension request."
        )
    if rule.pending_extension is False and pending_extension:
        return Decision(
            None,
            "conflict",
            f"The task is {label(state)} and already has a pending extension request.",
        )
    return Decision(rule, None)


def allowed_actions(state: str, pending_extension: bool, caps: Iterable[Capability]) -> list[str]:
    return list(_allowed(state, pending_extension, frozenset(caps)))


@lru_cache(maxsize=4096)
def _allowed(state: str, pending_extension: bool, caps: frozenset[Capability]) -> tuple[str, ...]:
    # Few distinct (state, caps) combinations occur: lists pay for decide() once each.
    return tuple(a for a in ACTIONS if decide(a, state, pending_extension, caps).rule is not None)


def is_overdue(due_at: datetime, status: str, now: datetime) -> bool:
    """Past its due date and neither done nor cancelled."""
    return status not in CLOSED_STATUSES and due_at < now


def is_due_soon(due_at: datetime, status: str, now: datetime) -> bool:
    """Not yet overdue, and due within the next 48 hours (inclusive)."""
    return status not in CLOSED_STATUSES and now <= due_at <= now + DUE_SOON
