"""Task routes. Bodies are rendered by the service and encoded with orjson (no
jsonable_encoder on the hot list path); response models document the shapes."""

import uuid
from collections.abc import Awaitable, Callable
from typing import Annotated, Any, TypeVar

from fastapi import APIRouter, Query, status
from fastapi.responses import Response
from pydantic import BaseModel

from app.access.deps import requires
from app.access.roles import Perm
from app.access.scope import Principal
from app.core.db import SessionDep, reader
from app.core.etags import IfMatch, json_response
from app.core.idempotency import IdempotencyDep
from app.core.pagination import DEFAULT_LIMIT, CursorParam, LimitParam, Page
from app.core.query import QueryModel
from app.orgs.schemas import OrgRead
from app.tasks import service
from app.tasks.schemas import (
    ActionNote,
    ExtensionRequest,
    ProgressBody,
    ReissueBody,
    RequiredNoteBody,
    TaskCreate,
    TaskPage,
    TaskQuery,
    TaskRead,
    TaskUpdate,
)

router = APIRouter(prefix="/tasks", tags=["tasks"])
Reader = Annotated[Principal, requires(Perm.task_read, target=service.TARGET)]
Creator = Annotated[Principal, requires(Perm.task_create, target=service.TARGET)]
Worker = Annotated[Principal, requires(Perm.task_work, target=service.TARGET)]
Decider = Annotated[Principal, requires(Perm.task_decide, target=service.TARGET)]

Endpoint = TypeVar("Endpoint", bound=Callable[..., Awaitable[Response]])
PROBLEMS: dict[int | str, dict[str, Any]] = {
    403: {"description": "In scope, but not your side or role"},
    404: {"description": "No such task in your scope"},
    409: {"description": "Not allowed in the task's current state (named in `detail`)"},
    412: {"description": "If-Match is stale"},
}


TASK_QUERY = QueryModel(TaskQuery)


@router.get(
    "",
    response_model=TaskPage,
    summary="Tasks in my scope",
    openapi_extra=TASK_QUERY.openapi,
)
async def list_tasks(
    principal: Reader,
    filters: Annotated[TaskQuery, TASK_QUERY.dependency],
) -> Response:
    async with reader() as connection:
        items, next_cursor = await service.list_tasks(connection, principal, filters)
    return json_response({"items": items, "next_cursor": next_cursor})


@router.post(
    "",
    response_model=TaskRead,
    status_code=status.HTTP_201_CREATED,
    responses=PROBLEMS,
    summary="Issue a task (or a subtask, with parent_id)",
)
async def create_task(
    session: SessionDep, principal: Creator, body: TaskCreate, idem: IdempotencyDep
) -> Response:
    async def produce() -> Response:
        item = await service.create_task(session, principal, body)
        return json_response(
            item,
            status_code=status.HTTP_201_CREATED,
            version=item["version"],
            headers={"Location": f"/api/v1/tasks/{item['id']}"},
        )

    return await idem.run(principal.user_id, produce)


@router.get(
    "/assignable-units",
    response_model=Page[OrgRead],
    responses=PROBLEMS,
    summary="Units a task (or, with parent_id, a subtask) may be assigned to, in tree order",
)
async def assignable_units(
    session: SessionDep,
    principal: Creator,
    issuer_org_id: Annotated[
        uuid.UUID | None,
        Query(description="The issuing unit; defaults to your unit when you hold one"),
    ] = None,
    parent_id: Annotated[
        uuid.UUID | None, Query(description="List units a subtask of this task may go to")
    ] = None,
    q: Annotated[str | None, Query(max_length=100, description="Name contains")] = None,
    limit: LimitParam = DEFAULT_LIMIT,
    cursor: CursorParam = None,
) -> Page[OrgRead]:
    units, next_cursor = await service.assignable_units(
        session,
        principal,
        issuer_org_id=issuer_org_id,
        parent_id=parent_id,
        q=q,
        limit=limit,
        cursor=cursor,
    )
    return Page[OrgRead](items=[OrgRead.model_validate(u) for u in units], next_cursor=next_cursor)


@router.get("/{task_id}", response_model=TaskRead, responses=PROBLEMS)
async def get_task(principal: Reader, task_id: uuid.UUID) -> Response:
    async with reader() as connection:
        item = await service.get_task(connection, principal, task_id)
    return json_response(item, version=item["version"])


@router.patch("/{task_id}", response_model=TaskRead, responses=PROBLEMS)
async def update_task(
    session: SessionDep,
    principal: Creator,
    task_id: uuid.UUID,
    body: TaskUpdate,
    if_match: IfMatch = None,
) -> Response:
    item = await service.update_task(session, principal, task_id, body, if_match)
    return json_response(item, version=item["version"])


