"""The issue workflow as data (see app/workitems/rules.py): open -> acknowledged ->
resolved -> closed, with escalate, delegate and take-over moving the handler (and handing
the issue over as `open`), and reopen bringing a resolved or closed issue back to open.
Take-over is for a leader above the handler (the pseudo-side `above`), e.g. a street
leader whose community both raised and handles an issue, and so stands on neither side."""

from enum import StrEnum
from typing import NamedTuple

from app.access.roles import Perm
from app.issues.models import IssueStatus
from app.issues.schemas import CloseBody, DelegateBody
from app.workitems.rules import ABOVE, OWN_RESOLUTION, Action, Duty, Transition, Workflow
from app.workitems.schemas import ActionNote, RequiredNote


class IssueSide(StrEnum):
    reporter = "reporter"
    handler = "handler"


OPEN = IssueStatus.open.value
ACKNOWLEDGED = IssueStatus.acknowledged.value
RESOLVED = IssueStatus.resolved.value
CLOSED = IssueStatus.closed.value
STATES = (OPEN, ACKNOWLEDGED, RESOLVED, CLOSED)
UNRESOLVED = frozenset({OPEN, ACKNOWLEDGED})
HANDLER, REPORTER = IssueSide.handler.value, IssueSide.reporter.value


class Facts(NamedTuple):
    """What besides the status decides an action (a tuple: one is made per item rendered)."""

    can_escalate: bool  # there is a tier above the handler's tier
    reopen_open: bool  # still within the reopen window after resolution
    own_resolution: bool  # the caller resolved it


NOT_THE_RESOLVER = (
    "You resolved this issue: someone else on the reporter side must confirm and rate it."
)


def _has_tier_above(facts: Facts, state: str) -> str | None:
    if facts.can_escalate:
        return None
    return f"The issue is {state} at the prefecture tier; there is no tier above."


def _within_reopen_window(facts: Facts, state: str) -> str | None:
    if facts.reopen_open:
        return None
    return f"The issue is {state}, and was resolved too long ago to reopen."


def _from(side: str, states: frozenset[str] | set[str], to: IssueStatus) -> tuple[Transition]:
    return (Transition(side, frozenset(states), to.value),)


RULES = (
    Action(
        "acknowledge",
        Perm.issue_work,
        _from(HANDLER, {OPEN}, IssueStatus.acknowledged),
        "Acknowledge (handler side): open -> acknowledged",
        ActionNote,
    ),
    Action(
        "escalate",
        Perm.issue_work,
        _from(HANDLER, UNRESOLVED, IssueStatus.open),
        "Escalate to the tier above (handler side); the note is the reason",
        RequiredNote,
        body_required=True,
        guard=_has_tier_above,
    ),
    Action(
        "delegate",
        Perm.issue_decide,
        _from(HANDLER, UNRESOLVED, IssueStatus.open),
        "Hand to a unit inside the handler's scope (handler side)",
        DelegateBody,
        body_required=True,
    ),
    Action(
        "resolve",
        Perm.issue_decide,
        _from(HANDLER, UNRESOLVED, IssueStatus.resolved),
        "Resolve (handler side); the note is the resolution",
        RequiredNote,
        body_required=True,
    ),
    Action(
        "close",
        Perm.issue_confirm,
        _from(REPORTER, {RESOLVED}, IssueStatus.closed),
        "Confirm the resolution with a 1-5 rating (reporter side, not its resolver)",
        CloseBody,
        body_required=True,
        duty=Duty(OWN_RESOLUTION, lambda facts: facts.own_resolution, NOT_THE_RESOLVER),
    ),
    Action(
        "reopen",
        Perm.issue_confirm,
        _from(REPORTER, {RESOLVED, CLOSED}, IssueStatus.open),
        "Reopen within 30 days of resolution (reporter side)",
        ActionNote,
        guard=_within_reopen_window,
    ),
    Action(
        "take-over",
        Perm.issue_decide,
        _from(ABOVE, UNRESOLVED, IssueStatus.open),
        "Take the issue over (提级办理, a leader above the handler): your unit handles it",
        ActionNote,
        event="taken_over",
    ),
)
WORKFLOW = Workflow("issue", RULES)
ACTIONS = WORKFLOW.names
EDIT = ((REPORTER, Perm.issue_create), (HANDLER, Perm.issue_work))
