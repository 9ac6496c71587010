"""My to-do: GET /api/v1/me/todo."""

from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import Response

from app.access.deps import CurrentPrincipal
from app.core.etags import json_response
from app.core.pagination import DEFAULT_LIMIT, CursorParam, LimitParam
from app.todo import service
from app.todo.schemas import TodoPage

router = APIRouter(prefix="/me", tags=["todo"])


@router.get(
    "/todo",
    response_model=TodoPage,
    summary="What waits on me (待办): exact counts per kind and the items, most urgent first",
    responses={422: {"description": "An unknown kind, or a cursor that is not ours"}},
)
async def my_todo(
    principal: CurrentPrincipal,
    kind: Annotated[
        str | None,
        Query(
            max_length=40,
            description=f"Only items of this kind ({', '.join(service.KIND_NAMES)}); "
            "the counts stay those of every kind",
        ),
    ] = None,
    limit: LimitParam = DEFAULT_LIMIT,
    cursor: CursorParam = None,
) -> Response:
    return json_response(await service.todo(principal, kind=kind, limit=limit, cursor=cursor))
