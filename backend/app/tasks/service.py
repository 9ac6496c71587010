"""Tasks (交办): issued down the chain, worked, submitted with feedback, verified.

The kind plugs the task into app/workitems: its table (repository.py), rule table
(state.py), hooks (hooks.py) and whom it may go to (assignment.py); here are how a task
is shown, created and edited.
"""

import uuid
from collections.abc import Hashable, Mapping
from datetime import datetime
from typing import Any, ClassVar

from sqlalchemy.ext.asyncio import AsyncSession

from app.access.roles import Perm
from app.access.scope import Principal
from app.core.errors import Conflict, Forbidden, Unprocessable
from app.core.models import utcnow
from app.notifications.models import NotificationKind
from app.orgs.repository import OrgRepository
from app.tasks import state
from app.tasks.assignment import check_assignable, check_responsible, issuer_for
from app.tasks.hooks import (
    AFTER_HOOKS,
    HOOKS,
    acceptance_limit,
    count_in_parent,
    due_date,
    move_status,
)
from app.tasks.models import CLOSED_STATUSES, Task, TaskStatus
from app.tasks.repository import AUDITED, RESHAPED, TODO, TaskRepository, is_acceptance_overdue
from app.tasks.schemas import TaskCreate, TaskPage, TaskQuery, TaskRead, TaskUpdate
from app.workitems import service as workitems
from app.workitems.events import DomainEvent, Notice, publish
from app.workitems.kinds import ActionContext, Hook, WorkItemKind
from app.workitems.models import ItemType
from app.workitems.repository import ItemRepository
from app.workitems.rules import Capability
from app.workitems.sides import Sides


def _facts(
    status: str,
    extension_due_at: datetime | None,
    submitted_by: uuid.UUID | None,
    caller: uuid.UUID,
) -> state.Facts:
    return state.Facts(
        pending_extension=extension_due_at is not None,
        own_submission=status == TaskStatus.submitted and submitted_by == caller,
    )


