"""What each row of the task rule table (state.py) does beyond moving the status."""

import dataclasses
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from app.audit.service import snapshot
from app.calendar.service import CalendarNotCovered, limit_after
from app.core.db import driver
from app.core.errors import Unprocessable
from app.feedback.models import FeedbackKind
from app.notifications.models import NotificationKind
from app.orgs.repository import OrgRepository
from app.tasks.assignment import check_assignable, check_responsible
from app.tasks.models import ACCEPT_WORKING_DAYS, CLOSED_STATUSES, Side, Task, TaskStatus
from app.tasks.repository import TaskRepository
from app.tasks.schemas import DueDate, ExtensionRequest, ProgressBody, ReissueBody
from app.workitems import service as workitems
from app.workitems.events import Notice
from app.workitems.kinds import ActionContext, Hook
from app.workitems.repository import ItemRepository


async def acceptance_limit(session: AsyncSession, issued: datetime) -> datetime | None:
    """When a task issued at `issued` must be accepted by; None while the working-day
    calendar does not cover that day yet (a task is issued all the same: the acceptance
    limit is a measure, not a gate)."""
    try:
        return await limit_after(await driver(session), issued, ACCEPT_WORKING_DAYS)
    except CalendarNotCovered:
        return None


async def due_date(session: AsyncSession, given: DueDate, now: datetime) -> datetime:
    """The due date a request names: its `due_at`, or the end of its N-th working day
    after today (CalendarNotCovered, a 422, past the working-day calendar)."""
    if given.due_at is not None:
        return given.due_at
    assert given.due_in_working_days is not None  # DueDate asks for one of the two
    return await limit_after(await driver(session), now, given.due_in_working_days)


async def count_in_parent(repo: ItemRepository, task: Task, old: str | None, new: str) -> None:
    """Keep the parent's done/total: cancelled subtasks do not count."""
    if task.parent_id is None:
        return
    total = int(new != TaskStatus.cancelled) - int(old is not None and old != TaskStatus.cancelled)
    done = int(new == TaskStatus.done) - int(old == TaskStatus.done)
    if total or done:
        assert isinstance(repo, TaskRepository)
        await repo.count_in_parent(task.parent_id, total, done)


def _clear_extension(task: Task) -> None:
    task.extension_due_at = None
    task.extension_note = None
    task.extension_requested_at = None
    task.extension_requested_by = None


async def _progress(ctx: ActionContext) -> None:
    assert isinstance(ctx.body, ProgressBody)
    ctx.item.progress = ctx.body.progress
    ctx.data["progress"] = ctx.body.progress
    await ctx.give_feedback(FeedbackKind.progress, ctx.note or f"{ctx.body.progress}%")


async def _submit(ctx: ActionContext) -> None:
    ctx.item.submitted_by = ctx.principal.user_id
    await ctx.give_feedback(FeedbackKind.completion, ctx.note)
    ctx.notices.append(Notice(ctx.item.issuer_org_id, NotificationKind.task_submitted))


async def _verify(ctx: ActionContext) -> None:
    if ctx.note:
        await ctx.give_feedback(FeedbackKind.review, ctx.note)


async def _return(ctx: ActionContext) -> None:
    task: Task = ctx.item
    by = ctx.transition.side
    ctx.data["returned_by"] = by
    if by == Side.issuer:
        task.return_count += 1
        await ctx.give_feedback(FeedbackKind.review, ctx.note)
        ctx.notices.append(Notice(task.assignee_org_id, NotificationKind.task_returned))
    else:
        ctx.notices.append(Notice(task.issuer_org_id, NotificationKind.task_returned))


async def _request_extension(ctx: ActionContext) -> None:
    assert isinstance(ctx.body, ExtensionRequest)
    task: Task = ctx.item
    asked = await due_date(ctx.session, ctx.body, ctx.now)
    if asked <= task.due_at or asked <= ctx.now:
        raise Unprocessable(
            "An extension must ask for a due date later than the current one, in the future."
        )
    task.extension_due_at = asked
    task.extension_note = ctx.note
    task.extension_requested_at = ctx.now
    task.extension_requested_by = ctx.principal.user_id
    ctx.data.update(
        due_at=asked, due_in_working_days=ctx.body.due_in_working_days, current_due_at=task.due_at
    )
    ctx.notices.append(Notice(task.issuer_org_id, NotificationKind.task_extension_requested))


