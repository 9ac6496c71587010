import uuid
from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from app.core.models import path_column, timestamp, uuid_pk


class OrgKind(StrEnum):
    prefecture = "prefecture"
    county = "county"
    street = "street"
    community = "community"
    department = "department"
    taskforce = "taskforce"
    group = "group"
    enterprise = "enterprise"


class Tier(StrEnum):
    prefecture = "prefecture"
    county = "county"
    street = "street"
    community = "community"


TIER_ORDER: list[Tier] = [Tier.prefecture, Tier.county, Tier.street, Tier.community]
TIER_KINDS = {OrgKind(t.value) for t in TIER_ORDER}


class OrgUnit(SQLModel, table=True):
    __tablename__ = "org_units"
    __table_args__ = (
        sa.CheckConstraint(
            "kind IN ('prefecture','county','street','community',"
            "'department','taskforce','group','enterprise')",
            name="kind_valid",
        ),
        sa.CheckConstraint(
            "tier IN ('prefecture','county','street','community')", name="tier_valid"
        ),
    )

    id: uuid.UUID = uuid_pk()
    # Small integer key used in ancestor paths (GitLab's traversal_ids pattern).
    key: int = Field(sa_column=sa.Column(sa.Integer, sa.Identity(), nullable=False, unique=True))
    name: str = Field(max_length=200)
    kind: str = Field(max_length=20)
    tier: str = Field(max_length=20)
    code: str | None = Field(default=None, max_length=64, unique=True)
    parent_id: uuid.UUID | None = Field(
        default=None, foreign_key="org_units.id", index=True, ondelete="RESTRICT"
    )
    path: list[int] = path_column()
    created_by: uuid.UUID | None = Field(default=None)
    created_at: datetime = timestamp()
    updated_at: datetime = timestamp()
