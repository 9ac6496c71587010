"""The dashboard summary of a unit's subtree."""

import uuid
from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field


class TaskStats(BaseModel):
    total: int
    by_status: dict[str, int] = Field(description="Every task status, zeros included")
    by_priority: dict[str, int] = Field(description="All tasks, by priority")
    open: int = Field(description="Neither done nor cancelled")
    overdue: int = Field(
        description="Past the due date and not submitted, done or cancelled (a late "
        "submission stays late in done_late, but no longer waits on the assignee)"
    )
    due_soon: int = Field(
        description="Not submitted, done or cancelled, and due within 2 working days "
        "(blue's condition)"
    )
    urgent_open: int
    done_on_time: int = Field(description="Done, submitted by the due date in force")
    done_late: int = Field(description="Done, submitted after the due date in force")
    avg_seconds_to_complete: float | None = Field(
        description="Done tasks: mean time from issue to completion"
    )


class IssueStats(BaseModel):
    total: int
    by_status: dict[str, int] = Field(description="Every issue status, zeros included")
    open: int = Field(description="Open or acknowledged (not yet resolved)")
    overdue: int = Field(description="Unresolved and past the due date")
    due_soon: int = Field(description="Unresolved and due within 2 working days (blue's condition)")
    open_by_severity: dict[str, int]
    open_by_category: dict[str, int]
    resolved_by_tier: dict[str, int] = Field(
        description="Resolved or closed issues, by the tier of the unit that resolved them"
    )
    avg_seconds_to_resolve: float | None = Field(
        description="Resolved or closed issues: mean time from raising to resolution"
    )
    avg_seconds_to_resolve_by_tier: dict[str, float | None]
    rated: int = Field(description="Closed issues the reporter rated")
    avg_rating: float | None


class StatsSummary(BaseModel):
    """Counts for the unit's subtree: an item counts once when any of its party units (task:
    issuer, assignee; issue: reporter, current handler) lies in the subtree."""

    org_id: uuid.UUID
    org_name: str
    kind: str
    tier: str
    as_of: datetime = Field(description="The moment overdue and due_soon refer to")
    tasks: TaskStats
    issues: IssueStats


class Metric(BaseModel):
    numerator: int
    denominator: int
    rank: int | None = Field(
        description="1 is best, among the listed units of the same kind (ties share a rank); "
        "null for a count, or when the denominator is 0"
    )


class UnitScorecard(BaseModel):
    org_id: uuid.UUID
    name: str
    kind: str
    metrics: dict[str, Metric] = Field(
        description="Every metric of the scorecards, by name (see the route's description)"
    )


class Scorecards(BaseModel):
    """The scorecards of a unit's children over a period of local dates."""

    model_config = ConfigDict(populate_by_name=True)

    org_id: uuid.UUID
    org_name: str
    period_from: date = Field(alias="from", description="First local date, inclusive")
    period_to: date = Field(alias="to", description="Last local date, inclusive")
    time_zone: str = Field(description="The zone of the local dates")
    as_of: datetime = Field(description="The moment the overdue metrics refer to")
    units: list[UnitScorecard] = Field(description="The unit's children, by kind and name")
