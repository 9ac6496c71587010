import uuid
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from app.access.roles import Perm, Role
from app.orgs.models import OrgKind


class TokenPair(BaseModel):
    access_token: str
    token_type: Literal["bearer"] = "bearer"
    expires_in: int
    refresh_token: str | None = Field(
        description="Absent in cookie mode, where it travels in an HttpOnly cookie."
    )


class RefreshRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    refresh_token: str | None = Field(
        default=None,
        min_length=1,
        max_length=200,
        description="Omit in cookie mode: the HttpOnly refresh cookie is used instead.",
    )


class MeGrant(BaseModel):
    id: uuid.UUID
    org_id: uuid.UUID
    role: Role
    org_name: str
    org_kind: OrgKind
    permissions: list[Perm] = Field(
        description="What the role allows at this unit and every unit below it."
    )


class Me(BaseModel):
    id: uuid.UUID
    username: str
    display_name: str
    grants: list[MeGrant]
    demo_mode: bool = Field(description="True when this installation runs on demo data.")