class TaskKind(WorkItemKind):
    item_type = ItemType.task
    plural = "tasks"
    workflow = state.WORKFLOW
    repository = TaskRepository
    sides = (state.ISSUER, state.ASSIGNEE)
    party_orgs = ("issuer_org_id", "assignee_org_id")
    capability_perms = (Perm.task_create, Perm.task_work, Perm.task_decide)
    audit_fields = AUDITED
    audit_party = 1
    create_perm = Perm.task_create
    create_summary = "Issue a task (or a subtask, with parent_id)"
    create_conflicts = (409,)  # a parent task not yet accepted
    edit_perm = Perm.task_create
    update_summary = "Edit a task (issuer side; the assignee side sets the responsible person)"
    read_model, page_model, query_model = TaskRead, TaskPage, TaskQuery
    create_model, update_model = TaskCreate, TaskUpdate
    hooks: ClassVar[Mapping[str, Hook]] = HOOKS
    after_hooks: ClassVar[Mapping[str, Hook]] = AFTER_HOOKS
    todo_kinds = TODO

    def state_of(self, item: Any) -> str:
        return state.state_of(item.status, item.returned_by)

    async def facts(
        self, repo: ItemRepository, item: Any, now: datetime, caller: uuid.UUID
    ) -> Hashable:
        return _facts(item.status, item.extension_due_at, item.submitted_by, caller)

    async def set_status(self, ctx: ActionContext, status: str) -> None:
        returned_by = ctx.transition.side if status == TaskStatus.returned else None
        await move_status(ctx.repo, ctx.item, TaskStatus(status), ctx.now, returned_by)

    def shape(
        self, item: dict[str, Any], caps: frozenset[Capability], now: datetime, caller: uuid.UUID
    ) -> tuple[str, Hashable]:
        total, done, due_at, note, requested_at, requested_by = map(item.pop, RESHAPED)
        pending = due_at is not None
        item["subtasks"] = {"total": total, "done": done}
        item["extension"] = (
            {
                "due_at": due_at,
                "note": note,
                "requested_at": requested_at,
                "requested_by": requested_by,
            }
            if pending
            else None
        )
        item_state = state.state_of(item["status"], item["returned_by"])
        item["acceptance_overdue"] = is_acceptance_overdue(
            item["status"], item["accept_due_at"], now
        )
        item["can_edit"] = state.EDIT in caps and item["status"] not in CLOSED_STATUSES
        item["can_add_subtask"] = state.SPLIT in caps and item_state in state.SPLIT_STATES
        return item_state, _facts(item["status"], due_at, item["submitted_by"], caller)

    async def create(
        self, session: AsyncSession, principal: Principal, body: TaskCreate
    ) -> dict[str, Any]:
        sides = Sides(principal)
        now = utcnow()
        orgs = await OrgRepository.writing(session)
        parent: Task | None = None
        if body.parent_id is not None:
            parent_repo, parent = await workitems.locked(self, session, principal, body.parent_id)
            assert parent is not None
            stance = await self.stance(sides, parent_repo, parent)
            if state.SPLIT not in stance.caps:
                raise Forbidden(
                    "Only the assignee side of a task may split it into subtasks.",
                    extra=workitems.separation_problem(
                        stance.case if state.SPLIT in stance.withheld else None
                    ),
                )
            parent_state = self.state_of(parent)
            if parent_state not in state.SPLIT_STATES:
                raise Conflict(
                    f"The parent task is {state.label(parent_state)}; "
                    "split it once it is accepted or in progress."
                )
            issuer = await workitems.named_unit(orgs, parent.assignee_org_id, "parent_id")
            if body.issuer_org_id not in (None, issuer.id):
                raise Unprocessable("A subtask is issued by its parent task's assignee unit.")
        else:
            issuer = await issuer_for(orgs, principal, sides, body.issuer_org_id)
        assignee = await workitems.named_unit(orgs, body.assignee_org_id, "assignee_org_id")
        await check_assignable(orgs, issuer, assignee, subtask=parent is not None)
        if body.responsible_user_id is not None:
            await check_responsible(session, body.responsible_user_id, assignee)
        due_at = await due_date(session, body, now)
        if due_at <= now:
            raise Unprocessable.at(
                ("body", "due_at"), "a new task's due date must lie in the future"
            )
        task = Task(
            title=body.title,
            description=body.description,
            issuer_org_id=issuer.id,
            issuer_path=list(issuer.path),
            assignee_org_id=assignee.id,
            assignee_path=list(assignee.path),
            responsible_user_id=body.responsible_user_id,
            due_at=due_at,
            priority=body.priority.value,
            source=body.source.value,
            status=TaskStatus.issued.value,
            parent_id=body.parent_id,
            created_by=principal.user_id,
            created_at=now,
            updated_at=now,
            accept_due_at=await acceptance_limit(session, now),
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
                "due_in_working_days": body.due_in_working_days,
                "parent_id": task.parent_id,
            },
            notices=(Notice(assignee.id, NotificationKind.task_assigned),),
        )
        if parent is not None:
            await count_in_parent(await TaskRepository.writing(session), task, None, task.status)
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

    def edit_refusal(self, caps: frozenset[Capability], changes: dict[str, Any]) -> str | None:
        issuer_side = state.EDIT in caps
        if set(changes) - {"responsible_user_id"} and not issuer_side:
            return "Only the issuer side may edit a task."
        if not issuer_side and not any(c in caps for c in state.SET_RESPONSIBLE):
            if "responsible_user_id" in changes:
                return "Only the issuer or assignee side may set the responsible person."
            return "Only the issuer side may edit a task."
        return None

    def is_editable(self, item: Any) -> bool:
        return item.status not in CLOSED_STATUSES

    async def apply_edit(
        self, repo: ItemRepository, item: Any, changes: dict[str, Any]
    ) -> dict[str, Any]:
        """A new responsible person must hold a role in the assignee unit."""
        if changes.get("responsible_user_id") is not None:
            assignee = await workitems.named_unit(
                repo.session, item.assignee_org_id, "assignee_org_id"
            )
            await check_responsible(repo.session, changes["responsible_user_id"], assignee)
        return await super().apply_edit(repo, item, changes)


KIND = TaskKind()
