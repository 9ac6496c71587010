import uuid
from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from app.core.fields import Omittable
from app.issues.models import IssueCategory, IssueSeverity, IssueStatus, IssueTodo
from app.orgs.models import Tier
from app.workitems.models import Colour
from app.workitems.schemas import ItemQuery, Note, RefusedAction, Text, Title


class IssueCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: Title
    description: Text = ""
    category: IssueCategory
    severity: IssueSeverity = IssueSeverity.normal
    reporter_org_id: uuid.UUID | None = Field(
        default=None,
        description="The reporting unit (it handles the issue first); defaults to your unit "
        "when you hold roles at one only.",
    )


class IssueUpdate(BaseModel):
    """Reporter or handler side, while unresolved. A new severity resets the due date."""

    model_config = ConfigDict(extra="forbid")

    title: Omittable[Title] = None
    description: Omittable[Text] = None
    category: Omittable[IssueCategory] = None
    severity: Omittable[IssueSeverity] = None


class DelegateBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    note: Note = ""
    target_org_id: uuid.UUID = Field(description="A unit inside the current handler's scope")


class CloseBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    note: Note = ""
    rating: int = Field(ge=1, le=5, description="Satisfaction, 1-5")


class IssueRead(BaseModel):
    id: uuid.UUID
    title: str
    description: str
    category: IssueCategory
    severity: IssueSeverity
    status: IssueStatus
    reporter_org_id: uuid.UUID
    reporter_org_name: str
    reporter_tier: Tier
    reporter_user_id: uuid.UUID | None
    handler_org_id: uuid.UUID
    handler_org_name: str
    handler_tier: Tier
    resolved_by_org_id: uuid.UUID | None
    resolved_by_org_name: str | None
    resolved_tier: Tier | None
    resolved_by_user_id: uuid.UUID | None = Field(description="Who resolved it")
    resolution: str | None
    rating: int | None
    due_at: datetime
    overdue: bool
    due_soon: bool = Field(description="Due within 2 working days and not yet overdue")
    colour: Colour = Field(description="red > yellow > blue > green, now (docs/colour.md)")
    created_at: datetime
    updated_at: datetime
    acknowledged_at: datetime | None
    resolved_at: datetime | None
    closed_at: datetime | None
    reopen_until: datetime | None
    version: int
    allowed_actions: list[str]
    refused_actions: list[RefusedAction] = Field(
        description="Actions your grants reach now but separation of duties refuses you"
    )
    can_edit: bool
    can_feedback: bool


class IssuePage(BaseModel):
    items: list[IssueRead]
    next_cursor: str | None


class IssueQuery(ItemQuery):
    status: list[IssueStatus] | None = Field(default=None, description="Any of these")
    category: list[IssueCategory] | None = None
    severity: list[IssueSeverity] | None = None
    reporter_org_id: uuid.UUID | None = None
    handler_org_id: uuid.UUID | None = None
    within_org_id: uuid.UUID | None = Field(
        default=None, description="Reporter or handler inside this unit's subtree"
    )
    handler_within_org_id: uuid.UUID | None = Field(
        default=None, description="Current handler inside this unit's subtree"
    )
    resolved_tier: Tier | None = None
    todo: IssueTodo | None = Field(
        default=None, description="In my to-do of this kind (GET /me/todo counts them)"
    )
