"""In-app notifications, addressed to the people of a unit.

Event notices (task assigned or returned, issue escalated or delegated) come from the
work items' domain events, in the same transaction as the change: one row per leader,
officer or liaison holding a grant at the unit concerned (fan-out on write: reading and
marking read are then per-person and index-only).

Due-soon notices (an item turning blue: due within 2 working days) and overdue notices
(turning red at its due date) are written by `sweep_due`, which the `due_notices` job runs
every few minutes (app/jobs/): reading notifications never writes. Each work item's
repository says which of its items are due; due_notices remembers what was noticed, per
item, unit and due date, so a moved due date or a new handler is noticed again and
concurrent sweeps never notify twice.
"""

import uuid
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from app.access.roles import PEOPLE_ROLES
from app.access.scope import Principal
from app.core.db import reader
from app.core.errors import NotFound
from app.core.models import utcnow
from app.core.pagination import cursor_time, cursor_uuid, decode_cursor, page_of
from app.issues.repository import IssueRepository
from app.notifications.models import ACKNOWLEDGED_KINDS, NotificationKind
from app.notifications.repository import NotificationRepository
from app.notifications.schemas import ItemNotice
from app.tasks.repository import TaskRepository
from app.workitems.models import ItemType
from app.workitems.repository import ItemRepository

NOTIFIED_ROLES = tuple(role.value for role in PEOPLE_ROLES)
# Whose due dates are noticed, and as what: (repository, item type, due soon, overdue).
DUE_ITEMS: tuple[tuple[type[ItemRepository], ItemType, NotificationKind, NotificationKind], ...] = (
    (TaskRepository, ItemType.task, NotificationKind.task_due_soon, NotificationKind.task_overdue),
    (
        IssueRepository,
        ItemType.issue,
        NotificationKind.issue_due_soon,
        NotificationKind.issue_overdue,
    ),
)


async def notify(session: AsyncSession, notice: ItemNotice) -> None:
    """One notice for each of the unit's people (those of `notice.roles`, by default
    NOTIFIED_ROLES), in the session's transaction."""
    notifications = await NotificationRepository.writing(session)
    await notifications.notify_unit(notice, roles=notice.roles or NOTIFIED_ROLES, now=utcnow())


async def sweep_due(session: AsyncSession, now: datetime | None = None) -> None:
    """Write due-soon and overdue notices for items not yet noticed (see module doc)."""
    now = now or utcnow()
    notifications = await NotificationRepository.writing(session)
    for repository, item_type, soon, late in DUE_ITEMS:
        items = await repository.writing(session)
        for kind, is_soon in ((late, False), (soon, True)):
            await notifications.notice_due(
                items, (item_type, kind), soon=is_soon, roles=NOTIFIED_ROLES, now=now
            )


async def list_notifications(
    principal: Principal,
    *,
    unread: bool | None,
    limit: int,
    cursor: str | None,
) -> tuple[list[dict[str, Any]], str | None, int]:
    """Newest first: (items, next_cursor, unread_count)."""
    before = decode_cursor(cursor, cursor_time, cursor_uuid)
    async with reader() as connection:
        notifications = NotificationRepository(connection)
        rows = await notifications.page(
            principal.user_id, unread=unread, before=before, limit=limit + 1
        )
        unread_count = await notifications.unread_count(principal.user_id)
    page = page_of(
        [shown(r) for r in rows], limit, lambda r: [r["created_at"].isoformat(), str(r["id"])]
    )
    return page.items, page.next_cursor, unread_count


async def mark_read(
    session: AsyncSession, principal: Principal, notification_id: uuid.UUID
) -> dict[str, Any]:
    notifications = await NotificationRepository.writing(session)
    await notifications.mark_read(principal.user_id, notification_id, utcnow())
    row = await notifications.row(principal.user_id, notification_id)
    if row is None:
        raise NotFound("Notification")
    return shown(row)


def shown(row: Mapping[str, Any]) -> dict[str, Any]:
    """A notification as the API shows it."""
    return {**row, "acknowledgeable": row["kind"] in ACKNOWLEDGED_KINDS}


async def mark_all_read(session: AsyncSession, principal: Principal) -> int:
    notifications = await NotificationRepository.writing(session)
    return await notifications.mark_all_read(principal.user_id, utcnow())
