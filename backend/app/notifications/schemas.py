import uuid
from dataclasses import dataclass
from datetime import datetime

from pydantic import BaseModel, Field

from app.notifications.models import NotificationKind
from app.workitems.models import ItemType


class NotificationRead(BaseModel):
    id: uuid.UUID
    kind: NotificationKind
    entity_type: ItemType
    entity_id: uuid.UUID
    org_id: uuid.UUID
    org_name: str
    on_behalf_of_org_id: uuid.UUID | None = Field(
        description="The unit concerned when it has no logins: the notice reached `org_id`, "
        "its nearest ancestor with logins, on its behalf"
    )
    on_behalf_of_org_name: str | None
    title: str
    created_at: datetime
    read_at: datetime | None
    acknowledged_at: datetime | None = Field(
        description="When you acknowledged it (已阅); chasing notices only"
    )
    acknowledgeable: bool = Field(description="A chasing notice, to be acknowledged (已阅)")


class NotificationPage(BaseModel):
    items: list[NotificationRead]
    next_cursor: str | None
    unread_count: int


class MarkedRead(BaseModel):
    marked: int


@dataclass(frozen=True)
class ItemNotice:
    """Tell the people of `org_id` (not the actor) that an item reached their unit."""

    org_id: uuid.UUID
    kind: NotificationKind
    item_type: ItemType
    item_id: uuid.UUID
    title: str
    actor_id: uuid.UUID | None
    roles: tuple[str, ...] | None = None  # whose grants at the unit; None: NOTIFIED_ROLES
