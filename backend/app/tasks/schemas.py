import uuid
from datetime import datetime
from typing import Annotated, Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

from app.core.dates import ClientDatetime
from app.core.fields import Omittable
from app.orgs.models import Tier
from app.tasks.models import Side, TaskPriority, TaskSource, TaskStatus, TaskTodo
from app.workitems.models import Colour
from app.workitems.schemas import ItemQuery, Note, RefusedAction, RequiredText, Text, Title

# The longest limit in working days a request may name (about a year).
MAX_WORKING_DAYS = 250
WorkingDays = Annotated[int, Field(ge=1, le=MAX_WORKING_DAYS)]


class DueDate(BaseModel):
    """A due date given as a moment or as N working days counted from the day after
    today, ending 18:00 local: exactly one of the two."""

    due_at: Omittable[ClientDatetime] = Field(
        default=None, description="RFC 3339, years 2000-2099; at creation, in the future"
    )
    due_in_working_days: Omittable[WorkingDays] = Field(
        default=None,
        description="Instead of due_at: the end (18:00 local) of the N-th working day after "
        "today (422 calendar-not-covered past the working-day calendar)",
    )

    @model_validator(mode="after")
    def _exactly_one(self) -> Self:
        if (self.due_at is None) == (self.due_in_working_days is None):
            raise ValueError("Give either due_at or due_in_working_days, not both.")
        return self


class TaskCreate(DueDate):
    model_config = ConfigDict(extra="forbid")

    title: Title
    description: Text = ""
    issuer_org_id: uuid.UUID | None = Field(
        default=None,
        description="The issuing unit; defaults to your unit when you hold roles at one only. "
        "For a subtask it is the parent's assignee.",
    )
    assignee_org_id: uuid.UUID
    responsible_user_id: uuid.UUID | None = None
    priority: TaskPriority = TaskPriority.normal
    source: TaskSource = TaskSource.other
    parent_id: uuid.UUID | None = Field(
        default=None, description="Split a task you are assigned into a subtask for a unit below."
    )


class TaskUpdate(BaseModel):
    """Issuer side: everything here; assignee side: responsible_user_id only."""

    model_config = ConfigDict(extra="forbid")

    title: Omittable[Title] = None
    description: Omittable[Text] = None
    responsible_user_id: uuid.UUID | None = Field(default=None, description="null: nobody")
    due_at: Omittable[ClientDatetime] = None
    priority: Omittable[TaskPriority] = None
    source: Omittable[TaskSource] = None


class ProgressBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    note: Note = ""
    progress: int = Field(ge=0, le=100, description="Percent done")


class ExtensionRequest(DueDate):
    """The new due date asked for, as a moment or in working days."""

    model_config = ConfigDict(extra="forbid")

    note: RequiredText


class ReissueBody(BaseModel):
    """Send a task the assignee returned out again, optionally to another unit or date."""

    model_config = ConfigDict(extra="forbid")

    note: Note = ""
    assignee_org_id: uuid.UUID | None = None
    responsible_user_id: uuid.UUID | None = None
    due_at: ClientDatetime | None = None


class SubtaskCounts(BaseModel):
    total: int
    done: int


class ExtensionRead(BaseModel):
    due_at: datetime
    note: str | None
    requested_at: datetime | None
    requested_by: uuid.UUID | None


class TaskRead(BaseModel):
    id: uuid.UUID
    title: str
    description: str
    issuer_org_id: uuid.UUID
    issuer_org_name: str
    issuer_tier: Tier
    assignee_org_id: uuid.UUID
    assignee_org_name: str
    assignee_tier: Tier
    responsible_user_id: uuid.UUID | None
    due_at: datetime
    priority: TaskPriority
    source: TaskSource
    status: TaskStatus
    returned_by: Side | None
    progress: int
    parent_id: uuid.UUID | None
    subtasks: SubtaskCounts
    extension: ExtensionRead | None = Field(description="A pending extension request")
    overdue: bool
    due_soon: bool = Field(description="Due within 2 working days and not yet overdue")
    accept_due_at: datetime | None = Field(
        description="The acceptance (签收) limit: 1 working day after issue, 18:00 local"
    )
    acceptance_overdue: bool = Field(description="Not accepted by its acceptance limit")
    colour: Colour = Field(description="red > yellow > blue > green, now (docs/colour.md)")
    created_by: uuid.UUID | None
    submitted_by: uuid.UUID | None = Field(description="Who submitted it last")
    created_at: datetime
    updated_at: datetime
    accepted_at: datetime | None
    submitted_at: datetime | None
    completed_at: datetime | None
    cancelled_at: datetime | None
    version: int
    allowed_actions: list[str] = Field(description="Actions you may take now")
    refused_actions: list[RefusedAction] = Field(
        description="Actions your grants reach now but separation of duties refuses you"
    )
    can_edit: bool
    can_add_subtask: bool
    can_feedback: bool


class TaskPage(BaseModel):
    items: list[TaskRead]
    next_cursor: str | None


class TaskQuery(ItemQuery):
    status: list[TaskStatus] | None = Field(default=None, description="Any of these")
    issuer_org_id: uuid.UUID | None = None
    assignee_org_id: uuid.UUID | None = None
    within_org_id: uuid.UUID | None = Field(
        default=None, description="Issuer or assignee inside this unit's subtree"
    )
    assignee_within_org_id: uuid.UUID | None = Field(
        default=None, description="Assignee inside this unit's subtree"
    )
    parent_id: uuid.UUID | None = Field(default=None, description="Subtasks of this task")
    priority: TaskPriority | None = None
    source: TaskSource | None = None
    todo: TaskTodo | None = Field(
        default=None, description="In my to-do of this kind (GET /me/todo counts them)"
    )
