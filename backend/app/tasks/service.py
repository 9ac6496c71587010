"""Tasks (交办): issued down the chain, worked, submitted with feedback, verified.

What is particular to a task: whom a unit may assign to, subtasks and their counters,
extension requests, and the hooks of its rule table (state.py). The action template, the
timeline, audit and notices come from app/workitems.
"""

import dataclasses
import uuid
from collections.abc import Hashable, Mapping, Sequence
from datetime import datetime
from typing import Any, ClassVar

from sqlalchemy.ext.asyncio import AsyncSession

from app.access.roles import Perm
from app.access.scope import Principal, is_within
from app.audit.service import snapshot
from app.core.db import reader
from app.core.errors import Conflict, Forbidden, NotFound, Unprocessable
from app.core.models import utcnow
from app.core.pagination import decode_cursor, encode_cursor
from app.feedback.models import FeedbackKind
from app.grants.repository import GrantRepository
from app.notifications.models import NotificationKind
from app.orgs.models import OrgKind, OrgUnit
from app.orgs.repository import OrgRepository
from app.tasks import state
from app.tasks.models import CLOSED_STATUSES, Side, Task, TaskStatus
from app.tasks.repository import RESHAPED, TaskRepository
from app.tasks.schemas import (
    ExtensionRequest,
    ProgressBody,
    ReissueBody,
    TaskCreate,
    TaskPage,
    TaskQuery,
    TaskRead,
    TaskUpdate,
)
from app.workitems import service as workitems
from app.workitems.events import DomainEvent, Notice, publish
from app.workitems.kinds import ActionContext, Hook, WorkItemKind
from app.workitems.listing import Condition
from app.workitems.models import ItemType
from app.workitems.repository import ItemRepository
from app.workitems.rules import Capability
from app.workitems.sides import Sides

# Attached units that direct work across the tier unit they hang under.
DIRECTING_KINDS = {OrgKind.department.value, OrgKind.taskforce.value, OrgKind.group.value}
PARTY_SIDES = (Side.issuer.value, Side.assignee.value)


# ---------------------------------------------------------------- org rules


async def assignable_root(orgs: OrgRepository, issuer: OrgUnit) -> list[int]:
    """The subtree an issuer may assign into: its own; for a department, task force or
    group, the subtree of the tier unit it hangs under."""
    if issuer.kind not in DIRECTING_KINDS:
        return list(issuer.path)
    tier_units = await orgs.tier_units_on(issuer.path[:-1], limit=1)
    return list(tier_units[0].path) if tier_units else list(issuer.path)


async def check_assignable(
    orgs: OrgRepository, issuer: OrgUnit, assignee: OrgUnit, *, subtask: bool = False
) -> None:
    """Per "whom a unit may assign to" (docs/architecture.md); a subtask goes to a unit
    inside the splitting unit's own scope only."""
    if assignee.id == issuer.id:
        raise Unprocessable("A unit cannot assign a task to itself.")
    if subtask:
        if not is_within(assignee.path, tuple(issuer.path)):
            raise Forbidden(f"{issuer.name} may split its task only among units inside its scope.")
        return
    root = await assignable_root(orgs, issuer)
    if not is_within(assignee.path, tuple(root)):
        raise Forbidden(
            f"{issuer.name} may assign tasks only to units inside its scope"
            + (" or under the tier unit it belongs to." if issuer.kind in DIRECTING_KINDS else ".")
        )


async def check_responsible(session: AsyncSession, user_id: uuid.UUID, assignee: OrgUnit) -> None:
    """The responsible person must be an active user with a role in the assignee unit."""
    grants = await GrantRepository.writing(session)
    if not await grants.has_active_holder_within(user_id, assignee.path):
        raise Unprocessable(
            "responsible_user_id must be an active user with a role in the assignee unit."
        )


async def _issuer_for(
    orgs: OrgRepository, principal: Principal, sides: Sides, issuer_org_id: uuid.UUID | None
) -> OrgUnit:
    issuer_id = workitems.own_unit(principal, Perm.task_create, issuer_org_id, "issuer_org_id")
    issuer = await workitems.named_unit(orgs.session, issuer_id, "issuer_org_id")
    if not sides.may(Perm.task_create, issuer.path):
        raise Forbidden("You may not issue tasks for that unit.")
    return issuer


# ---------------------------------------------------------------- status and hooks


async def _count_in_parent(repo: ItemRepository, task: Task, old: str | None, new: str) -> None:
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
    await ctx.give_feedback(FeedbackKind.completion, ctx.note)


async def _verify(ctx: ActionContext) -> None:
    if ctx.note:
        await ctx.give_feedback(FeedbackKind.review, ctx.note)


