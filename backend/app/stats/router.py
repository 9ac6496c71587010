"""Statistics routes: the dashboard summary of a unit's subtree."""

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Query

from app.access.deps import requires
from app.access.roles import Perm
from app.access.scope import Principal
from app.core.db import reader
from app.orgs.service import ORG_TARGET
from app.stats import service
from app.stats.schemas import StatsSummary

router = APIRouter(prefix="/stats", tags=["stats"])
Reader = Annotated[Principal, requires(Perm.stats_read, target=ORG_TARGET)]

PROBLEMS: dict[int | str, dict[str, Any]] = {
    404: {"description": "No such unit in your scope"},
    422: {"description": "org_id omitted while you hold roles at several units"},
}


@router.get(
    "/summary",
    response_model=StatsSummary,
    responses=PROBLEMS,
    summary="Counts for a unit's subtree",
)
async def summary(
    principal: Reader,
    org_id: Annotated[
        uuid.UUID | None,
        Query(description="The unit; by default the unit of your grant, if you hold one"),
    ] = None,
) -> StatsSummary:
    async with reader() as connection:
        return await service.summary(connection, principal, org_id)
