import uuid
from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlmodel import Field

from app.core.models import UnitFeed, feed_item_id, one_of, path_column, timestamp, uuid_pk
from app.orgs.models import Tier
from app.workitems.models import Coloured, item_table_args, search_grams_column


class IssueStatus(StrEnum):
    open = "open"
    acknowledged = "acknowledged"
    resolved = "resolved"
    closed = "closed"


class IssueCategory(StrEnum):
    land = "land"
    power = "power"
    water = "water"
    construction = "construction"
    labour = "labour"
    materials = "materials"
    policy = "policy"
    funding = "funding"
    other = "other"


class IssueSeverity(StrEnum):
    low = "low"
    normal = "normal"
    high = "high"
    critical = "critical"


UNRESOLVED_STATUSES = frozenset({IssueStatus.open, IssueStatus.acknowledged})


class IssueTodo(StrEnum):
    """The kinds of to-do (待办) an issue makes: what waits on whom (app/todo/)."""

    handle = "handle"  # open or acknowledged: the handler acts on it
    confirm = "confirm"  # resolved: the reporter confirms (closes, rates) or reopens it
    # The chasing ladder's (app/chasing): a 督办单 to issue, a chasing notice to acknowledge.
    supervise = "supervise"
    chase_ack = "chase_ack"


# Each kind's state and the unit that must act (its column); `{t}` qualifies a column.
TODO_STATES: dict[IssueTodo, tuple[str, str]] = {
    IssueTodo.handle: ("handler_org_id", "{t}status IN ('open', 'acknowledged')"),
    IssueTodo.confirm: ("reporter_org_id", "{t}status = 'resolved'"),
}


class Issue(Coloured, table=True):
    """问题/堵点: raised by a reporter unit, handled by the current handler unit. Both party
    paths are stored, so the reporter keeps seeing it after it climbs the chain."""

    __tablename__ = "issues"
    __table_args__ = (
        sa.CheckConstraint(one_of("status", IssueStatus), name="status_valid"),
        sa.CheckConstraint(one_of("category", IssueCategory), name="category_valid"),
        sa.CheckConstraint(one_of("severity", IssueSeverity), name="severity_valid"),
        sa.CheckConstraint(
            f"resolved_tier IS NULL OR {one_of('resolved_tier', Tier)}", name="resolved_tier_valid"
        ),
        sa.CheckConstraint("rating IS NULL OR rating BETWEEN 1 AND 5", name="rating_valid"),
        *item_table_args(
            "issues",
            ("reporter_path", "handler_path"),
            [s.value for s in UNRESOLVED_STATUSES],
            TODO_STATES.items(),
            ("reporter_org_id", "handler_org_id", "resolved_by_user_id"),
        ),
        # The resolved issues each person resolved: the to-do's tallies count them for
        # every confirmer, and the resolver's own are taken out (app/todo/repository.py).
        sa.Index(
            "ix_issues_confirm_resolved_by_user_id",
            "resolved_by_user_id",
            postgresql_where=sa.text(TODO_STATES[IssueTodo.confirm][1].format(t="")),
        ),
    )

    id: uuid.UUID = uuid_pk()
    title: str = Field(max_length=200)
    search_grams: list[str] | None = search_grams_column()
    description: str = Field(
        default="", sa_column=sa.Column(sa.Text, nullable=False, server_default="")
    )
    category: str = Field(max_length=20)
    severity: str = Field(default=IssueSeverity.normal.value, max_length=10)
    status: str = Field(default=IssueStatus.open.value, max_length=20)
    reporter_org_id: uuid.UUID = Field(foreign_key="org_units.id", ondelete="RESTRICT")
    reporter_path: list[int] = path_column()
    reporter_user_id: uuid.UUID | None = Field(
        default=None, foreign_key="users.id", ondelete="SET NULL"
    )
    handler_org_id: uuid.UUID = Field(foreign_key="org_units.id", ondelete="RESTRICT")
    handler_path: list[int] = path_column()
    # Kept while resolved or closed: which unit solved it, at which tier, and how.
    resolved_by_org_id: uuid.UUID | None = Field(
        default=None, foreign_key="org_units.id", ondelete="RESTRICT"
    )
    resolved_tier: str | None = Field(default=None, max_length=20)
    # Who resolved it: never the one who closes or rates it.
    resolved_by_user_id: uuid.UUID | None = Field(
        default=None, foreign_key="users.id", ondelete="SET NULL"
    )
    resolution: str | None = Field(default=None, sa_column=sa.Column(sa.Text, nullable=True))
    rating: int | None = Field(default=None, sa_column=sa.Column(sa.SmallInteger, nullable=True))
    due_at: datetime = Field(sa_column=sa.Column(sa.DateTime(timezone=True), nullable=False))
    created_at: datetime = timestamp()
    updated_at: datetime = timestamp()
    acknowledged_at: datetime | None = timestamp(nullable=True)
    resolved_at: datetime | None = timestamp(nullable=True)
    closed_at: datetime | None = timestamp(nullable=True)


class IssueFeed(UnitFeed, table=True):
    """The issues under each unit."""

    __tablename__ = "issue_feed"

    id: uuid.UUID = feed_item_id("issues")
