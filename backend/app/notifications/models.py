import uuid
from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from app.core.models import timestamp, uuid_pk


class NotificationKind(StrEnum):
    task_assigned = "task_assigned"
    task_returned = "task_returned"
    task_submitted = "task_submitted"  # a submission waits for verification (to the issuer)
    task_extension_requested = "task_extension_requested"  # waits for the issuer's decision
    task_extension_approved = "task_extension_approved"  # the decision (to the assignee)
    task_extension_rejected = "task_extension_rejected"
    task_due_soon = "task_due_soon"
    task_overdue = "task_overdue"
    issue_escalated = "issue_escalated"
    issue_delegated = "issue_delegated"
    issue_taken_over = "issue_taken_over"
    issue_resolved = "issue_resolved"  # a resolution waits for confirmation (to the reporter)
    issue_reopened = "issue_reopened"  # back to the handler
    issue_due_soon = "issue_due_soon"
    issue_overdue = "issue_overdue"
    # The chasing ladder's steps (app/chasing), each acknowledged (已阅) by its recipient,
    # and the 督办单 that reaches the unit that must act.
    chase_reminder = "chase_reminder"
    chase_notice = "chase_notice"
    chase_circular = "chase_circular"
    chase_supervision = "chase_supervision"
    supervision_order = "supervision_order"


# What a recipient acknowledges (已阅), beside reading: the chasing ladder's steps.
ACKNOWLEDGED_KINDS = frozenset(
    {
        NotificationKind.chase_reminder,
        NotificationKind.chase_notice,
        NotificationKind.chase_circular,
        NotificationKind.chase_supervision,
    }
)

# A chasing notice its recipient has not acknowledged (`{n}` qualifies a column): the
# chase_ack to-do, stated as its index's predicate.
_ACKNOWLEDGED = ", ".join(f"'{kind.value}'" for kind in sorted(ACKNOWLEDGED_KINDS))
UNACKNOWLEDGED = f"{{n}}acknowledged_at IS NULL AND {{n}}kind IN ({_ACKNOWLEDGED})"


class Notification(SQLModel, table=True):
    """An in-app notice for one person, about something that reached their unit (or a unit
    without logins below it, that theirs speaks for)."""

    __tablename__ = "notifications"
    __table_args__ = (
        sa.Index(None, "user_id", "created_at", "id"),
        sa.Index(
            "ix_notifications_user_id_unread",
            "user_id",
            postgresql_where=sa.text("read_at IS NULL"),
        ),
        # The chase_ack to-do: each person's chasing notices not yet acknowledged (已阅),
        # by their items' due date, with the unit each reached them at.
        sa.Index(
            "ix_notifications_unacknowledged",
            "user_id",
            "item_due_at",
            "entity_type",
            "entity_id",
            postgresql_include=["org_id"],
            postgresql_where=sa.text(UNACKNOWLEDGED.format(n="")),
        ),
        # Where an item's new due date goes (migrations/sql/0023_chase_ack.sql).
        sa.Index(
            "ix_notifications_unacknowledged_entity_id",
            "entity_id",
            postgresql_where=sa.text(UNACKNOWLEDGED.format(n="")),
        ),
    )

    id: uuid.UUID = uuid_pk()
    user_id: uuid.UUID = Field(foreign_key="users.id", ondelete="CASCADE")
    kind: str = Field(max_length=30)
    entity_type: str = Field(max_length=10)
    entity_id: uuid.UUID
    org_id: uuid.UUID = Field(foreign_key="org_units.id", ondelete="CASCADE")
    # The unit concerned, when it has no logins and the notice reached `org_id`, its
    # nearest ancestor with logins, on its behalf.
    on_behalf_of_org_id: uuid.UUID | None = Field(
        default=None, foreign_key="org_units.id", ondelete="CASCADE"
    )
    title: str = Field(max_length=300)
    created_at: datetime = timestamp()
    read_at: datetime | None = timestamp(nullable=True)
    # When its recipient acknowledged it (已阅): chasing steps only.
    acknowledged_at: datetime | None = timestamp(nullable=True)
    # A chasing step's item's due date, kept by triggers while it is not acknowledged
    # (migrations/sql/0023_chase_ack.sql): the chase_ack to-do's order.
    item_due_at: datetime | None = timestamp(nullable=True)


class DueNotice(SQLModel, table=True):
    """That the people of a unit were told an item is due soon or overdue, for the due
    date then in force: the sweep's memory. A new due date or a new handling unit is a new
    key, so it is noticed afresh."""

    __tablename__ = "due_notices"

    entity_id: uuid.UUID = Field(primary_key=True)
    kind: str = Field(primary_key=True, max_length=30)
    org_id: uuid.UUID = Field(primary_key=True)
    due_at: datetime = Field(primary_key=True, sa_type=sa.DateTime(timezone=True))
    created_at: datetime = timestamp()
