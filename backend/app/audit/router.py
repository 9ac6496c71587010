import uuid
from typing import Annotated

from fastapi import APIRouter, Query

from app.access.deps import requires
from app.access.roles import Perm
from app.access.scope import Principal
from app.audit import service
from app.audit.schemas import AuditEntryRead
from app.core.db import reader
from app.core.pagination import DEFAULT_LIMIT, CursorParam, LimitParam, Page

router = APIRouter(prefix="/audit", tags=["audit"])


@router.get("", response_model=Page[AuditEntryRead], summary="Audit entries in my scope")
async def list_audit(
    principal: Annotated[Principal, requires(Perm.audit_read)],
    entity_type: Annotated[str | None, Query(max_length=40)] = None,
    entity_id: Annotated[str | None, Query(max_length=64)] = None,
    action: Annotated[str | None, Query(max_length=60)] = None,
    actor_id: uuid.UUID | None = None,
    limit: LimitParam = DEFAULT_LIMIT,
    cursor: CursorParam = None,
) -> Page[AuditEntryRead]:
    async with reader() as connection:
        return await service.list_entries(
            connection,
            principal,
            entity_type=entity_type,
            entity_id=entity_id,
            action=action,
            actor_id=actor_id,
            limit=limit,
            cursor=cursor,
        )