async def _act(
    session: SessionDep,
    principal: Principal,
    idem: IdempotencyDep,
    task_id: uuid.UUID,
    action: str,
    body: BaseModel,
    if_match: str | None,
) -> Response:
    async def produce() -> Response:
        item = await service.act(session, principal, task_id, action, body, if_match)
        return json_response(item, version=item["version"])

    return await idem.run(principal.user_id, produce)


def _action(name: str, summary: str) -> Callable[[Endpoint], Endpoint]:
    return router.post(
        f"/{{task_id}}/{name}", response_model=TaskRead, responses=PROBLEMS, summary=summary
    )


@_action("accept", "Accept (assignee side): issued -> accepted")
async def accept(
    session: SessionDep,
    principal: Worker,
    task_id: uuid.UUID,
    idem: IdempotencyDep,
    if_match: IfMatch = None,
    body: ActionNote | None = None,
) -> Response:
    return await _act(session, principal, idem, task_id, "accept", body or ActionNote(), if_match)


@_action("start", "Start work (assignee side): -> in_progress")
async def start(
    session: SessionDep,
    principal: Worker,
    task_id: uuid.UUID,
    idem: IdempotencyDep,
    if_match: IfMatch = None,
    body: ActionNote | None = None,
) -> Response:
    return await _act(session, principal, idem, task_id, "start", body or ActionNote(), if_match)


@_action("progress", "Report progress (assignee side), stored as progress feedback")
async def progress(
    session: SessionDep,
    principal: Worker,
    task_id: uuid.UUID,
    body: ProgressBody,
    idem: IdempotencyDep,
    if_match: IfMatch = None,
) -> Response:
    return await _act(session, principal, idem, task_id, "progress", body, if_match)


@_action("submit", "Submit (assignee side); the note is the completion feedback")
async def submit(
    session: SessionDep,
    principal: Worker,
    task_id: uuid.UUID,
    body: RequiredNoteBody,
    idem: IdempotencyDep,
    if_match: IfMatch = None,
) -> Response:
    return await _act(session, principal, idem, task_id, "submit", body, if_match)


@_action("verify", "Verify a submission (issuer side): submitted -> done")
async def verify(
    session: SessionDep,
    principal: Decider,
    task_id: uuid.UUID,
    idem: IdempotencyDep,
    if_match: IfMatch = None,
    body: ActionNote | None = None,
) -> Response:
    return await _act(session, principal, idem, task_id, "verify", body or ActionNote(), if_match)


@_action(
    "return",
    "Return with a reason: the issuer rejects a submission, or the assignee sends it back",
)
async def return_task(
    session: SessionDep,
    principal: Decider,
    task_id: uuid.UUID,
    body: RequiredNoteBody,
    idem: IdempotencyDep,
    if_match: IfMatch = None,
) -> Response:
    return await _act(session, principal, idem, task_id, "return", body, if_match)


@_action("cancel", "Cancel (issuer side), with its open subtasks")
async def cancel(
    session: SessionDep,
    principal: Decider,
    task_id: uuid.UUID,
    idem: IdempotencyDep,
    if_match: IfMatch = None,
    body: ActionNote | None = None,
) -> Response:
    return await _act(session, principal, idem, task_id, "cancel", body or ActionNote(), if_match)


@_action("request-extension", "Ask the issuer for a later due date (assignee side)")
async def request_extension(
    session: SessionDep,
    principal: Worker,
    task_id: uuid.UUID,
    body: ExtensionRequest,
    idem: IdempotencyDep,
    if_match: IfMatch = None,
) -> Response:
    return await _act(session, principal, idem, task_id, "request-extension", body, if_match)


@_action("approve-extension", "Approve the pending extension (issuer side)")
async def approve_extension(
    session: SessionDep,
    principal: Decider,
    task_id: uuid.UUID,
    idem: IdempotencyDep,
    if_match: IfMatch = None,
    body: ActionNote | None = None,
) -> Response:
    return await _act(
        session, principal, idem, task_id, "approve-extension", body or ActionNote(), if_match
    )


@_action("reject-extension", "Refuse the pending extension (issuer side)")
async def reject_extension(
    session: SessionDep,
    principal: Decider,
    task_id: uuid.UUID,
    idem: IdempotencyDep,
    if_match: IfMatch = None,
    body: ActionNote | None = None,
) -> Response:
    return await _act(
        session, principal, idem, task_id, "reject-extension", body or ActionNote(), if_match
    )


@_action("reissue", "Send a task the assignee returned out again (issuer side)")
async def reissue(
    session: SessionDep,
    principal: Creator,
    task_id: uuid.UUID,
    idem: IdempotencyDep,
    if_match: IfMatch = None,
    body: ReissueBody | None = None,
) -> Response:
    return await _act(session, principal, idem, task_id, "reissue", body or ReissueBody(), if_match)
