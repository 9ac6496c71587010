"""The issue workflow as data: open -> acknowledged -> resolved -> closed, with escalate and
delegate moving the handler (and handing the issue over as `open`), and reopen bringing a
resolved or closed issue back to open. Pure: no I/O."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from functools import lru_cache

from app.access.roles import Perm
from app.issues.models import UNRESOLVED_STATUSES, IssueStatus

DUE_SOON = timedelta(hours=48)


class IssueSide(StrEnum):
    reporter = "reporter"
    handler = "handler"


OPEN = IssueStatus.open.value
ACKNOWLEDGED = IssueStatus.acknowledged.value
RESOLVED = IssueStatus.resolved.value
CLOSED = IssueStatus.closed.value
STATES = (OPEN, ACKNOWLEDGED, RESOLVED, CLOSED)
UNRESOLVED = frozenset({OPEN, ACKNOWLEDGED})


@dataclass(frozen=True)
class Rule:
    side: IssueSide
    perm: Perm
    from_states: frozenset[str]
    to_status: IssueStatus


RULES: dict[str, Rule] = {
    "acknowledge": Rule(
        IssueSide.handler, Perm.issue_work, frozenset({OPEN}), IssueStatus.acknowledged
    ),
    "escalate": Rule(IssueSide.handler, Perm.issue_work, UNRESOLVED, IssueStatus.open),
    "delegate": Rule(IssueSide.handler, Perm.issue_decide, UNRESOLVED, IssueStatus.open),
    "resolve": Rule(IssueSide.handler, Perm.issue_decide, UNRESOLVED, IssueStatus.resolved),
    "close": Rule(
        IssueSide.reporter, Perm.issue_confirm, frozenset({RESOLVED}), IssueStatus.closed
    ),
    "reopen": Rule(
        IssueSide.reporter, Perm.issue_confirm, frozenset({RESOLVED, CLOSED}), IssueStatus.open
    ),
}
ACTIONS = tuple(RULES)
Capability = tuple[IssueSide, Perm]
EDIT: tuple[Capability, ...] = (
    (IssueSide.reporter, Perm.issue_create),
    (IssueSide.handler, Perm.issue_work),
)


@dataclass(frozen=True)
class Facts:
    """What besides the status decides an action."""

    status: str
    can_escalate: bool  # there is a tier above the handler's tier
    reopen_open: bool  # still within the reopen window after resolution


@dataclass(frozen=True)
class Decision:
    rule: Rule | None
    problem: str | None  # "forbidden" or "conflict"
    detail: str = ""


def decide(action: str, facts: Facts, caps: Iterable[Capability]) -> Decision:
    rule = RULES[action]
    held = caps if isinstance(caps, frozenset) else frozenset(caps)
    if (rule.side, rule.perm) not in held:
        return Decision(
            None,
            "forbidden",
            f"Only the {rule.side.value} side, with the right role, may {action}.",
        )
    if facts.status not in rule.from_states:
        return Decision(None, "conflict", f"The issue is {facts.status}; it cannot {action} now.")
    if action == "escalate" and not facts.can_escalate:
        return Decision(
            None,
            "conflict",
            f"The issue is {facts.status} at the prefecture tier; there is no tier above.",
        )
    if action == "reopen" and not facts.reopen_open:
        return Decision(
            None,
            "conflict",
            f"The issue is {facts.status}, and was resolved too long ago to reopen.",
        )
    return Decision(rule, None)


def allowed_actions(facts: Facts, caps: Iterable[Capability]) -> list[str]:
    return list(_allowed(facts, frozenset(caps)))


@lru_cache(maxsize=4096)
def _allowed(facts: Facts, caps: frozenset[Capability]) -> tuple[str, ...]:
    return tuple(a for a in ACTIONS if decide(a, facts, caps).rule is not None)


def is_overdue(due_at: datetime, status: str, now: datetime) -> bool:
    """Past its due date and not yet resolved."""
    return status in UNRESOLVED_STATUSES and due_at < now


def is_due_soon(due_at: datetime, status: str, now: datetime) -> bool:
    return status in UNRESOLVED_STATUSES and now <= due_at <= now + DUE_SOON
