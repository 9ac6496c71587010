"""Column helpers shared by every domain's tables."""

import uuid
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import declared_attr
from sqlmodel import Field, SQLModel

PathType = postgresql.ARRAY(sa.Integer)


def utcnow() -> datetime:
    return datetime.now(UTC)


def uuid_pk() -> Any:
    return Field(default_factory=uuid.uuid4, primary_key=True)


def timestamp(*, nullable: bool = False, index: bool = False) -> Any:
    return Field(
        default_factory=None if nullable else utcnow,
        sa_column=sa.Column(
            sa.DateTime(timezone=True),
            nullable=nullable,
            index=index,
            server_default=None if nullable else sa.func.now(),
        ),
    )


def one_of(column: str, values: type[StrEnum]) -> str:
    """A CHECK clause: `column` holds one of the enum's values."""
    return f"{column} IN ({','.join(repr(v.value) for v in values)})"


def path_column(*, nullable: bool = False, index: bool = True) -> Any:
    """An ancestor path: the integer keys of the org units from the root down to this one."""
    return Field(sa_column=sa.Column(PathType, nullable=nullable, index=index))


class UnitFeed(SQLModel):
    """A unit feed's rows (tasks and issues each have one; see migrations 0005 and 0009):
    the item under every unit whose subtree holds one of its parties, in creation order,
    with its due date and status (for the lists by due date). Newest first is a range of
    the primary key; by due date, a range of the (unit_key, due_at, id) index."""

    @declared_attr.directive
    def __table_args__(cls) -> tuple[sa.Index]:
        return (sa.Index(None, "unit_key", "due_at", "id", postgresql_include=["status"]),)

    unit_key: int = Field(primary_key=True)
    created_at: datetime = Field(primary_key=True, sa_type=sa.DateTime(timezone=True))
    due_at: datetime = Field(sa_type=sa.DateTime(timezone=True))
    status: str = Field(max_length=20)


def feed_item_id(table: str) -> Any:
    """A feed row's item: the id of a row of `table`."""
    return Field(primary_key=True, foreign_key=f"{table}.id", ondelete="CASCADE", index=True)
