"""Feedback on tasks and issues: GET/POST /api/v1/{tasks|issues}/{id}/feedback."""

import uuid
from typing import Annotated

from fastapi import APIRouter, status
from fastapi.responses import Response

from app.access.deps import requires
from app.access.roles import Perm
from app.access.scope import Principal
from app.core.db import SessionDep
from app.core.etags import json_response
from app.core.idempotency import IdempotencyDep
from app.core.pagination import DEFAULT_LIMIT, CursorParam, LimitParam, Page
from app.events.models import ItemType
from app.feedback import service
from app.feedback.models import FeedbackKind
from app.feedback.schemas import FeedbackCreate, FeedbackRead
from app.issues import service as issues
from app.tasks import service as tasks

router = APIRouter(tags=["feedback"])
TaskReader = Annotated[Principal, requires(Perm.task_read, target=tasks.TARGET)]
IssueReader = Annotated[Principal, requires(Perm.issue_read, target=issues.TARGET)]
TaskGiver = Annotated[Principal, requires(Perm.feedback_create, target=tasks.TARGET)]
IssueGiver = Annotated[Principal, requires(Perm.feedback_create, target=issues.TARGET)]


@router.get(
    "/tasks/{task_id}/feedback", response_model=Page[FeedbackRead], summary="A task's feedback"
)
async def list_task_feedback(
    session: SessionDep,
    principal: TaskReader,
    task_id: uuid.UUID,
    kind: FeedbackKind | None = None,
    limit: LimitParam = DEFAULT_LIMIT,
    cursor: CursorParam = None,
) -> Response:
    await tasks.visible_paths(session, principal, task_id)
    page = await service.list_feedback(
        session, ItemType.task, task_id, kind=kind, limit=limit, cursor=cursor
    )
    return json_response({"items": page.items, "next_cursor": page.next_cursor})


@router.post(
    "/tasks/{task_id}/feedback",
    response_model=FeedbackRead,
    status_code=status.HTTP_201_CREATED,
    summary="Give feedback on a task (either side)",
)
async def post_task_feedback(
    session: SessionDep,
    principal: TaskGiver,
    task_id: uuid.UUID,
    body: FeedbackCreate,
    idem: IdempotencyDep,
) -> Response:
    async def produce() -> Response:
        item = await tasks.add_feedback(session, principal, task_id, body)
        return json_response(item, status_code=status.HTTP_201_CREATED)

    return await idem.run(principal.user_id, produce)


@router.get(
    "/issues/{issue_id}/feedback", response_model=Page[FeedbackRead], summary="An issue's feedback"
)
async def list_issue_feedback(
    session: SessionDep,
    principal: IssueReader,
    issue_id: uuid.UUID,
    kind: FeedbackKind | None = None,
    limit: LimitParam = DEFAULT_LIMIT,
    cursor: CursorParam = None,
) -> Response:
    await issues.visible_paths(session, principal, issue_id)
    page = await service.list_feedback(
        session, ItemType.issue, issue_id, kind=kind, limit=limit, cursor=cursor
    )
    return json_response({"items": page.items, "next_cursor": page.next_cursor})


@router.post(
    "/issues/{issue_id}/feedback",
    response_model=FeedbackRead,
    status_code=status.HTTP_201_CREATED,
    summary="Give feedback on an issue (either side)",
)
async def post_issue_feedback(
    session: SessionDep,
    principal: IssueGiver,
    issue_id: uuid.UUID,
    body: FeedbackCreate,
    idem: IdempotencyDep,
) -> Response:
    async def produce() -> Response:
        item = await issues.add_feedback(session, principal, issue_id, body)
        return json_response(item, status_code=status.HTTP_201_CREATED)

    return await idem.run(principal.user_id, produce)
