"""Dependencies that authenticate the caller and declare each route's permission.

Every route states what it needs with `requires(...)` (or `Public`); a test walks the
app's routes and fails on any route without a declaration, and another calls each one
without its permission to see the dependency refuse.
"""

import uuid
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Annotated, Any

import asyncpg
from fastapi import Depends, Request
from fastapi.security import OAuth2PasswordBearer

from app.access.roles import Perm, Role
from app.access.scope import GrantScope, Principal
from app.auth.repository import AuthRepository
from app.auth.tokens import InvalidToken, decode_access_token
from app.core.db import reader
from app.core.errors import Forbidden, NotFound, Unauthorized

oauth2_scheme = OAuth2PasswordBearer(tokenUrl="/api/v1/auth/token", auto_error=False)

AUTHENTICATED = "authenticated"
PUBLIC = "public"


async def load_principal(token: str | None) -> Principal:
    """Read the caller and their grants from the database: revocations apply at once."""
    if not token:
        raise Unauthorized()
    try:
        claims = decode_access_token(token)
    except InvalidToken as exc:
        raise Unauthorized("The access token is not valid.") from exc
    async with reader() as connection:
        rows = await AuthRepository(connection).caller(claims.user_id, claims.session_id)
    if not rows or not rows[0]["is_active"] or rows[0]["revoked_at"] is not None:
        raise Unauthorized("The session has ended; sign in again.")
    first = rows[0]
    grants = tuple(
        GrantScope(
            grant_id=r["grant_id"], org_id=r["org_id"], role=Role(r["role"]), path=tuple(r["path"])
        )
        for r in rows
        if r["grant_id"] is not None
    )
    return Principal(
        user_id=first["id"],
        username=first["username"],
        display_name=first["display_name"],
        session_id=claims.session_id,
        grants=grants,
    )


@dataclass(frozen=True)
class Target:
    """The object a route acts on, named by one of its path or query parameters.

    `parties(connection, id)` gives the paths of the units the object belongs to (a unit's
    own path; a task's issuer and assignee), or None when there is no such object. The
    caller can read it when `read_perm` (or, when None, any grant) covers one of them.
    """

    param: str
    what: str
    parties: Callable[[asyncpg.Connection, uuid.UUID], Awaitable[Sequence[Sequence[int]] | None]]
    read_perm: Perm | None = None


class PermissionRequired(Forbidden):
    def __init__(self, permission: str) -> None:
        super().__init__(
            f"Your roles do not allow this (it needs {permission}).",
            extra={"required_permission": permission},
        )


def _target_id(request: Request, param: str) -> uuid.UUID | None:
    """The target's id; None when absent or malformed (the route's own validation then
    answers 422)."""
    raw = request.path_params.get(param) or request.query_params.get(param)
    try:
        return uuid.UUID(raw) if raw else None
    except ValueError:
        return None


class PermissionGate:
    """Authenticates the caller and enforces the route's permission: at the route's
    target when it names one (404 when the caller cannot read the target, 403 when they
    can but lack the permission there), otherwise in at least one of their grants."""

    def __init__(self, permission: str, target: Target | None) -> None:
        self.permission = permission
        self.target = target

    async def __call__(
        self, request: Request, token: Annotated[str | None, Depends(oauth2_scheme)]
    ) -> Principal:
        principal = await load_principal(token)
        if self.permission == AUTHENTICATED:
            return principal
        perm = Perm(self.permission)
        target_id = _target_id(request, self.target.param) if self.target else None
        if self.target is None or target_id is None:
            if not principal.may_anywhere(perm):
                raise PermissionRequired(perm)
            return principal
        async with reader() as connection:
            parties = await self.target.parties(connection, target_id)
        read_perm = self.target.read_perm
        if not parties or not any(
            principal.sees(path) if read_perm is None else principal.may(read_perm, path)
            for path in parties
        ):
            raise NotFound(self.target.what)
        if not any(principal.may(perm, path) for path in parties):
            raise PermissionRequired(perm)
        return principal


def requires(permission: Perm | str, *, target: Target | None = None) -> Any:
    """A route's declared permission: `principal: Annotated[Principal, requires(...)]`.

    The dependency enforces it at `target` when given, else in any of the caller's grants;
    the services still check scope and side on top.
    """
    return Depends(PermissionGate(str(permission), target))


class PublicGate:
    permission = PUBLIC

    async def __call__(self) -> None:
        return None


Public = Depends(PublicGate())
CurrentPrincipal = Annotated[Principal, requires(AUTHENTICATED)]


def declared_gate(route: Any) -> "PermissionGate | PublicGate | None":
    """The gate a route declared, found anywhere in its dependency tree."""
    stack = [route.dependant]
    while stack:
        dep = stack.pop()
        gate = getattr(dep, "call", None)
        if isinstance(gate, PermissionGate | PublicGate):
            return gate
        stack.extend(dep.dependencies)
    return None


def declared_permission(route: Any) -> str | None:
    """The permission a route declared, found anywhere in its dependency tree."""
    gate = declared_gate(route)
    return gate.permission if gate is not None else None
