import uuid
from datetime import datetime
from typing import Any

from pydantic import BaseModel


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
