"""Recording and reading the audit log."""

import uuid
from collections.abc import Sequence
from datetime import date, datetime
from enum import Enum
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from app.access.roles import Perm
from app.access.scope import Principal
from app.audit.models import AuditEntry
from app.core.middleware import client_addr_var, request_id_var
from app.core.pagination import Page, decode_cursor, page_of


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
    session.add(
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


async def list_entries(
    session: AsyncSession,
    principal: Principal,
    *,
    entity_type: str | None,
    entity_id: str | None,
    action: str | None,
    actor_id: uuid.UUID | None,
    limit: int,
    cursor: str | None,
) -> Page[AuditEntry]:
    query = sa.select(AuditEntry).where(
        principal.within(col(AuditEntry.org_path), perm=Perm.audit_read)
    )
    if entity_type:
        query = query.where(col(AuditEntry.entity_type) == entity_type)
    if entity_id:
        query = query.where(col(AuditEntry.entity_id) == entity_id)
    if action:
        query = query.where(col(AuditEntry.action) == action)
    if actor_id:
        query = query.where(col(AuditEntry.actor_id) == actor_id)
    after = decode_cursor(cursor, 1)
    if after is not None:
        query = query.where(col(AuditEntry.id) < int(after[0]))
    query = query.order_by(col(AuditEntry.id).desc()).limit(limit + 1)
    rows = list((await session.execute(query)).scalars().all())
    return page_of(rows, limit, lambda e: [e.id])
