import uuid
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from app.core.models import timestamp, uuid_pk


class Grant(SQLModel, table=True):
    __tablename__ = "grants"
    __table_args__ = (
        sa.UniqueConstraint("user_id", "org_id", "role"),
        sa.CheckConstraint(
            "role IN ('admin','leader','officer','observer','liaison')", name="role_valid"
        ),
    )

    id: uuid.UUID = uuid_pk()
    user_id: uuid.UUID = Field(foreign_key="users.id", index=True, ondelete="CASCADE")
    org_id: uuid.UUID = Field(foreign_key="org_units.id", index=True, ondelete="RESTRICT")
    role: str = Field(max_length=20)
    created_by: uuid.UUID | None = Field(default=None)
    created_at: datetime = timestamp()
