import uuid
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


class Colour(StrEnum):
    """亮灯, in precedence order (docs/colour.md)."""

    red = "red"
    yellow = "yellow"
    blue = "blue"
    green = "green"


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


def list_indexes(parties: tuple[str, str]) -> tuple[sa.Index, ...]:
    """A work item's indexes for its lists, one per sort key: the party paths and status
    ride along, so a list walks the index alone and reads only the rows of its page."""
    include = [*parties, "status"]
    return tuple(
        sa.Index(None, key, "id", postgresql_include=include)
        for key in ("due_at", "created_at", "updated_at")
    )


# The moments each colour starts (kept by the colour trigger, migrations/sql/0015_colour.sql).
MOMENTS = ("red_from", "yellow_from", "blue_from")
# The columns an item's colour is read from (each table's select has them); the colour it
# shows is the colour now, not the one last recorded.
COLOUR_COLUMNS = ("red_from", "yellow", "yellow_from", "blue_from")


def colour_indexes(table: str, parties: tuple[str, str]) -> tuple[sa.Index, ...]:
    """`colour=` is a range on a moment (or the yellow flag): one partial index each, the
    party paths, status and recorded colour riding along for the scope and the
    transition job."""
    include = [*parties, "status", "colour"]
    return (
        *(
            sa.Index(
                f"ix_{table}_{moment}",
                moment,
                postgresql_include=include,
                postgresql_where=sa.text(f"{moment} IS NOT NULL"),
            )
            for moment in MOMENTS
        ),
        sa.Index(
            f"ix_{table}_yellow",
            "created_at",
            "id",
            postgresql_include=include,
            postgresql_where=sa.text("yellow"),
        ),
    )
