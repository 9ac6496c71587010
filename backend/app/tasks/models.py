import uuid
from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlmodel import Field

from app.core.models import UnitFeed, feed_item_id, one_of, path_column, timestamp, uuid_pk
from app.workitems.models import Coloured, item_table_args, search_grams_column


class TaskStatus(StrEnum):
    issued = "issued"
    accepted = "accepted"
    in_progress = "in_progress"
    submitted = "submitted"
    done = "done"
    returned = "returned"
    cancelled = "cancelled"


class TaskPriority(StrEnum):
    normal = "normal"
    urgent = "urgent"


class TaskSource(StrEnum):
    meeting = "meeting"
    dispatch = "dispatch"
    policy = "policy"
    issue = "issue"
    inspection = "inspection"
    other = "other"


class Side(StrEnum):
    issuer = "issuer"
    assignee = "assignee"


class TaskTodo(StrEnum):
    """The kinds of to-do (待办) a task makes: what waits on whom (app/todo/)."""

    accept = "accept"  # issued: the assignee signs for it (签收) or sends it back
    work = "work"  # accepted, in progress, or a submission returned: the assignee works
    verify = "verify"  # submitted: the issuer verifies or returns it
    extension = "extension"  # an extension is pending: the issuer decides
    reissue = "reissue"  # the assignee sent it back: the issuer re-issues or cancels it
    # The chasing ladder's (app/chasing): a 督办单 to issue, a chasing notice to acknowledge.
    supervise = "supervise"
    chase_ack = "chase_ack"


# Each kind's state and the unit that must act (its column); `{t}` qualifies a column.
TODO_STATES: dict[TaskTodo, tuple[str, str]] = {
    TaskTodo.accept: ("assignee_org_id", "{t}status = 'issued'"),
    TaskTodo.work: (
        "assignee_org_id",
        "({t}status IN ('accepted', 'in_progress')"
        " OR ({t}status = 'returned' AND {t}returned_by = 'issuer'))",
    ),
    TaskTodo.verify: ("issuer_org_id", "{t}status = 'submitted'"),
    TaskTodo.extension: (
        "issuer_org_id",
        "({t}extension_due_at IS NOT NULL AND {t}status NOT IN ('done', 'cancelled'))",
    ),
    TaskTodo.reissue: ("issuer_org_id", "({t}status = 'returned' AND {t}returned_by = 'assignee')"),
}


CLOSED_STATUSES = frozenset({TaskStatus.done, TaskStatus.cancelled})
# The statuses in which a task's due date still counts against its assignee: overdue and
# due soon need one of them. A submitted task waits on its issuer (verification time counts
# against the issuer), so a late submission stays late in the record but is not overdue.
DUE_STATUSES = frozenset(
    {TaskStatus.issued, TaskStatus.accepted, TaskStatus.in_progress, TaskStatus.returned}
)
# The acceptance (签收) limit: this many working days after issue, ending 18:00 local.
ACCEPT_WORKING_DAYS = 1


