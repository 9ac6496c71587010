import uuid
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlmodel import Field, SQLModel

from app.core.models import path_column, timestamp


class AuditEntry(SQLModel, table=True):
    """Append-only: the database refuses UPDATE, DELETE and TRUNCATE (see the migration)."""

    __tablename__ = "audit_log"
    __table_args__ = (sa.Index(None, "entity_type", "entity_id"),)

    id: int | None = Field(
        default=None, sa_column=sa.Column(sa.BigInteger, sa.Identity(), primary_key=True)
    )
    at: datetime = timestamp()
    actor_id: uuid.UUID | None = Field(default=None, index=True)
    request_id: str = Field(max_length=128)
    client_addr: str = Field(default="", max_length=64)
    action: str = Field(max_length=60, index=True)
    entity_type: str = Field(max_length=40)
    entity_id: str | None = Field(default=None, max_length=64)
    org_path: list[int] | None = path_column(nullable=True)
    before: dict[str, Any] | None = Field(
        default=None, sa_column=sa.Column(postgresql.JSONB, nullable=True)
    )
    after: dict[str, Any] | None = Field(
        default=None, sa_column=sa.Column(postgresql.JSONB, nullable=True)
    )