async def _approve_extension(ctx: ActionContext) -> None:
    task: Task = ctx.item
    assert task.extension_due_at is not None
    ctx.data.update(previous_due_at=task.due_at, due_at=task.extension_due_at)
    task.due_at = task.extension_due_at
    _clear_extension(task)
    ctx.notices.append(Notice(task.assignee_org_id, NotificationKind.task_extension_approved))


async def _reject_extension(ctx: ActionContext) -> None:
    ctx.data.update(requested_due_at=ctx.item.extension_due_at)
    _clear_extension(ctx.item)
    ctx.notices.append(Notice(ctx.item.assignee_org_id, NotificationKind.task_extension_rejected))


async def _reissue(ctx: ActionContext) -> None:
    body, task = ctx.body, ctx.item
    assert isinstance(body, ReissueBody)
    orgs = await OrgRepository.writing(ctx.session)
    if body.assignee_org_id is not None and body.assignee_org_id != task.assignee_org_id:
        issuer = await workitems.named_unit(orgs, task.issuer_org_id, "issuer_org_id")
        assignee = await workitems.named_unit(orgs, body.assignee_org_id, "assignee_org_id")
        await check_assignable(orgs, issuer, assignee, subtask=task.parent_id is not None)
        ctx.data.update(previous_assignee_org_id=task.assignee_org_id, assignee_org_id=assignee.id)
        task.assignee_org_id = assignee.id
        task.assignee_path = list(assignee.path)
        task.responsible_user_id = None
    if body.responsible_user_id is not None:
        assignee = await workitems.named_unit(orgs, task.assignee_org_id, "assignee_org_id")
        await check_responsible(ctx.session, body.responsible_user_id, assignee)
        task.responsible_user_id = body.responsible_user_id
    if body.due_at is not None and body.due_at != task.due_at:
        ctx.data.update(previous_due_at=task.due_at, due_at=body.due_at)
        task.due_at = body.due_at
    task.accepted_at = None
    task.accept_due_at = await acceptance_limit(ctx.session, ctx.now)
    task.submitted_at = None
    task.submitted_by = None
    ctx.notices.append(Notice(task.assignee_org_id, NotificationKind.task_assigned))


async def _cancel_subtasks(ctx: ActionContext) -> None:
    """Cancelling a task cancels its open subtasks, all the way down."""
    assert isinstance(ctx.repo, TaskRepository)
    parent: Task = ctx.item
    for child in await ctx.repo.lock_open_children(parent.id):
        before = snapshot(child, ctx.kind.audit_fields)
        old = child.status
        await move_status(ctx.repo, child, TaskStatus.cancelled, ctx.now)
        await workitems.changed(
            ctx.kind,
            ctx.session,
            ctx.principal,
            child,
            "cancel",
            before=before,
            from_status=old,
            org_id=ctx.org_id,
            note="The parent task was cancelled.",
            data={"parent_id": parent.id},
        )
        await _cancel_subtasks(dataclasses.replace(ctx, item=child))


async def move_status(
    repo: ItemRepository, task: Task, new: TaskStatus, now: datetime, returned_by: str | None = None
) -> None:
    """Stamp when the new status began; keep the parent's subtask counters in step. A
    returned task is yellow until it is submitted again (the flag is set with the status:
    the colour trigger clears it in a status that does not count)."""
    old = task.status
    task.status = new.value
    task.returned_by = returned_by
    if new in (TaskStatus.returned, TaskStatus.submitted):
        task.yellow = new == TaskStatus.returned
    if new == TaskStatus.accepted:
        task.accepted_at = now
    elif new == TaskStatus.submitted:
        task.submitted_at = now
        task.submission_count += 1
    elif new == TaskStatus.done:
        task.completed_at = now
    elif new == TaskStatus.cancelled:
        task.cancelled_at = now
    if new in CLOSED_STATUSES:
        _clear_extension(task)
    await count_in_parent(repo, task, old, new.value)


HOOKS: dict[str, Hook] = {
    "progress": _progress,
    "submit": _submit,
    "verify": _verify,
    "return": _return,
    "request-extension": _request_extension,
    "approve-extension": _approve_extension,
    "reject-extension": _reject_extension,
    "reissue": _reissue,
}
AFTER_HOOKS: dict[str, Hook] = {"cancel": _cancel_subtasks}
