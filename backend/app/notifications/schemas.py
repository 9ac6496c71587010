import uuid
from datetime import datetime

from pydantic import BaseModel

from app.notifications.models import NotificationKind
from app.workitems.models import ItemType


class NotificationRead(BaseModel):
    id: uuid.UUID
    kind: NotificationKind
    entity_type: ItemType
    entity_id: uuid.UUID
    org_id: uuid.UUID
    org_name: str
    title: str
    created_at: datetime
    read_at: datetime | None


class NotificationPage(BaseModel):
    items: list[NotificationRead]
    next_cursor: str | None
    unread_count: int


class MarkedRead(BaseModel):
    marked: int
