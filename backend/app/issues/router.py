"""Issue routes; bodies rendered by the service and encoded with orjson."""

import uuid
from collections.abc import Awaitable, Callable
from typing import Annotated, Any, TypeVar

from fastapi import APIRouter, status
from fastapi.responses import Response
from pydantic import BaseModel

from app.access.deps import requires
from app.access.roles import Perm
from app.access.scope import Principal
from app.core.db import SessionDep, reader
from app.core.etags import IfMatch, json_response
from app.core.idempotency import IdempotencyDep
from app.core.query import QueryModel
from app.issues import service
from app.issues.schemas import (
    CloseBody,
    DelegateBody,
    IssueCreate,
    IssueNote,
    IssuePage,
    IssueQuery,
    IssueRead,
    IssueRequiredNote,
    IssueUpdate,
)

router = APIRouter(prefix="/issues", tags=["issues"])
Reader = Annotated[Principal, requires(Perm.issue_read, target=service.TARGET)]
Reporter = Annotated[Principal, requires(Perm.issue_create, target=service.TARGET)]
Worker = Annotated[Principal, requires(Perm.issue_work, target=service.TARGET)]
Decider = Annotated[Principal, requires(Perm.issue_decide, target=service.TARGET)]
Confirmer = Annotated[Principal, requires(Perm.issue_confirm, target=service.TARGET)]

Endpoint = TypeVar("Endpoint", bound=Callable[..., Awaitable[Response]])
PROBLEMS: dict[int | str, dict[str, Any]] = {
    403: {"description": "In scope, but not your side or role"},
    404: {"description": "No such issue in your scope"},
    409: {"description": "Not allowed in the issue's current state (named in `detail`)"},
    412: {"description": "If-Match is stale"},
}


ISSUE_QUERY = QueryModel(IssueQuery)


@router.get(
    "",
    response_model=IssuePage,
    summary="Issues in my scope",
    openapi_extra=ISSUE_QUERY.openapi,
)
async def list_issues(
    principal: Reader,
    filters: Annotated[IssueQuery, ISSUE_QUERY.dependency],
) -> Response:
    async with reader() as connection:
        items, next_cursor = await service.list_issues(connection, principal, filters)
    return json_response({"items": items, "next_cursor": next_cursor})


@router.post(
    "",
    response_model=IssueRead,
    status_code=status.HTTP_201_CREATED,
    responses=PROBLEMS,
    summary="Raise an issue; its unit handles it first, due by severity",
)
async def create_issue(
    session: SessionDep, principal: Reporter, body: IssueCreate, idem: IdempotencyDep
) -> Response:
    async def produce() -> Response:
        item = await service.create_issue(session, principal, body)
        return json_response(
            item,
            status_code=status.HTTP_201_CREATED,
            version=item["version"],
            headers={"Location": f"/api/v1/issues/{item['id']}"},
        )

    return await idem.run(principal.user_id, produce)


@router.get("/{issue_id}", response_model=IssueRead, responses=PROBLEMS)
async def get_issue(principal: Reader, issue_id: uuid.UUID) -> Response:
    async with reader() as connection:
        item = await service.get_issue(connection, principal, issue_id)
    return json_response(item, version=item["version"])


@router.patch("/{issue_id}", response_model=IssueRead, responses=PROBLEMS)
async def update_issue(
    session: SessionDep,
    principal: Reporter,
    issue_id: uuid.UUID,
    body: IssueUpdate,
    if_match: IfMatch = None,
) -> Response:
    item = await service.update_issue(session, principal, issue_id, body, if_match)
    return json_response(item, version=item["version"])


async def _act(
    session: SessionDep,
    principal: Principal,
    idem: IdempotencyDep,
    issue_id: uuid.UUID,
    action: str,
    body: BaseModel,
    if_match: str | None,
) -> Response:
    async def produce() -> Response:
        item = await service.act(session, principal, issue_id, action, body, if_match)
        return json_response(item, version=item["version"])

    return await idem.run(principal.user_id, produce)


def _action(name: str, summary: str) -> Callable[[Endpoint], Endpoint]:
    return router.post(
        f"/{{issue_id}}/{name}", response_model=IssueRead, responses=PROBLEMS, summary=summary
    )


@_action("acknowledge", "Acknowledge (handler side): open -> acknowledged")
async def acknowledge(
    session: SessionDep,
    principal: Worker,
    issue_id: uuid.UUID,
    idem: IdempotencyDep,
    if_match: IfMatch = None,
    body: IssueNote | None = None,
) -> Response:
    return await _act(
        session, principal, idem, issue_id, "acknowledge", body or IssueNote(), if_match
    )


@_action("escalate", "Escalate to the tier above (handler side); the note is the reason")
async def escalate(
    session: SessionDep,
    principal: Worker,
    issue_id: uuid.UUID,
    body: IssueRequiredNote,
    idem: IdempotencyDep,
    if_match: IfMatch = None,
) -> Response:
    return await _act(session, principal, idem, issue_id, "escalate", body, if_match)


@_action("delegate", "Hand to a unit inside the handler's scope (handler side)")
async def delegate(
    session: SessionDep,
    principal: Decider,
    issue_id: uuid.UUID,
    body: DelegateBody,
    idem: IdempotencyDep,
    if_match: IfMatch = None,
) -> Response:
    return await _act(session, principal, idem, issue_id, "delegate", body, if_match)


@_action("resolve", "Resolve (handler side); the note is the resolution")
async def resolve(
    session: SessionDep,
    principal: Decider,
    issue_id: uuid.UUID,
    body: IssueRequiredNote,
    idem: IdempotencyDep,
    if_match: IfMatch = None,
) -> Response:
    return await _act(session, principal, idem, issue_id, "resolve", body, if_match)


@_action("close", "Confirm the resolution with a 1-5 rating (reporter side)")
async def close(
    session: SessionDep,
    principal: Confirmer,
    issue_id: uuid.UUID,
    body: CloseBody,
    idem: IdempotencyDep,
    if_match: IfMatch = None,
) -> Response:
    return await _act(session, principal, idem, issue_id, "close", body, if_match)


@_action("reopen", "Reopen within 30 days of resolution (reporter side)")
async def reopen(
    session: SessionDep,
    principal: Confirmer,
    issue_id: uuid.UUID,
    idem: IdempotencyDep,
    if_match: IfMatch = None,
    body: IssueNote | None = None,
) -> Response:
    return await _act(session, principal, idem, issue_id, "reopen", body or IssueNote(), if_match)
