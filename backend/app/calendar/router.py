from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import Response

from app.access.deps import CurrentPrincipal, requires
from app.access.roles import Perm
from app.access.scope import Principal
from app.calendar import service
from app.calendar.schemas import Overrides, OverridesResult, WorkingDays
from app.core.db import SessionDep, reader
from app.core.etags import json_response

CalendarManager = Annotated[Principal, requires(Perm.calendar_manage)]

router = APIRouter(prefix="/calendar", tags=["calendar"])


@router.get(
    "/working-days",
    response_model=WorkingDays,
    summary="Working days between two dates (inclusive), with each day's name",
)
async def working_days(
    _: CurrentPrincipal,
    first: Annotated[date, Query(alias="from", description="First date (local)")],
    last: Annotated[date, Query(alias="to", description="Last date (local), inclusive")],
) -> Response:
    async with reader() as connection:
        return json_response(await service.working_days(connection, first, last))


@router.put(
    "/overrides",
    response_model=OverridesResult,
    summary="Enter holidays and adjusted working days, and extend the calendar (root admins)",
)
async def put_overrides(
    session: SessionDep, principal: CalendarManager, body: Overrides
) -> Response:
    return json_response(await service.put_overrides(session, principal, body))
