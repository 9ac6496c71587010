import uuid
from typing import Annotated

from fastapi import APIRouter, Response, status

from app.access.deps import requires
from app.access.roles import Perm, Role
from app.access.scope import Principal
from app.core.db import SessionDep, reader
from app.core.idempotency import IdempotencyDep
from app.core.pagination import DEFAULT_LIMIT, CursorParam, LimitParam, Page
from app.grants import service
from app.grants.schemas import GrantCreate, GrantRead

router = APIRouter(prefix="/grants", tags=["grants"])
Reader = Annotated[Principal, requires(Perm.grant_read)]
Manager = Annotated[Principal, requires(Perm.grant_manage)]
HeldManager = Annotated[Principal, requires(Perm.grant_manage, target=service.GRANT_TARGET)]


@router.get("", response_model=Page[GrantRead], summary="Grants at units in my scope")
async def list_grants(
    principal: Reader,
    user_id: uuid.UUID | None = None,
    org_id: uuid.UUID | None = None,
    role: Role | None = None,
    limit: LimitParam = DEFAULT_LIMIT,
    cursor: CursorParam = None,
) -> Page[GrantRead]:
    async with reader() as connection:
        return await service.list_grants(
            connection,
            principal,
            user_id=user_id,
            org_id=org_id,
            role=role.value if role else None,
            limit=limit,
            cursor=cursor,
        )


@router.post(
    "",
    response_model=GrantRead,
    status_code=status.HTTP_201_CREATED,
    responses={
        404: {"description": "No such user or unit in your scope"},
        409: {"description": "The user already holds this role at this unit"},
    },
)
async def create_grant(
    session: SessionDep, principal: Manager, body: GrantCreate, idem: IdempotencyDep
) -> Response:
    return await idem.created(
        principal.user_id, lambda: service.create_grant(session, principal, body)
    )


@router.delete("/{grant_id}", status_code=status.HTTP_204_NO_CONTENT)
async def delete_grant(
    session: SessionDep, principal: HeldManager, grant_id: uuid.UUID
) -> Response:
    await service.delete_grant(session, principal, grant_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
