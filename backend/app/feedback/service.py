"""Feedback on tasks and issues. Side checks happen in the task and issue services."""

import uuid
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased
from sqlmodel import col

from app.core.pagination import Page, decode_cursor, page_of
from app.events.models import ItemType
from app.events.service import AnySelect, add_event, cursor_time, cursor_uuid
from app.feedback.models import Feedback, FeedbackKind
from app.orgs.models import OrgUnit
from app.users.models import User


async def add_feedback(
    session: AsyncSession,
    *,
    item_type: ItemType,
    item_id: uuid.UUID,
    kind: FeedbackKind,
    body: str,
    author_id: uuid.UUID,
    org_id: uuid.UUID | None,
    rating: int | None = None,
    event: bool = True,
) -> Feedback:
    """Store feedback; `event=False` when an action's own timeline event already tells it."""
    feedback = Feedback(
        entity_type=item_type.value,
        entity_id=item_id,
        kind=kind.value,
        body=body,
        rating=rating,
        author_id=author_id,
        org_id=org_id,
    )
    session.add(feedback)
    await session.flush()
    if event:
        await add_event(
            session,
            item_type=item_type,
            item_id=item_id,
            action="feedback",
            actor_id=author_id,
            org_id=org_id,
            note=body or None,
            data={"feedback_id": feedback.id, "kind": kind.value, "rating": rating},
        )
    return feedback


def _query() -> AnySelect:
    org = aliased(OrgUnit)
    return (
        sa.select(
            col(Feedback.id),
            col(Feedback.kind),
            col(Feedback.body),
            col(Feedback.rating),
            col(Feedback.author_id),
            col(User.display_name).label("author_name"),
            col(Feedback.org_id),
            col(org.name).label("org_name"),
            col(Feedback.created_at),
        )
        .join(User, col(User.id) == col(Feedback.author_id))
        .outerjoin(org, col(org.id) == col(Feedback.org_id))
    )


async def get_feedback(session: AsyncSession, feedback_id: uuid.UUID) -> dict[str, Any]:
    row = (await session.execute(_query().where(col(Feedback.id) == feedback_id))).one()
    return dict(row._mapping)


async def list_feedback(
    session: AsyncSession,
    item_type: ItemType,
    item_id: uuid.UUID,
    *,
    kind: FeedbackKind | None,
    limit: int,
    cursor: str | None,
) -> Page[dict[str, Any]]:
    """Oldest first; the caller has already checked that the item is visible."""
    query = _query().where(
        col(Feedback.entity_id) == item_id, col(Feedback.entity_type) == item_type.value
    )
    if kind is not None:
        query = query.where(col(Feedback.kind) == kind.value)
    after = decode_cursor(cursor, 2)
    if after is not None:
        query = query.where(
            sa.tuple_(col(Feedback.created_at), col(Feedback.id))
            > sa.tuple_(sa.literal(cursor_time(after[0])), sa.literal(cursor_uuid(after[1])))
        )
    query = query.order_by(col(Feedback.created_at), col(Feedback.id)).limit(limit + 1)
    rows = [dict(r._mapping) for r in (await session.execute(query)).all()]
    return page_of(rows, limit, lambda r: [r["created_at"].isoformat(), str(r["id"])])
