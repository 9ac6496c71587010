"""Task routes: the work-item routes from the router factory, after the task's own."""

import uuid
from typing import Annotated

from fastapi import APIRouter, Query

from app.access.deps import requires
from app.access.roles import Perm
from app.access.scope import Principal
from app.core.db import reader
from app.core.pagination import DEFAULT_LIMIT, CursorParam, LimitParam, Page
from app.orgs.schemas import OrgRead
from app.tasks import assignment, service
from app.workitems.router import item_router

router = APIRouter(prefix="/tasks", tags=["tasks"])


@router.get(
    "/assignable-units",
    response_model=Page[OrgRead],
    responses={404: {"description": "No such parent task in your scope"}},
    summary="Units a task (or, with parent_id, a subtask) may be assigned to, in tree order",
)
async def assignable_units(
    principal: Annotated[Principal, requires(Perm.task_create)],
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
    async with reader() as connection:
        units, next_cursor = await assignment.assignable_units(
            connection,
            principal,
            issuer_org_id=issuer_org_id,
            parent_id=parent_id,
            q=q,
            limit=limit,
            cursor=cursor,
        )
    return Page[OrgRead](items=[OrgRead.model_validate(u) for u in units], next_cursor=next_cursor)


item_router(service.KIND, router)
