"""Domain events: the one record of what happened to a work item, written in the action's
own transaction. Its consumers are the item's timeline, the audit log and the notices to
the units concerned; a webhook outbox would be one more consumer here.
"""

import uuid
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from app.audit.service import record
from app.notifications.models import NotificationKind
from app.notifications.schemas import ItemNotice
from app.notifications.service import notify
from app.workitems.models import ItemEvent, ItemType
from app.workitems.repository import TimelineRepository, jsonable


@dataclass(frozen=True)
class Notice:
    """Tell the people of `org_id` (not the actor) that the item reached their unit."""

    org_id: uuid.UUID
    kind: NotificationKind
    roles: tuple[str, ...] | None = None  # whose grants there; None: the usual people


@dataclass(frozen=True)
class Audit:
    """The audit entry: `entity_type` and `entity_id` default to the item's."""

    org_path: list[int]
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    entity_type: str | None = None
    entity_id: uuid.UUID | None = None


@dataclass(frozen=True)
class DomainEvent:
    item_type: ItemType
    item_id: uuid.UUID
    action: str
    actor_id: uuid.UUID | None
    org_id: uuid.UUID | None  # the unit the actor spoke for
    title: str = ""  # what notices call the item
    from_status: str | None = None
    to_status: str | None = None
    note: str | None = None
    data: dict[str, Any] | None = None
    audit: Audit | None = None  # None: the timeline's own step (a subtask noted on its parent)
    notices: tuple[Notice, ...] = field(default_factory=tuple)


async def publish(session: AsyncSession, event: DomainEvent) -> None:
    await (await TimelineRepository.writing(session)).add(
        ItemEvent(
            entity_type=event.item_type.value,
            entity_id=event.item_id,
            action=event.action,
            actor_id=event.actor_id,
            org_id=event.org_id,
            from_status=event.from_status,
            to_status=event.to_status,
            note=event.note,
            data=jsonable(event.data) if event.data is not None else None,
        )
    )
    if event.audit is not None:
        await record(
            session,
            action=f"{event.item_type.value}.{event.action}",
            entity_type=event.audit.entity_type or event.item_type.value,
            entity_id=event.audit.entity_id or event.item_id,
            actor_id=event.actor_id,
            org_path=event.audit.org_path,
            before=event.audit.before,
            after=event.audit.after,
        )
    for to in event.notices:
        notice = (to.org_id, to.kind, event.item_type, event.item_id, event.title, event.actor_id)
        await notify(session, ItemNotice(*notice, roles=to.roles))
