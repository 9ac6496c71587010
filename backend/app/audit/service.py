"""Recording and reading the audit log."""

import uuid
from collections.abc import Sequence
from datetime import date, datetime
from enum import Enum
from typing import Any

import sqlalchemy as sa
from sqlmodel.ext.asyncio.session import AsyncSession

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
        principal.within(AuditEntry.org_path, perm=Perm.audit_read)  # type: ignore[arg-type]
    )
    if entity_type:
        query = query.where(AuditEntry.entity_type == entity_type)  # type: ignore[arg-type]
    if entity_id:
        query = query.where(AuditEntry.entity_id == entity_id)  # type: ignore[arg-type]
    if action:
        query = query.where(AuditEntry.action == action)  # type: ignore[arg-type]
    if actor_id:
        query = query.where(AuditEntry.actor_id == actor_id)  # type: ignore[arg-type]
    after = decode_cursor(cursor, 1)
    if after is not None:
        query = query.where(AuditEntry.id < int(after[0]))  # type: ignore[operator]
    query = query.order_by(AuditEntry.id.desc()).limit(limit + 1)  # type: ignore[union-attr]
    rows = list((await session.execute(query)).scalars().all())
    return page_of(rows, limit, lambda e: [e.id])
