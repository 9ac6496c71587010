"""My notifications: GET /api/v1/notifications, mark one or all read."""

import uuid
from collections.abc import Awaitable, Callable
from typing import Annotated, Any

from fastapi import APIRouter, Query
from fastapi.responses import Response
from sqlalchemy.ext.asyncio import AsyncSession

from app.access.deps import CurrentPrincipal
from app.access.scope import Principal
from app.core.db import SessionDep
from app.core.etags import json_response
from app.core.idempotency import IdempotencyDep
from app.core.pagination import DEFAULT_LIMIT, CursorParam, LimitParam
from app.notifications import service
from app.notifications.schemas import MarkedRead, NotificationPage, NotificationRead

router = APIRouter(prefix="/notifications", tags=["notifications"])


@router.get("", response_model=NotificationPage, summary="My notifications, newest first")
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


NotificationAct = Callable[[AsyncSession, Principal, uuid.UUID], Awaitable[dict[str, Any]]]


def notification_route(
    router: APIRouter, path: str, act: NotificationAct, *, name: str, **route: Any
) -> None:
    """POST `path` (with `{notification_id}`): `act` on one of the caller's notifications,
    answering the notification as it is then."""

    async def answer(
        session: SessionDep,
        principal: CurrentPrincipal,
        notification_id: uuid.UUID,
        idem: IdempotencyDep,
    ) -> Response:
        return await idem.respond(
            principal.user_id, lambda: act(session, principal, notification_id)
        )

    router.post(path, response_model=NotificationRead, name=name, **route)(answer)


notification_route(
    router, "/{notification_id}/read", service.mark_read, name="mark_read", summary="Mark one read"
)
