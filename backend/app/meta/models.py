from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlmodel import Field, SQLModel


class AppMeta(SQLModel, table=True):
    """Facts about this installation, e.g. whether it holds demo data."""

    __tablename__ = "app_meta"

    key: str = Field(primary_key=True, max_length=60)
    value: Any = Field(sa_column=sa.Column(postgresql.JSONB, nullable=False))
