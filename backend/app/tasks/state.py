"""The task workflow as data (see app/workitems/rules.py): which side, holding which
permission, may take which action from which state, and where it leads.

States are the task `status`, except that `returned` is split by who sent it back:
`returned_by_assignee` (the assignee declined it; the issuer re-issues or cancels) and
`returned_by_issuer` (a submission was rejected; the assignee reworks and resubmits).
"""

from typing import NamedTuple

from app.access.roles import Perm
from app.tasks.models import Side, TaskStatus
from app.tasks.schemas import ExtensionRequest, ProgressBody, ReissueBody
from app.workitems.rules import OWN_SUBMISSION, Action, Duty, Transition, Workflow
from app.workitems.schemas import ActionNote, RequiredNote

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
ISSUER, ASSIGNEE = Side.issuer.value, Side.assignee.value


def _from(side: str, states: frozenset[str] | set[str], to: TaskStatus | None) -> Transition:
    return Transition(side, frozenset(states), to.value if to else None)


class Facts(NamedTuple):
    """What besides the state decides an action (a tuple: one is made per item rendered)."""

    pending_extension: bool
    own_submission: bool  # the caller submitted what waits for verification


def _needs_pending(facts: Facts, state: str) -> str | None:
    if facts.pending_extension:
        return None
    return f"The task is {state} with no pending extension request."


def _needs_none_pending(facts: Facts, state: str) -> str | None:
    if not facts.pending_extension:
        return None
    return f"The task is {state} and already has a pending extension request."


# Judging a submission (verifying or returning it) is never its submitter's.
_NOT_THE_SUBMITTER = Duty(
    OWN_SUBMISSION,
    lambda facts: facts.own_submission,
    "You submitted this task: someone else on the issuer side must judge the submission.",
)


# One row per action. Beside the state, the facts decide: whether an extension is pending,
# and whether the caller submitted the task.
RULES = (
    Action(
        "accept",
        Perm.task_work,
        (_from(ASSIGNEE, {ISSUED}, TaskStatus.accepted),),
        "Accept (assignee side): issued -> accepted",
        ActionNote,
    ),
    Action(
        "start",
        Perm.task_work,
        (_from(ASSIGNEE, {ACCEPTED, RETURNED_BY_ISSUER}, TaskStatus.in_progress),),
        "Start work (assignee side): -> in_progress",
        ActionNote,
    ),
    Action(
        "progress",
        Perm.task_work,
        (_from(ASSIGNEE, WORKING, TaskStatus.in_progress),),
        "Report progress (assignee side), stored as progress feedback",
        ProgressBody,
        body_required=True,
    ),
    Action(
        "submit",
        Perm.task_work,
        (_from(ASSIGNEE, WORKING, TaskStatus.submitted),),
        "Submit (assignee side); the note is the completion feedback",
        RequiredNote,
        body_required=True,
    ),
    Action(
        "verify",
        Perm.task_decide,
        (_from(ISSUER, {SUBMITTED}, TaskStatus.done),),
        "Verify a submission (issuer side, not its submitter): submitted -> done",
        ActionNote,
        duty=_NOT_THE_SUBMITTER,
    ),
    Action(
        "return",
        Perm.task_decide,
        (
            # The issuer rejects a submission, or the assignee sends back a task it
            # cannot take on.
            _from(ISSUER, {SUBMITTED}, TaskStatus.returned),
            _from(ASSIGNEE, {ISSUED, ACCEPTED}, TaskStatus.returned),
        ),
        "Return with a reason: the issuer rejects a submission, or the assignee sends it back",
        RequiredNote,
        body_required=True,
        duty=_NOT_THE_SUBMITTER,
    ),
    Action(
        "cancel",
        Perm.task_decide,
        (_from(ISSUER, OPEN_STATES, TaskStatus.cancelled),),
        "Cancel (issuer side), with its open subtasks",
        ActionNote,
    ),
    Action(
        "request-extension",
        Perm.task_work,
        (_from(ASSIGNEE, WORKING | {ISSUED}, None),),
        "Ask the issuer for a later due date (assignee side)",
        ExtensionRequest,
        body_required=True,
        guard=_needs_none_pending,
    ),
    Action(
        "approve-extension",
        Perm.task_decide,
        (_from(ISSUER, OPEN_STATES, None),),
        "Approve the pending extension (issuer side)",
        ActionNote,
        guard=_needs_pending,
    ),
    Action(
        "reject-extension",
        Perm.task_decide,
        (_from(ISSUER, OPEN_STATES, None),),
        "Refuse the pending extension (issuer side)",
        ActionNote,
        guard=_needs_pending,
    ),
    Action(
        "reissue",
        Perm.task_create,
        (_from(ISSUER, {RETURNED_BY_ASSIGNEE}, TaskStatus.issued),),
        "Send a task the assignee returned out again (issuer side)",
        ReissueBody,
    ),
)


def label(state: str) -> str:
    """A state as people say it: the status, with who returned it."""
    if state == RETURNED_BY_ISSUER:
        return "returned (by the issuer)"
    if state == RETURNED_BY_ASSIGNEE:
        return "returned (by the assignee)"
    return state


WORKFLOW = Workflow("task", RULES, label)
ACTIONS = WORKFLOW.names
# Who may give a task subtasks, edit it, or set its responsible person.
SPLIT = (ASSIGNEE, Perm.task_create)
SPLIT_STATES = frozenset({ACCEPTED, IN_PROGRESS})
EDIT = (ISSUER, Perm.task_create)
SET_RESPONSIBLE = (EDIT, (ASSIGNEE, Perm.task_work))


def state_of(status: str, returned_by: str | None) -> str:
    if status == TaskStatus.returned:
        return RETURNED_BY_ISSUER if returned_by == Side.issuer else RETURNED_BY_ASSIGNEE
    return status
