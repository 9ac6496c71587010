"""Every statement on tasks (and on task_feed, which triggers keep; see the migrations)."""

import uuid
from datetime import datetime
from typing import ClassVar

import sqlalchemy as sa
from sqlmodel import col

from app.access.roles import Perm
from app.chasing.repository import SuperviseTodo, supervisor_path_sql
from app.notifications.repository import ChaseAckTodo
from app.tasks.models import CLOSED_STATUSES, DUE_STATUSES, TODO_STATES, Task, TaskStatus, TaskTodo
from app.workitems.models import COLOUR_COLUMNS, ItemType
from app.workitems.repository import ItemRepository, ItemTable, TodoKind, TodoSource

# The columns a task shows as they are, then those the service reshapes.
SHOWN = (
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
    "created_by",
    "submitted_by",
    "created_at",
    "updated_at",
    "accepted_at",
    "submitted_at",
    "completed_at",
    "cancelled_at",
    "accept_due_at",
    "version",
)
RESHAPED = (
    "subtasks_total",
    "subtasks_done",
    "extension_due_at",
    "extension_note",
    "extension_requested_at",
    "extension_requested_by",
)
# What an audit entry records of a task: what a change can alter, not who made it when.
AUDITED = (
    *(
        c
        for c in SHOWN
        if c not in ("created_by", "submitted_by") and (c == "due_at" or not c.endswith("_at"))
    ),
    "extension_due_at",
)


def is_acceptance_overdue(status: str, accept_due_at: datetime | None, now: datetime) -> bool:
    """Not signed for (签收) by its acceptance limit: chased like a late task, and red
    (the colour trigger starts red at the acceptance limit while it is issued)."""
    return status == TaskStatus.issued and accept_due_at is not None and accept_due_at < now


TABLE = ItemTable(
    name="tasks",
    feed="task_feed",
    alias="t",
    columns=", ".join(
        f"t.{c}" for c in (*SHOWN, "issuer_path", "assignee_path", *RESHAPED, *COLOUR_COLUMNS)
    )
    + ", issuer_org.name AS issuer_org_name, assignee_org.name AS assignee_org_name,"
    " issuer_org.tier AS issuer_tier, assignee_org.tier AS assignee_tier,"
    f" {supervisor_path_sql(ItemType.task, 't')} AS supervisor_path",
    joins="JOIN org_units issuer_org ON issuer_org.id = t.issuer_org_id"
    " JOIN org_units assignee_org ON assignee_org.id = t.assignee_org_id",
    parties=("issuer_path", "assignee_path"),
    party_tiers=("issuer_tier", "assignee_tier"),
    acting=("assignee_org_id", "assignee_path"),
    read_perm=Perm.task_read,
    open_statuses=tuple(s.value for s in DUE_STATUSES),
)

_ISSUER, _ASSIGNEE = ("issuer_org_id", "issuer_path"), ("assignee_org_id", "assignee_path")
# What a task's kinds of to-do need: the party that acts (TODO_STATES names its unit), the
# permission, and who may not act (the submitter never judges the submission).
_TODO_RULES: dict[TaskTodo, tuple[Perm, str | None]] = {
    TaskTodo.accept: (Perm.task_work, None),
    TaskTodo.work: (Perm.task_work, None),
    TaskTodo.verify: (Perm.task_decide, "submitted_by"),
    TaskTodo.extension: (Perm.task_decide, None),
    TaskTodo.reissue: (Perm.task_create, None),
}
TODO: tuple[TodoSource, ...] = (
    *(
        TodoKind(
            name.value,
            ItemType.task,
            TABLE,
            *((_ISSUER, _ASSIGNEE) if TODO_STATES[name][0] == _ISSUER[0] else (_ASSIGNEE, _ISSUER)),
            perm,
            TODO_STATES[name][1],
            not_by,
        )
        for name, (perm, not_by) in _TODO_RULES.items()
    ),
    SuperviseTodo(ItemType.task, TABLE),
    ChaseAckTodo(ItemType.task, TABLE),
)


class TaskRepository(ItemRepository):
    table: ClassVar[ItemTable] = TABLE
    model = Task

    # ---------------------------------------------------------------- inside a write

    async def count_in_parent(self, parent_id: uuid.UUID, total: int, done: int) -> None:
        """Add to the parent's subtask counters."""
        await self.session.execute(
            sa.update(Task)
            .where(col(Task.id) == parent_id)
            .values(
                subtasks_total=col(Task.subtasks_total) + total,
                subtasks_done=col(Task.subtasks_done) + done,
            )
            .execution_options(synchronize_session=False)
        )

    async def lock_open_children(self, parent_id: uuid.UUID) -> list[Task]:
        return list(
            (
                await self.session.execute(
                    sa.select(Task)
                    .where(
                        col(Task.parent_id) == parent_id,
                        col(Task.status).not_in([s.value for s in CLOSED_STATUSES]),
                    )
                    .order_by(col(Task.id))
                    .with_for_update()
                )
            ).scalars()
        )
