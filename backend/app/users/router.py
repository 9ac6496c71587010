import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Response, status

from app.access.deps import requires
from app.access.roles import Perm
from app.access.scope import Principal
from app.core.db import SessionDep, reader
from app.core.idempotency import IdempotencyDep
from app.core.pagination import DEFAULT_LIMIT, CursorParam, LimitParam, Page
from app.users import service
from app.users.schemas import UserCreate, UserRead, UserUpdate

router = APIRouter(prefix="/users", tags=["users"])
Reader = Annotated[Principal, requires(Perm.user_read)]
Manager = Annotated[Principal, requires(Perm.user_manage)]


@router.get("", response_model=Page[UserRead], summary="Users I administer")
async def list_users(
    principal: Reader,
    q: Annotated[str | None, Query(max_length=100)] = None,
    is_active: bool | None = None,
    limit: LimitParam = DEFAULT_LIMIT,
    cursor: CursorParam = None,
) -> Page[UserRead]:
    async with reader() as connection:
        return await service.list_users(
            connection, principal, q=q, is_active=is_active, limit=limit, cursor=cursor
        )


@router.post(
    "",
    response_model=UserRead,
    status_code=status.HTTP_201_CREATED,
    responses={409: {"description": "That username is taken"}},
)
async def create_user(
    session: SessionDep, principal: Manager, body: UserCreate, idem: IdempotencyDep
) -> Response:
    return await idem.created(
        principal.user_id, lambda: service.create_user(session, principal, body)
    )


@router.get("/{user_id}", response_model=UserRead)
async def get_user(principal: Reader, user_id: uuid.UUID) -> UserRead:
    async with reader() as connection:
        return await service.read_user(connection, principal, user_id)


@router.patch("/{user_id}", response_model=UserRead)
async def update_user(
    session: SessionDep, principal: Manager, user_id: uuid.UUID, body: UserUpdate
) -> UserRead:
    return await service.update_user(session, principal, user_id, body)
