import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Response, status

from app.access.deps import requires
from app.access.roles import Perm
from app.access.scope import Principal
from app.core.db import SessionDep, reader
from app.core.idempotency import IdempotencyDep
from app.core.pagination import DEFAULT_LIMIT, CursorParam, LimitParam, Page
from app.orgs import service
from app.orgs.models import OrgKind
from app.orgs.schemas import OrgCreate, OrgRead, OrgTree, OrgUpdate

router = APIRouter(prefix="/orgs", tags=["orgs"])
Reader = Annotated[Principal, requires(Perm.org_read)]
Creator = Annotated[Principal, requires(Perm.org_manage)]
UnitReader = Annotated[Principal, requires(Perm.org_read, target=service.ORG_TARGET)]
UnitManager = Annotated[Principal, requires(Perm.org_manage, target=service.ORG_TARGET)]
CODE_TAKEN = {"description": "Another unit already uses this code"}


@router.get("", response_model=Page[OrgRead], summary="Org units in my scope")
async def list_orgs(
    principal: Reader,
    parent_id: uuid.UUID | None = None,
    kind: OrgKind | None = None,
    q: Annotated[str | None, Query(max_length=100, description="Name contains")] = None,
    limit: LimitParam = DEFAULT_LIMIT,
    cursor: CursorParam = None,
) -> Page[OrgRead]:
    async with reader() as connection:
        return await service.list_orgs(
            connection, principal, parent_id=parent_id, kind=kind, q=q, limit=limit, cursor=cursor
        )


@router.post(
    "",
    response_model=OrgRead,
    status_code=status.HTTP_201_CREATED,
    responses={404: {"description": "No such parent unit in your scope"}, 409: CODE_TAKEN},
)
async def create_org(
    session: SessionDep, principal: Creator, body: OrgCreate, idem: IdempotencyDep
) -> Response:
    return await idem.created(
        principal.user_id, lambda: service.create_org(session, principal, body)
    )


@router.get("/{org_id}", response_model=OrgRead)
async def get_org(principal: UnitReader, org_id: uuid.UUID) -> OrgRead:
    async with reader() as connection:
        return await service.read_org(connection, principal, org_id)


@router.patch("/{org_id}", response_model=OrgRead, responses={409: CODE_TAKEN})
async def update_org(
    session: SessionDep, principal: UnitManager, org_id: uuid.UUID, body: OrgUpdate
) -> OrgRead:
    return await service.update_org(session, principal, org_id, body)


@router.get("/{org_id}/tree", response_model=OrgTree, summary="A unit and its descendants")
async def org_tree(principal: UnitReader, org_id: uuid.UUID) -> OrgTree:
    async with reader() as connection:
        return await service.subtree(connection, principal, org_id)