async def _return(ctx: ActionContext) -> None:
    task: Task = ctx.item
    by = ctx.transition.side
    ctx.data["returned_by"] = by
    if by == Side.issuer:
        await ctx.give_feedback(FeedbackKind.review, ctx.note)
        ctx.notices.append(Notice(task.assignee_org_id, NotificationKind.task_returned))
    else:
        ctx.notices.append(Notice(task.issuer_org_id, NotificationKind.task_returned))


async def _request_extension(ctx: ActionContext) -> None:
    assert isinstance(ctx.body, ExtensionRequest)
    task: Task = ctx.item
    if ctx.body.due_at <= task.due_at or ctx.body.due_at <= ctx.now:
        raise Unprocessable(
            "An extension must ask for a due date later than the current one, in the future."
        )
    task.extension_due_at = ctx.body.due_at
    task.extension_note = ctx.note
    task.extension_requested_at = ctx.now
    task.extension_requested_by = ctx.principal.user_id
    ctx.data.update(due_at=ctx.body.due_at, current_due_at=task.due_at)


async def _approve_extension(ctx: ActionContext) -> None:
    task: Task = ctx.item
    assert task.extension_due_at is not None
    ctx.data.update(previous_due_at=task.due_at, due_at=task.extension_due_at)
    task.due_at = task.extension_due_at
    _clear_extension(task)


async def _reject_extension(ctx: ActionContext) -> None:
    ctx.data.update(requested_due_at=ctx.item.extension_due_at)
    _clear_extension(ctx.item)


async def _reissue(ctx: ActionContext) -> None:
    body, task = ctx.body, ctx.item
    assert isinstance(body, ReissueBody)
    orgs = await OrgRepository.writing(ctx.session)
    if body.assignee_org_id is not None and body.assignee_org_id != task.assignee_org_id:
        issuer = await workitems.named_unit(orgs.session, task.issuer_org_id, "issuer_org_id")
        assignee = await workitems.named_unit(orgs.session, body.assignee_org_id, "assignee_org_id")
        await check_assignable(orgs, issuer, assignee, subtask=task.parent_id is not None)
        ctx.data.update(previous_assignee_org_id=task.assignee_org_id, assignee_org_id=assignee.id)
        task.assignee_org_id = assignee.id
        task.assignee_path = list(assignee.path)
        task.responsible_user_id = None
    if body.responsible_user_id is not None:
        assignee = await workitems.named_unit(orgs.session, task.assignee_org_id, "assignee_org_id")
        await check_responsible(ctx.session, body.responsible_user_id, assignee)
        task.responsible_user_id = body.responsible_user_id
    if body.due_at is not None and body.due_at != task.due_at:
        ctx.data.update(previous_due_at=task.due_at, due_at=body.due_at)
        task.due_at = body.due_at
    task.accepted_at = None
    task.submitted_at = None
    ctx.notices.append(Notice(task.assignee_org_id, NotificationKind.task_assigned))


