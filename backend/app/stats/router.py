"""Statistics routes: the dashboard summary of a unit's subtree, its children's scorecards."""

import uuid
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Query

from app.access.deps import requires
from app.access.roles import Perm
from app.access.scope import Principal
from app.core.db import reader
from app.orgs.service import ORG_TARGET
from app.stats import service
from app.stats.schemas import Scorecards, StatsSummary

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


SCORECARDS = """Per child unit of `org_id`, for the local dates `from` to `to` (inclusive, in
TIME_ZONE; by default this month up to today), each metric as a numerator and a denominator:

- tasks count once, against their assignee (the child whose subtree holds it), in the period
  of the day they were issued; cancelled tasks do not count;
- `tasks_received` n/n: tasks issued in the period;
- `tasks_accepted_on_time`: accepted (签收) by the acceptance limit / received;
- `tasks_done_on_time`: done, submitted by the due date in force / received;
- `tasks_returned`: returned by the issuer at least once / submitted at least once;
- `tasks_done_first_submission`: done at the first submission / done;
- `tasks_overdue` (now, whatever the period): past due and not submitted, done or cancelled
  / issued, accepted, in progress or returned;
- issues count once, against their current handler, in the period of the day they were
  raised: `issues_handled` n/n, `issues_resolved` (resolved or closed) / handled,
  `issues_resolved_on_time` (resolved by the due date) / handled;
- `issues_overdue` (now): past due and unresolved / unresolved;
- `satisfaction`: the sum of the reporters' ratings / the number rated (the mean).

`rank` orders the children of the same kind (1 is best; counts are not ranked)."""


@router.get(
    "/scorecards",
    response_model=Scorecards,
    responses={
        **PROBLEMS,
        422: {"description": "A bad period, or org_id omitted while you hold several roles"},
    },
    summary="Scorecards of a unit's children over a period",
    description=SCORECARDS,
)
async def scorecards(
    principal: Reader,
    org_id: Annotated[
        uuid.UUID | None,
        Query(description="The unit; by default the unit of your grant, if you hold one"),
    ] = None,
    period_from: Annotated[
        date | None, Query(alias="from", description="First local date (default: the 1st)")
    ] = None,
    period_to: Annotated[
        date | None, Query(alias="to", description="Last local date (default: today)")
    ] = None,
) -> Scorecards:
    async with reader() as connection:
        return await service.scorecards(connection, principal, org_id, period_from, period_to)
