"""Timelines: GET /api/v1/{tasks|issues}/{id}/events, oldest first."""

import uuid
from typing import Annotated

from fastapi import APIRouter
from fastapi.responses import Response

from app.access.deps import requires
from app.access.roles import Perm
from app.access.scope import Principal
from app.core.db import SessionDep
from app.core.etags import json_response
from app.core.pagination import DEFAULT_LIMIT, CursorParam, LimitParam, Page
from app.events import service
from app.events.models import ItemType
from app.events.schemas import EventRead
from app.issues import service as issues
from app.tasks import service as tasks

router = APIRouter(tags=["timeline"])


@router.get("/tasks/{task_id}/events", response_model=Page[EventRead], summary="A task's timeline")
async def task_events(
    session: SessionDep,
    principal: Annotated[Principal, requires(Perm.task_read, target=tasks.TARGET)],
    task_id: uuid.UUID,
    limit: LimitParam = DEFAULT_LIMIT,
    cursor: CursorParam = None,
) -> Response:
    await tasks.visible_paths(session, principal, task_id)
    page = await service.list_events(session, ItemType.task, task_id, limit=limit, cursor=cursor)
    return json_response({"items": page.items, "next_cursor": page.next_cursor})


@router.get(
    "/issues/{issue_id}/events", response_model=Page[EventRead], summary="An issue's timeline"
)
async def issue_events(
    session: SessionDep,
    principal: Annotated[Principal, requires(Perm.issue_read, target=issues.TARGET)],
    issue_id: uuid.UUID,
    limit: LimitParam = DEFAULT_LIMIT,
    cursor: CursorParam = None,
) -> Response:
    await issues.visible_paths(session, principal, issue_id)
    page = await service.list_events(session, ItemType.issue, issue_id, limit=limit, cursor=cursor)
    return json_response({"items": page.items, "next_cursor": page.next_cursor})
