from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Header, Request, Response
from fastapi.types import DecoratedCallable

from app.access.deps import CurrentPrincipal, Public, load_principal, oauth2_scheme
from app.auth import service
from app.auth.schemas import Me, RefreshRequest, TokenPair
from app.core.config import get_settings
from app.core.db import SessionDep, reader
from app.core.errors import Forbidden, Unauthorized

router = APIRouter(tags=["auth"])
NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}
FOREIGN_ORIGIN = {"description": "A cookie sent from another origin"}
REFRESH_COOKIE = "liandong_refresh"
REFRESH_COOKIE_PATH = "/api/v1/auth"
RefreshMode = Annotated[
    str | None,
    Header(
        alias="X-Refresh-Mode",
        description="`cookie`: keep the refresh token in an HttpOnly cookie (browsers).",
    ),
]


def _pair(
    issued: service.IssuedTokens, request: Request, response: Response, *, cookie: bool
) -> TokenPair:
    response.headers.update(NO_STORE)
    if not cookie:
        return TokenPair(
            access_token=issued.access_token,
            expires_in=issued.expires_in,
            refresh_token=issued.refresh_token,
        )
    response.set_cookie(
        REFRESH_COOKIE,
        issued.refresh_token,
        max_age=get_settings().refresh_token_days * 86400,
        path=REFRESH_COOKIE_PATH,
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
    )
    return TokenPair(
        access_token=issued.access_token, expires_in=issued.expires_in, refresh_token=None
    )


def _answers_with_tokens(
    path: str, summary: str, responses: dict[int | str, dict[str, Any]]
) -> Callable[[DecoratedCallable], DecoratedCallable]:
    """A public POST route that answers with a token pair (no refresh token in cookie mode)."""
    return router.post(
        path,
        response_model=TokenPair,
        response_model_exclude_none=True,
        dependencies=[Public],
        summary=summary,
        responses=responses,
    )


def _check_origin(request: Request) -> None:
    """A cookie refresh must come from our own pages (or a configured origin)."""
    origin = request.headers.get("origin")
    own = f"{request.url.scheme}://{request.headers.get('host', '')}"
    if origin is None or (origin != own and origin not in get_settings().cors_origins):
        raise Forbidden("Cookie refresh is only accepted from this application's own origin.")


@_answers_with_tokens(
    "/auth/token",
    "Sign in (OAuth2 password flow)",
    {
        401: {"description": "Wrong username or password, or the user is inactive"},
        429: {"description": "Too many failed sign-ins from this address or for this user"},
    },
)
async def token(
    request: Request,
    response: Response,
    session: SessionDep,
    username: Annotated[str, Form(max_length=64)],
    password: Annotated[str, Form(max_length=256)],
    refresh_mode: RefreshMode = None,
) -> TokenPair:
    client = request.client.host if request.client else ""
    issued = await service.login(session, username, password, client)
    return _pair(issued, request, response, cookie=refresh_mode == "cookie")


@_answers_with_tokens(
    "/auth/refresh",
    "Rotate a refresh token for a new pair",
    {401: {"description": "The refresh token is not valid"}, 403: FOREIGN_ORIGIN},
)
async def refresh(
    request: Request,
    response: Response,
    session: SessionDep,
    body: RefreshRequest | None = None,
) -> TokenPair:
    token = body.refresh_token if body else None
    if token is None:
        _check_origin(request)
        token = request.cookies.get(REFRESH_COOKIE)
        if not token:
            raise Unauthorized("No refresh token was sent.")
        return _pair(await service.refresh(session, token), request, response, cookie=True)
    return _pair(await service.refresh(session, token), request, response, cookie=False)


@router.post(
    "/auth/logout",
    status_code=204,
    dependencies=[Public],
    summary="End my session (by access token, or by the refresh cookie alone)",
    responses={401: {"description": "Neither a valid token nor a cookie"}, 403: FOREIGN_ORIGIN},
)
async def logout(
    request: Request,
    session: SessionDep,
    token: Annotated[str | None, Depends(oauth2_scheme)],
) -> Response:
    cookie = request.cookies.get(REFRESH_COOKIE)
    try:
        principal = await load_principal(token)
        await service.logout(session, principal.user_id, principal.session_id)
    except Unauthorized:
        # An expired access token must not keep a browser signed in: the cookie suffices.
        if not cookie:
            raise
        _check_origin(request)
        await service.logout_by_refresh_token(session, cookie)
    response = Response(status_code=204)
    response.delete_cookie(
        REFRESH_COOKIE, path=REFRESH_COOKIE_PATH, httponly=True, samesite="strict"
    )
    return response


@router.get("/me", response_model=Me, summary="Who I am and where I hold roles")
async def me(principal: CurrentPrincipal) -> Me:
    async with reader() as connection:
        return await service.me(connection, principal)
