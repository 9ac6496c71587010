"""What every work item's API shares: text fields, action bodies, the timeline, lists."""

import uuid
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from app.core.dates import ClientDatetime
from app.core.pagination import DEFAULT_LIMIT, MAX_LIMIT
from app.workitems.models import Colour

Title = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Text = Annotated[str, StringConstraints(strip_whitespace=True, max_length=10000)]
Note = Annotated[str, StringConstraints(strip_whitespace=True, max_length=5000)]
RequiredText = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=5000)
]
SORT_FIELDS = ("due_at", "created_at", "updated_at")


class ActionNote(BaseModel):
    """An action with an optional note."""

    model_config = ConfigDict(extra="forbid")

    note: Note = ""


class RequiredNote(BaseModel):
    """An action whose note is required: a reason, a resolution, the completion feedback."""

    model_config = ConfigDict(extra="forbid")

    note: RequiredText


class RefusedAction(BaseModel):
    """An action your grants reach that separation of duties refuses you, and why."""

    action: str
    rule: Literal["separation_of_duties"]
    case: Literal[
        "upper_party", "same_unit_below_grant", "equal_parties", "own_submission", "own_resolution"
    ]
    detail: str


class EventRead(BaseModel):
    id: int
    action: str
    from_status: str | None
    to_status: str | None
    actor_id: uuid.UUID | None
    actor_name: str | None
    org_id: uuid.UUID | None
    org_name: str | None
    note: str | None
    data: dict[str, Any] | None
    at: datetime


class ListQuery(BaseModel):
    """Sort and page parameters of the work-item lists (their filters extend it)."""

    sort: str = Field(
        default="-created_at",
        pattern=r"^-?(due_at|created_at|updated_at)$",
        description="due_at, created_at or updated_at; a leading '-' sorts descending",
    )
    order: Literal["asc", "desc"] | None = Field(
        default=None, description="If given, sets the direction of `sort`"
    )
    limit: int = Field(
        default=DEFAULT_LIMIT, ge=1, le=MAX_LIMIT, description=f"Page size, at most {MAX_LIMIT}."
    )
    cursor: str | None = Field(
        default=None, max_length=512, description="`next_cursor` of the previous page."
    )

    @property
    def ordering(self) -> str:
        """`sort`, in the direction `order` names when given."""
        if self.order is None:
            return self.sort
        field = self.sort.lstrip("-")
        return f"-{field}" if self.order == "desc" else field


class ItemQuery(ListQuery):
    """The filters every work-item list shares (each kind adds its own)."""

    within_org_id: uuid.UUID | None = Field(
        default=None, description="Either party inside this unit's subtree"
    )
    overdue: bool | None = Field(
        default=None,
        description="Past due and still waiting on the acting party (a task not submitted, "
        "done or cancelled; an issue not resolved or closed)",
    )
    due_soon: bool | None = Field(
        default=None,
        description="Not overdue and due within 2 working days (by 18:00 local of the second "
        "working day after today): blue's condition",
    )
    colour: list[Colour] | None = Field(
        default=None, description="Any of these colours now (red > yellow > blue > green)"
    )
    due_before: ClientDatetime | None = Field(default=None, description="due_at < this")
    due_after: ClientDatetime | None = Field(default=None, description="due_at >= this")
    created_before: ClientDatetime | None = Field(default=None, description="created_at < this")
    created_after: ClientDatetime | None = Field(default=None, description="created_at >= this")
    q: str | None = Field(default=None, max_length=100, description="Title contains")
