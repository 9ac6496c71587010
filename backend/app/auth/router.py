from typing import Annotated

import sqlalchemy as sa
from fastapi import APIRouter, Form, Request, Response
from sqlmodel import col

from app.access.deps import CurrentPrincipal, Public
from app.auth import service
from app.auth.schemas import Me, MeGrant, RefreshRequest, TokenPair
from app.core.db import SessionDep
from app.meta.service import is_demo
from app.orgs.models import OrgUnit

router = APIRouter(tags=["auth"])
NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}


def _pair(issued: service.IssuedTokens, response: Response) -> TokenPair:
    response.headers.update(NO_STORE)
    return TokenPair(
        access_token=issued.access_token,
        expires_in=issued.expires_in,
        refresh_token=issued.refresh_token,
    )


@router.post(
    "/auth/token",
    response_model=TokenPair,
    dependencies=[Public],
    summary="Sign in (OAuth2 password flow)",
)
async def token(
    request: Request,
    response: Response,
    session: SessionDep,
    username: Annotated[str, Form(max_length=64)],
    password: Annotated[str, Form(max_length=256)],
) -> TokenPair:
    client = request.client.host if request.client else ""
    return _pair(await service.login(session, username, password, client), response)


@router.post(
    "/auth/refresh",
    response_model=TokenPair,
    dependencies=[Public],
    summary="Rotate a refresh token for a new pair",
)
async def refresh(response: Response, session: SessionDep, body: RefreshRequest) -> TokenPair:
    return _pair(await service.refresh(session, body.refresh_token), response)


@router.post("/auth/logout", status_code=204, summary="End my session")
async def logout(session: SessionDep, principal: CurrentPrincipal) -> Response:
    await service.logout(session, principal.user_id, principal.session_id)
    return Response(status_code=204)


@router.get("/me", response_model=Me, summary="Who I am and where I hold roles")
async def me(session: SessionDep, principal: CurrentPrincipal) -> Me:
    org_ids = [g.org_id for g in principal.grants]
    orgs = {
        row.id: row
        for row in await session.execute(
            sa.select(col(OrgUnit.id), col(OrgUnit.name), col(OrgUnit.kind)).where(
                col(OrgUnit.id).in_(org_ids)
            )
        )
    }
    return Me(
        id=principal.user_id,
        username=principal.username,
        display_name=principal.display_name,
        grants=[
            MeGrant(
                id=g.grant_id,
                org_id=g.org_id,
                role=g.role,
                org_name=orgs[g.org_id].name,
                org_kind=orgs[g.org_id].kind,
            )
            for g in principal.grants
        ],
        demo_mode=await is_demo(session),
    )
