"""The chasing ladder's routes: the policy per root unit, the 督办单 on a task or an issue,
and the acknowledgement (已阅) of a chasing notice."""

import uuid
from typing import Annotated, Any

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
from app.issues.service import KIND as ISSUE
from app.notifications.router import notification_route
from app.tasks.service import KIND as TASK
from app.workitems.kinds import WorkItemKind
from app.workitems.router import endpoint, param

PolicyManager = Annotated[Principal, requires(Perm.chasing_manage)]

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
async def put_policy(session: SessionDep, principal: PolicyManager, body: PolicyWrite) -> Response:
    return json_response(await service.put_policy(session, principal, body))


def _supervise_route(kind: WorkItemKind, summary: str) -> None:
    """POST /{items}/{id}/supervise for one kind of work item."""

    async def supervise(**arguments: Any) -> Response:
        principal: Principal = arguments["principal"]

        response: Response = await arguments["idem"].respond(
            principal.user_id,
            lambda: service.supervise(
                kind,
                arguments["session"],
                principal,
                arguments[kind.id_param],
                arguments["body"],
                arguments["if_match"],
            ),
        )
        return response

    router.post(
        f"/{kind.plural}/{{{kind.id_param}}}/supervise",
        response_model=kind.read_model,
        responses=SUPERVISE_PROBLEMS,
        summary=summary,
    )(
        endpoint(
            f"supervise_{kind.noun}",
            [
                param("session", SessionDep),
                param(
                    "principal",
                    Annotated[Principal, requires(Perm.chasing_supervise, target=kind.target)],
                ),
                param(kind.id_param, uuid.UUID),
                param("body", SupervisionOrder),
                param("idem", IdempotencyDep),
                param("if_match", IfMatch, None),
            ],
            supervise,
        )
    )


_supervise_route(TASK, "督办单: the tier above the issuer sets a new due date, with a note")
_supervise_route(ISSUE, "督办单: the tier above the handler sets a new due date, with a note")


notification_route(
    router,
    "/notifications/{notification_id}/acknowledge",
    service.acknowledge,
    name="acknowledge",
    responses={
        404: {"description": "Not one of your notifications"},
        409: {"description": "Not a chasing notice"},
    },
    summary="Acknowledge a chasing notice (已阅): recorded on the item's timeline",
    tags=["notifications"],
)
