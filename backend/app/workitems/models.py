import uuid
from collections.abc import Iterable
from datetime import datetime
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlmodel import Field, SQLModel

from app.core.models import timestamp


class ItemType(StrEnum):
    task = "task"
    issue = "issue"


class ItemEvent(SQLModel, table=True):
    """One step on a work item's timeline: a state change, a move, feedback, an extension."""

    __tablename__ = "item_events"
    __table_args__ = (
        sa.Index(None, "entity_id", "id"),
        sa.CheckConstraint("entity_type IN ('task','issue')", name="entity_type_valid"),
    )

    id: int | None = Field(
        default=None, sa_column=sa.Column(sa.BigInteger, sa.Identity(), primary_key=True)
    )
    entity_type: str = Field(max_length=10)
    entity_id: uuid.UUID
    action: str = Field(max_length=40)
    from_status: str | None = Field(default=None, max_length=20)
    to_status: str | None = Field(default=None, max_length=20)
    actor_id: uuid.UUID | None = Field(default=None)
    org_id: uuid.UUID | None = Field(default=None)
    note: str | None = Field(default=None, sa_column=sa.Column(sa.Text, nullable=True))
    data: dict[str, Any] | None = Field(
        default=None, sa_column=sa.Column(postgresql.JSONB, nullable=True)
    )
    at: datetime = timestamp()


def todo_indexes(table: str, states: Iterable[tuple[str, tuple[str, str]]]) -> tuple[sa.Index, ...]:
    """One partial index per kind of to-do (app/todo/): the items in the kind's state, by
    the unit that must act and then due date, so a to-do is read from its own entries and
    costs what it holds, whatever the table's size. `states`: (kind, (that unit's column,
    the state as SQL with `{t}` where a column's qualifier goes))."""
    return tuple(
        sa.Index(
            f"ix_{table}_todo_{kind}",
            unit,
            "due_at",
            "id",
            postgresql_where=sa.text(state.format(t="")),
        )
        for kind, (unit, state) in states
    )


def list_indexes(parties: tuple[str, str]) -> tuple[sa.Index, ...]:
    """A work item's indexes for its lists, one per sort key: the party paths and status
    ride along, so a list walks the index alone and reads only the rows of its page."""
    include = [*parties, "status"]
    return tuple(
        sa.Index(None, key, "id", postgresql_include=include)
        for key in ("due_at", "created_at", "updated_at")
    )
