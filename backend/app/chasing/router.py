"""The chasing ladder's routes: the policy per root unit, the 督办单 on a task or an issue,
and the acknowledgement (已阅) of a chasing notice."""

import uuid
from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import Response

from app.access.deps import CurrentPrincipal, requires
from app.access.roles import Perm
from app.access.scope import Principal
from app.chasing import service
from app.chasing.schemas import PolicyRead, PolicyWrite, SupervisionOrder
from app.core.db import SessionDep
from app.core.etags import IfMatch, json_response
from app.core.idempotency import IdempotencyDep
from app.issues.schemas import IssueRead
from app.issues.service import KIND as ISSUE
from app.notifications.schemas import NotificationRead
from app.tasks.schemas import TaskRead
from app.tasks.service import KIND as TASK
from app.workitems.kinds import WorkItemKind

router = APIRouter(tags=["chasing"])
RootParam = Annotated[
    uuid.UUID | None,
    Query(description="The root unit; defaults to the root of your grants"),
]
SUPERVISE_PROBLEMS: dict[int | str, dict[str, str]] = {
    403: {"description": "Not a leader of the supervising unit (the tier above)"},
    404: {"description": "Not in your scope"},
    409: {"description": "Not waiting on a 督办单 (the ladder has not reached supervision)"},
    412: {"description": "If-Match is stale"},
}


@router.get(
    "/chasing-policy",
    response_model=PolicyRead,
    summary="The chasing ladder of a root unit, in working days",
    responses={404: {"description": "No such root unit under your grants"}},
)
async def get_policy(principal: CurrentPrincipal, root_org_id: RootParam = None) -> Response:
    return json_response(await service.get_policy(principal, root_org_id))


@router.put(
    "/chasing-policy",
    response_model=PolicyRead,
    summary="Set the chasing ladder of a root unit (its admins)",
    responses={404: {"description": "No such root unit under your grants"}},
)
async def put_policy(
    session: SessionDep,
    principal: Annotated[Principal, requires(Perm.chasing_manage)],
    body: PolicyWrite,
) -> Response:
    return json_response(await service.put_policy(session, principal, body))


async def _supervise(
    kind: WorkItemKind,
    session: SessionDep,
    principal: Principal,
    item_id: uuid.UUID,
    body: SupervisionOrder,
    idem: IdempotencyDep,
    if_match: str | None,
) -> Response:
    async def produce() -> Response:
        item = await service.supervise(kind, session, principal, item_id, body, if_match)
        return json_response(item, version=item["version"])

    return await idem.run(principal.user_id, produce)


@router.post(
    "/tasks/{task_id}/supervise",
    response_model=TaskRead,
    responses=SUPERVISE_PROBLEMS,
    summary="督办单: the tier above the issuer sets a new due date, with a note",
)
async def supervise_task(
    session: SessionDep,
    principal: Annotated[Principal, requires(Perm.chasing_supervise, target=TASK.target)],
    task_id: uuid.UUID,
    body: SupervisionOrder,
    idem: IdempotencyDep,
    if_match: IfMatch = None,
) -> Response:
    return await _supervise(TASK, session, principal, task_id, body, idem, if_match)


@router.post(
    "/issues/{issue_id}/supervise",
    response_model=IssueRead,
    responses=SUPERVISE_PROBLEMS,
    summary="督办单: the tier above the handler sets a new due date, with a note",
)
async def supervise_issue(
    session: SessionDep,
    principal: Annotated[Principal, requires(Perm.chasing_supervise, target=ISSUE.target)],
    issue_id: uuid.UUID,
    body: SupervisionOrder,
    idem: IdempotencyDep,
    if_match: IfMatch = None,
) -> Response:
    return await _supervise(ISSUE, session, principal, issue_id, body, idem, if_match)


@router.post(
    "/notifications/{notification_id}/acknowledge",
    response_model=NotificationRead,
    responses={
        404: {"description": "Not one of your notifications"},
        409: {"description": "Not a chasing notice"},
    },
    summary="Acknowledge a chasing notice (已阅): recorded on the item's timeline",
    tags=["notifications"],
)
async def acknowledge(
    session: SessionDep,
    principal: CurrentPrincipal,
    notification_id: uuid.UUID,
    idem: IdempotencyDep,
) -> Response:
    async def produce() -> Response:
        return json_response(await service.acknowledge(session, principal, notification_id))

    return await idem.run(principal.user_id, produce)
