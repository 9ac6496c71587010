"""My notifications: GET /api/v1/notifications, mark one or all read."""

import uuid
from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import Response

from app.access.deps import CurrentPrincipal
from app.core.db import SessionDep
from app.core.etags import json_response
from app.core.idempotency import IdempotencyDep
from app.core.pagination import DEFAULT_LIMIT, CursorParam, LimitParam
from app.notifications import service
from app.notifications.schemas import MarkedRead, NotificationPage, NotificationRead

router = APIRouter(prefix="/notifications", tags=["notifications"])


@router.get(
    "",
    response_model=NotificationPage,
    summary="My notifications, newest first",
)
async def list_notifications(
    principal: CurrentPrincipal,
    unread: Annotated[bool | None, Query(description="Only unread (true) or read (false)")] = None,
    limit: LimitParam = DEFAULT_LIMIT,
    cursor: CursorParam = None,
) -> Response:
    items, next_cursor, unread_count = await service.list_notifications(
        principal, unread=unread, limit=limit, cursor=cursor
    )
    return json_response({"items": items, "next_cursor": next_cursor, "unread_count": unread_count})


@router.post("/read-all", response_model=MarkedRead, summary="Mark all my notifications read")
async def mark_all_read(
    session: SessionDep, principal: CurrentPrincipal, idem: IdempotencyDep
) -> Response:
    async def produce() -> Response:
        return json_response({"marked": await service.mark_all_read(session, principal)})

    return await idem.run(principal.user_id, produce)


@router.post("/{notification_id}/read", response_model=NotificationRead, summary="Mark one read")
async def mark_read(
    session: SessionDep,
    principal: CurrentPrincipal,
    notification_id: uuid.UUID,
    idem: IdempotencyDep,
) -> Response:
    async def produce() -> Response:
        return json_response(await service.mark_read(session, principal, notification_id))

    return await idem.run(principal.user_id, produce)