async def _cancel_subtasks(ctx: ActionContext) -> None:
    """Cancelling a task cancels its open subtasks, all the way down."""
    assert isinstance(ctx.repo, TaskRepository)
    parent: Task = ctx.item
    for child in await ctx.repo.lock_open_children(parent.id):
        before = snapshot(child, KIND.audit_fields)
        old = child.status
        await _set_status(ctx.repo, child, TaskStatus.cancelled, ctx.now)
        await workitems.changed(
            KIND,
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


async def _set_status(
    repo: ItemRepository, task: Task, new: TaskStatus, now: datetime, returned_by: str | None = None
) -> None:
    """Stamp when the new status began; keep the parent's subtask counters in step."""
    old = task.status
    task.status = new.value
    task.returned_by = returned_by
    if new == TaskStatus.accepted:
        task.accepted_at = now
    elif new == TaskStatus.submitted:
        task.submitted_at = now
    elif new == TaskStatus.done:
        task.completed_at = now
    elif new == TaskStatus.cancelled:
        task.cancelled_at = now
    if new in CLOSED_STATUSES:
        _clear_extension(task)
    await _count_in_parent(repo, task, old, new.value)


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


# ---------------------------------------------------------------- the kind


class TaskKind(WorkItemKind):
    item_type = ItemType.task
    plural = "tasks"
    workflow = state.WORKFLOW
    repository = TaskRepository
    sides = PARTY_SIDES
    party_orgs = ("issuer_org_id", "assignee_org_id")
    capability_perms = (Perm.task_create, Perm.task_work, Perm.task_decide)
    audit_fields = (
        "id",
        "title",
        "description",
        "issuer_org_id",
        "assignee_org_id",
        "responsible_user_id",
        "due_at",
        "priority",
        "source",
        "status",
        "returned_by",
        "progress",
        "parent_id",
        "extension_due_at",
        "version",
    )
    audit_party = 1
    nullable_fields = frozenset({"responsible_user_id"})
    create_perm = Perm.task_create
    create_summary = "Issue a task (or a subtask, with parent_id)"
    edit_perm = Perm.task_create
    update_summary = "Edit a task (issuer side; the assignee side sets the responsible person)"
    read_model = TaskRead
    page_model = TaskPage
    query_model = TaskQuery
    create_model = TaskCreate
    update_model = TaskUpdate
    hooks: ClassVar[Mapping[str, Hook]] = HOOKS
    after_hooks: ClassVar[Mapping[str, Hook]] = {"cancel": _cancel_subtasks}

    def state_of(self, item: Any) -> str:
        return state.state_of(item.status, item.returned_by)

    async def facts(self, repo: ItemRepository, item: Any, now: datetime) -> Hashable:
        return item.extension_due_at is not None

    async def set_status(self, ctx: ActionContext, status: str) -> None:
        returned_by = ctx.transition.side if status == TaskStatus.returned else None
        await _set_status(ctx.repo, ctx.item, TaskStatus(status), ctx.now, returned_by)

    def render(self, row: Mapping[str, Any], sides: Sides, now: datetime) -> dict[str, Any]:
        item = dict(row)
        (
            issuer_path,
            assignee_path,
            subtasks_total,
            subtasks_done,
            extension_due_at,
            extension_note,
            extension_requested_at,
            extension_requested_by,
        ) = (item.pop(column) for column in RESHAPED)
        status = item["status"]
        item_state = state.state_of(status, item["returned_by"])
        pending = extension_due_at is not None
        held = (
            sides.held_at(item["issuer_org_id"], issuer_path),
            sides.held_at(item["assignee_org_id"], assignee_path),
        )
        caps, can_feedback = sides.view(self.sides, self.capability_perms, held)
        due_at = item["due_at"]
        item["subtasks"] = {"total": subtasks_total, "done": subtasks_done}
        item["extension"] = (
            {
                "due_at": extension_due_at,
                "note": extension_note,
                "requested_at": extension_requested_at,
                "requested_by": extension_requested_by,
            }
            if pending
            else None
        )
        item["overdue"] = state.is_overdue(due_at, status, now)
        item["due_soon"] = state.is_due_soon(due_at, status, now)
        item["allowed_actions"] = self.workflow.allowed_actions(item_state, pending, caps)
        item["can_edit"] = state.EDIT in caps and status not in CLOSED_STATUSES
        item["can_add_subtask"] = state.SPLIT in caps and item_state in state.SPLIT_STATES
        item["can_feedback"] = can_feedback
        return item

    def conditions(self, query: TaskQuery) -> list[Condition]:
        party = "t.{} = (SELECT path FROM org_units WHERE id = {{}})"
        return [
            ("t.status = ANY({}::text[])", query.status),
            (party.format("issuer_path"), query.issuer_org_id),
            (party.format("assignee_path"), query.assignee_org_id),
            ("t.parent_id = {}", query.parent_id),
            ("t.priority = {}", query.priority),
            ("t.source = {}", query.source),
        ]

    async def create(
        self, session: AsyncSession, principal: Principal, body: TaskCreate
    ) -> dict[str, Any]:
        sides = Sides(principal)
        now = utcnow()
        orgs = await OrgRepository.writing(session)
        parent: Task | None = None
        if body.parent_id is not None:
            _, parent = await workitems.locked(self, session, principal, body.parent_id)
            assert parent is not None
            if not sides.may(Perm.task_create, parent.assignee_path):
                raise Forbidden("Only the assignee side of a task may split it into subtasks.")
            parent_state = self.state_of(parent)
            if parent_state not in state.SPLIT_STATES:
                raise Conflict(
                    f"The parent task is {state.label(parent_state)}; "
                    "split it once it is accepted or in progress."
                )
            issuer = await workitems.named_unit(orgs.session, parent.assignee_org_id, "parent_id")
            if body.issuer_org_id not in (None, issuer.id):
                raise Unprocessable("A subtask is issued by its parent task's assignee unit.")
        else:
            issuer = await _issuer_for(orgs, principal, sides, body.issuer_org_id)
        assignee = await workitems.named_unit(orgs.session, body.assignee_org_id, "assignee_org_id")
        await check_assignable(orgs, issuer, assignee, subtask=parent is not None)
        if body.responsible_user_id is not None:
            await check_responsible(session, body.responsible_user_id, assignee)
        task = Task(
            title=body.title,
            description=body.description,
            issuer_org_id=issuer.id,
            issuer_path=list(issuer.path),
            assignee_org_id=assignee.id,
            assignee_path=list(assignee.path),
            responsible_user_id=body.responsible_user_id,
            due_at=body.due_at,
            priority=body.priority.value,
            source=body.source.value,
            status=TaskStatus.issued.value,
            parent_id=body.parent_id,
            created_by=principal.user_id,
            created_at=now,
            updated_at=now,
        )
        item = await workitems.created(
            self,
            session,
            principal,
            task,
            org_id=issuer.id,
            data={
                "assignee_org_id": assignee.id,
                "due_at": task.due_at,
                "parent_id": task.parent_id,
            },
            notices=(Notice(assignee.id, NotificationKind.task_assigned),),
        )
        if parent is not None:
            await _count_in_parent(await TaskRepository.writing(session), task, None, task.status)
            await publish(
                session,
                DomainEvent(
                    item_type=self.item_type,
                    item_id=parent.id,
                    action="subtask",
                    actor_id=principal.user_id,
                    org_id=issuer.id,
                    data={
                        "subtask_id": task.id,
                        "assignee_org_id": assignee.id,
                        "title": task.title,
                    },
                ),
            )
        return item

    async def update(
        self,
        session: AsyncSession,
        principal: Principal,
        item_id: uuid.UUID,
        body: TaskUpdate,
        if_match: str | None,
    ) -> dict[str, Any]:
        return await workitems.edit(
            self,
            session,
            principal,
            item_id,
            body.model_dump(exclude_unset=True),
            if_match,
            refusal=_edit_refusal,
            is_editable=lambda task: task.status not in CLOSED_STATUSES,
            apply=_apply_edit,
        )


def _edit_refusal(caps: frozenset[Capability], changes: dict[str, Any]) -> str | None:
    issuer_side = state.EDIT in caps
    if set(changes) - {"responsible_user_id"} and not issuer_side:
        return "Only the issuer side may edit a task."
    if not issuer_side and not any(c in caps for c in state.SET_RESPONSIBLE):
        if "responsible_user_id" in changes:
            return "Only the issuer or assignee side may set the responsible person."
        return "Only the issuer side may edit a task."
    return None


async def _apply_edit(repo: ItemRepository, task: Task, changes: dict[str, Any]) -> dict[str, Any]:
    if changes.get("responsible_user_id") is not None:
        assignee = await workitems.named_unit(repo.session, task.assignee_org_id, "assignee_org_id")
        await check_responsible(repo.session, changes["responsible_user_id"], assignee)
    changed = {}
    for field, value in changes.items():
        if getattr(task, field) != value:
            changed[field] = value
            setattr(task, field, value)
    return changed


KIND = TaskKind()


# ---------------------------------------------------------------- assignable units


async def assignable_units(
    session: AsyncSession,
    principal: Principal,
    *,
    issuer_org_id: uuid.UUID | None,
    parent_id: uuid.UUID | None,
    q: str | None,
    limit: int,
    cursor: str | None,
) -> tuple[list[dict[str, Any]], str | None]:
    """Units a task from this issuer (or a subtask of `parent_id`) may go to, in tree order.

    The issuer side may not be able to read these units through /orgs (a county task force
    directs communities outside its own subtree), so the task domain lists them itself.
    """
    sides = Sides(principal)
    orgs = await OrgRepository.writing(session)
    if parent_id is not None:
        async with reader() as connection:
            paths = await TaskRepository(connection).visible_party_paths(principal, parent_id)
        if paths is None:
            raise NotFound("Task")
        assignee_path = paths[1]
        if not sides.may(Perm.task_create, assignee_path):
            raise Forbidden("Only the assignee side of a task may split it into subtasks.")
        issuer = await orgs.at_path(assignee_path)
        root: Sequence[int] = issuer.path
    else:
        issuer = await _issuer_for(orgs, principal, sides, issuer_org_id)
        root = await assignable_root(orgs, issuer)
    after = decode_cursor(cursor, 1)
    if after is not None and (
        not isinstance(after[0], list) or not all(isinstance(k, int) for k in after[0])
    ):
        raise Unprocessable("The cursor is not valid.")
    rows = await orgs.units_within(
        root,
        exclude_id=issuer.id,
        name_contains=q,
        after_path=after[0] if after else None,
        limit=limit + 1,
    )
    units = [dict(row) for row in rows[:limit]]
    more = len(rows) > limit
    return units, encode_cursor([list(units[-1]["path"])]) if more and units else None
