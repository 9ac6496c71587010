"""The timeline of a work item: written by the task and issue services, read per item."""

import uuid
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased
from sqlmodel import col

from app.core.errors import Unprocessable
from app.core.pagination import Page, decode_cursor, page_of
from app.events.models import ItemEvent, ItemType
from app.orgs.models import OrgUnit
from app.users.models import User

# A Core select of any columns.
AnySelect = sa.Select[*tuple[Any, ...]]


def cursor_time(value: Any) -> datetime:
    try:
        parsed = datetime.fromisoformat(str(value))
    except ValueError as exc:
        raise Unprocessable("The cursor is not valid.") from exc
    if parsed.tzinfo is None:
        raise Unprocessable("The cursor is not valid.")
    return parsed


def cursor_int(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise Unprocessable("The cursor is not valid.")
    return value


def cursor_uuid(value: Any) -> uuid.UUID:
    try:
        return uuid.UUID(str(value))
    except ValueError as exc:
        raise Unprocessable("The cursor is not valid.") from exc


def _plain(data: dict[str, Any]) -> dict[str, Any]:
    """JSONB-ready: ids and timestamps as strings."""
    return {
        key: value.isoformat()
        if isinstance(value, datetime)
        else str(value)
        if isinstance(value, uuid.UUID)
        else value
        for key, value in data.items()
    }


async def add_event(
    session: AsyncSession,
    *,
    item_type: ItemType,
    item_id: uuid.UUID,
    action: str,
    actor_id: uuid.UUID | None,
    org_id: uuid.UUID | None = None,
    from_status: str | None = None,
    to_status: str | None = None,
    note: str | None = None,
    data: dict[str, Any] | None = None,
) -> None:
    session.add(
        ItemEvent(
            entity_type=item_type.value,
            entity_id=item_id,
            action=action,
            actor_id=actor_id,
            org_id=org_id,
            from_status=from_status,
            to_status=to_status,
            note=note,
            data=_plain(data) if data is not None else None,
        )
    )


async def list_events(
    session: AsyncSession,
    item_type: ItemType,
    item_id: uuid.UUID,
    *,
    limit: int,
    cursor: str | None,
) -> Page[dict[str, Any]]:
    """Oldest first; the caller has already checked that the item is visible."""
    org = aliased(OrgUnit)
    query: AnySelect = (
        sa.select(
            col(ItemEvent.id),
            col(ItemEvent.action),
            col(ItemEvent.from_status),
            col(ItemEvent.to_status),
            col(ItemEvent.actor_id),
            col(User.display_name).label("actor_name"),
            col(ItemEvent.org_id),
            col(org.name).label("org_name"),
            col(ItemEvent.note),
            col(ItemEvent.data),
            col(ItemEvent.at),
        )
        .outerjoin(User, col(User.id) == col(ItemEvent.actor_id))
        .outerjoin(org, col(org.id) == col(ItemEvent.org_id))
        .where(col(ItemEvent.entity_id) == item_id, col(ItemEvent.entity_type) == item_type.value)
    )
    after = decode_cursor(cursor, 1)
    if after is not None:
        query = query.where(col(ItemEvent.id) > cursor_int(after[0]))
    query = query.order_by(col(ItemEvent.id)).limit(limit + 1)
    rows = [dict(r._mapping) for r in (await session.execute(query)).all()]
    return page_of(rows, limit, lambda r: [r["id"]])
