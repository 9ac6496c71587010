"""Recording and reading the audit log."""

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from enum import Enum
from typing import Any

import asyncpg
from sqlalchemy.ext.asyncio import AsyncSession

from app.access.roles import Perm
from app.access.scope import Principal
from app.audit.models import AuditEntry
from app.audit.repository import AuditRepository
from app.audit.schemas import AuditEntryRead
from app.core.middleware import client_addr_var, request_id_var
from app.core.pagination import Page, cursor_int, decode_cursor, page_of


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    return value


def snapshot(obj: Any, fields: Sequence[str]) -> dict[str, Any]:
    """The audited view of an entity: chosen fields only (never password hashes)."""
    return {f: _jsonable(getattr(obj, f)) for f in fields}


async def record(
    session: AsyncSession,
    *,
    action: str,
    entity_type: str,
    entity_id: Any = None,
    actor_id: uuid.UUID | None = None,
    org_path: Sequence[int] | None = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> None:
    """One entry, in the session's transaction, with the request's id and client address."""
    await (await AuditRepository.writing(session)).add(
        AuditEntry(
            actor_id=actor_id,
            request_id=request_id_var.get(),
            client_addr=client_addr_var.get(),
            action=action,
            entity_type=entity_type,
            entity_id=None if entity_id is None else str(entity_id),
            org_path=list(org_path) if org_path is not None else None,
            before=_jsonable(before),
            after=_jsonable(after),
        )
    )


@dataclass(frozen=True)
class Audited:
    """One kind of audited entity: its `entity_type` and the fields its snapshots keep.

    `created`, `updated` and `deleted` record `<entity_type>.create`, `.update` and
    `.delete` with the entity's snapshots, each in one call; `entry` records any other
    action on such an entity. All go through `record()`.
    """

    entity_type: str
    fields: tuple[str, ...] = ()

    def snapshot(self, entity: Any) -> dict[str, Any]:
        return snapshot(entity, self.fields)

    async def entry(
        self, session: AsyncSession, action: str, entity_id: Any, **recorded: Any
    ) -> None:
        """`recorded`: the rest of `record()`'s fields (actor, org path, snapshots)."""
        await record(
            session, action=action, entity_type=self.entity_type, entity_id=entity_id, **recorded
        )

    async def created(
        self,
        session: AsyncSession,
        entity: Any,
        *,
        actor_id: uuid.UUID | None,
        org_path: Sequence[int],
    ) -> None:
        """after: the new entity's snapshot."""
        action, after = f"{self.entity_type}.create", self.snapshot(entity)
        await self.entry(
            session, action, entity.id, actor_id=actor_id, org_path=org_path, after=after
        )

    async def updated(
        self,
        session: AsyncSession,
        entity: Any,
        before: dict[str, Any],
        *,
        actor_id: uuid.UUID,
        org_path: Sequence[int],
        **noted: Any,
    ) -> None:
        """before: the snapshot taken before the change; after: the entity's snapshot now,
        with `noted` added (what a snapshot does not show, such as a new password)."""
        action, after = f"{self.entity_type}.update", self.snapshot(entity) | noted
        await self.entry(
            session,
            action,
            entity.id,
            actor_id=actor_id,
            org_path=org_path,
            before=before,
            after=after,
        )

    async def deleted(
        self,
        session: AsyncSession,
        entity_id: Any,
        *,
        before: dict[str, Any],
        actor_id: uuid.UUID,
        org_path: Sequence[int],
    ) -> None:
        """before: the entity's snapshot before its deletion."""
        action = f"{self.entity_type}.delete"
        await self.entry(
            session, action, entity_id, actor_id=actor_id, org_path=org_path, before=before
        )


async def list_entries(
    connection: asyncpg.Connection,
    principal: Principal,
    *,
    entity_type: str | None,
    entity_id: str | None,
    action: str | None,
    actor_id: uuid.UUID | None,
    limit: int,
    cursor: str | None,
) -> Page[AuditEntryRead]:
    after = decode_cursor(cursor, cursor_int)
    rows = await AuditRepository(connection).page(
        principal.paths(Perm.audit_read),
        entity_type=entity_type or None,
        entity_id=entity_id or None,
        action=action or None,
        actor_id=actor_id or None,
        before_id=after[0] if after is not None else None,
        limit=limit + 1,
    )
    return page_of([AuditEntryRead.model_validate(row) for row in rows], limit, lambda e: [e.id])
