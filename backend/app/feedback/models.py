import uuid
from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from app.core.models import timestamp, uuid_pk


class FeedbackKind(StrEnum):
    progress = "progress"
    completion = "completion"
    review = "review"
    satisfaction = "satisfaction"
    comment = "comment"


class Feedback(SQLModel, table=True):
    """反馈 on a task or an issue. `org_id` is the unit the author spoke for."""

    __tablename__ = "feedback"
    __table_args__ = (
        sa.Index(None, "entity_id", "created_at", "id"),
        sa.CheckConstraint("entity_type IN ('task','issue')", name="entity_type_valid"),
        sa.CheckConstraint(
            "kind IN ('progress','completion','review','satisfaction','comment')",
            name="kind_valid",
        ),
        sa.CheckConstraint(
            "(kind = 'satisfaction') = (rating IS NOT NULL)"
            " AND (rating IS NULL OR rating BETWEEN 1 AND 5)",
            name="rating_valid",
        ),
    )

    id: uuid.UUID = uuid_pk()
    entity_type: str = Field(max_length=10)
    entity_id: uuid.UUID
    kind: str = Field(max_length=20)
    body: str = Field(default="", sa_column=sa.Column(sa.Text, nullable=False, server_default=""))
    rating: int | None = Field(default=None, sa_column=sa.Column(sa.SmallInteger, nullable=True))
    author_id: uuid.UUID = Field(foreign_key="users.id", ondelete="RESTRICT")
    org_id: uuid.UUID | None = Field(default=None, foreign_key="org_units.id", ondelete="RESTRICT")
    created_at: datetime = timestamp()
