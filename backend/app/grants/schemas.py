import uuid
from datetime import datetime

from pydantic import BaseModel, ConfigDict

from app.access.roles import Role


class GrantCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    user_id: uuid.UUID
    org_id: uuid.UUID
    role: Role


class GrantRead(BaseModel):
    id: uuid.UUID
    user_id: uuid.UUID
    org_id: uuid.UUID
    role: Role
    created_at: datetime
