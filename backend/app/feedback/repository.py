"""Every statement on feedback."""

import uuid
from datetime import datetime

import asyncpg

from app.core.repository import Repository
from app.feedback.models import Feedback, FeedbackKind
from app.workitems.models import ItemType

_SELECT = (
    "SELECT f.id, f.kind, f.body, f.rating, f.author_id, u.display_name AS author_name,"
    " f.org_id, o.name AS org_name, f.created_at"
    " FROM feedback f JOIN users u ON u.id = f.author_id"
    " LEFT JOIN org_units o ON o.id = f.org_id"
)


class FeedbackRepository(Repository):
    # ---------------------------------------------------------------- reads (plain SQL)

    async def row(self, feedback_id: uuid.UUID) -> asyncpg.Record:
        row: asyncpg.Record = await self.fetchrow(f"{_SELECT} WHERE f.id = $1", feedback_id)
        return row

    async def page(
        self,
        item_type: ItemType,
        item_id: uuid.UUID,
        *,
        kind: FeedbackKind | None,
        after: tuple[datetime, uuid.UUID] | None,
        limit: int,
    ) -> list[asyncpg.Record]:
        """Oldest first: at most `limit` after (created_at, id) `after`."""
        params: list[object] = [item_id, item_type.value, limit]
        where = "f.entity_id = $1 AND f.entity_type = $2"
        if kind is not None:
            params.append(kind.value)
            where += f" AND f.kind = ${len(params)}"
        if after is not None:
            params += list(after)
            where += f" AND (f.created_at, f.id) > (${len(params) - 1}, ${len(params)})"
        rows: list[asyncpg.Record] = await self.fetch(
            f"{_SELECT} WHERE {where} ORDER BY f.created_at, f.id LIMIT $3", *params
        )
        return rows

    # ---------------------------------------------------------------- inside a write

    async def add(
        self,
        *,
        item_type: ItemType,
        item_id: uuid.UUID,
        kind: FeedbackKind,
        body: str,
        rating: int | None,
        author_id: uuid.UUID,
        org_id: uuid.UUID | None,
    ) -> uuid.UUID:
        feedback = Feedback(
            entity_type=item_type.value,
            entity_id=item_id,
            kind=kind.value,
            body=body,
            rating=rating,
            author_id=author_id,
            org_id=org_id,
        )
        self.session.add(feedback)
        await self.session.flush()
        return feedback.id
