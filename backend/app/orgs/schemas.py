import uuid
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from app.core.fields import Omittable
from app.orgs.models import OrgKind, Tier

Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Code = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64, pattern=r"^[\w.-]+$")
]


class OrgCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Name
    kind: OrgKind
    parent_id: uuid.UUID
    code: Code | None = None


class OrgUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Omittable[Name] = None
    code: Code | None = Field(default=None, description="null: no code")


class OrgRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    name: str
    kind: OrgKind
    tier: Tier
    parent_id: uuid.UUID | None
    code: str | None


class OrgTree(OrgRead):
    children: list["OrgTree"]