class Task(Coloured, table=True):
    """交办: issued by one unit to another. Party paths are copied from org_units.path so
    a scoped list is one indexed range predicate per grant."""

    __tablename__ = "tasks"
    __table_args__ = (
        sa.CheckConstraint(one_of("status", TaskStatus), name="status_valid"),
        sa.CheckConstraint(one_of("priority", TaskPriority), name="priority_valid"),
        sa.CheckConstraint(one_of("source", TaskSource), name="source_valid"),
        sa.CheckConstraint(
            "(status = 'returned') = (returned_by IS NOT NULL)", name="returned_by_valid"
        ),
        sa.CheckConstraint("progress BETWEEN 0 AND 100", name="progress_valid"),
        *item_table_args(
            "tasks",
            ("issuer_path", "assignee_path"),
            [s.value for s in DUE_STATUSES],
            TODO_STATES.items(),
            ("issuer_org_id", "assignee_org_id", "submitted_by"),
        ),
        # The chasing sweep's unsigned tasks by acceptance limit (open ones by due date
        # use the due-notice sweep's index).
        sa.Index(
            "ix_tasks_chased_accept_due_at",
            "accept_due_at",
            postgresql_where=sa.text("status = 'issued'"),
        ),
        # The submitted tasks each person submitted: the to-do's tallies count them for
        # every judge, and the submitter's own are taken out (app/todo/repository.py).
        sa.Index(
            "ix_tasks_verify_submitted_by",
            "submitted_by",
            postgresql_where=sa.text(TODO_STATES[TaskTodo.verify][1].format(t="")),
        ),
    )

    id: uuid.UUID = uuid_pk()
    title: str = Field(max_length=200)
    search_grams: list[str] | None = search_grams_column()
    description: str = Field(
        default="", sa_column=sa.Column(sa.Text, nullable=False, server_default="")
    )
    issuer_org_id: uuid.UUID = Field(foreign_key="org_units.id", ondelete="RESTRICT")
    issuer_path: list[int] = path_column()
    assignee_org_id: uuid.UUID = Field(foreign_key="org_units.id", ondelete="RESTRICT")
    assignee_path: list[int] = path_column()
    responsible_user_id: uuid.UUID | None = Field(
        default=None, foreign_key="users.id", ondelete="SET NULL"
    )
    due_at: datetime = Field(sa_column=sa.Column(sa.DateTime(timezone=True), nullable=False))
    priority: str = Field(default=TaskPriority.normal.value, max_length=10)
    source: str = Field(default=TaskSource.other.value, max_length=20)
    status: str = Field(default=TaskStatus.issued.value, max_length=20)
    # Which side sent it back, while status is `returned`.
    returned_by: str | None = Field(default=None, max_length=10)
    progress: int = Field(
        default=0, sa_column=sa.Column(sa.SmallInteger, nullable=False, server_default="0")
    )
    parent_id: uuid.UUID | None = Field(
        default=None, foreign_key="tasks.id", index=True, ondelete="RESTRICT"
    )
    # Subtask rollup, maintained by the status-change function (cancelled ones not counted).
    subtasks_total: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    subtasks_done: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    # A pending extension request (none when extension_due_at is null).
    extension_due_at: datetime | None = timestamp(nullable=True)
    extension_note: str | None = Field(default=None, sa_column=sa.Column(sa.Text, nullable=True))
    extension_requested_at: datetime | None = timestamp(nullable=True)
    extension_requested_by: uuid.UUID | None = Field(default=None)
    created_by: uuid.UUID | None = Field(default=None)
    # Who submitted it last: never the one who verifies or returns the submission.
    submitted_by: uuid.UUID | None = Field(default=None)
    created_at: datetime = timestamp()
    updated_at: datetime = timestamp()
    # The acceptance (签收) limit, fixed at issue and at re-issue: ACCEPT_WORKING_DAYS
    # working days after, 18:00 local (none when the calendar did not cover that day yet).
    accept_due_at: datetime | None = timestamp(nullable=True)
    accepted_at: datetime | None = timestamp(nullable=True)
    submitted_at: datetime | None = timestamp(nullable=True)
    completed_at: datetime | None = timestamp(nullable=True)
    cancelled_at: datetime | None = timestamp(nullable=True)
    # How often the assignee submitted it, and how often the issuer returned a submission
    # (the scorecards' "done at the first submission" and "returned").
    submission_count: int = Field(
        default=0, sa_column=sa.Column(sa.SmallInteger, nullable=False, server_default="0")
    )
    return_count: int = Field(
        default=0, sa_column=sa.Column(sa.SmallInteger, nullable=False, server_default="0")
    )


class TaskFeed(UnitFeed, table=True):
    """The tasks under each unit."""

    __tablename__ = "task_feed"

    id: uuid.UUID = feed_item_id("tasks")
