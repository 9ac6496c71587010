"""Dependencies that authenticate the caller and declare each route's permission.

Every route states what it needs with `Requires(...)` (or `Public`); a test walks the
app's routes and fails on any route without a declaration.
"""

from collections.abc import Sequence
from typing import Annotated, Any

from fastapi import Depends
from fastapi.security import OAuth2PasswordBearer

from app.access.roles import Perm, Role
from app.access.scope import GrantScope, Principal
from app.auth.tokens import InvalidToken, decode_access_token
from app.core.db import reader
from app.core.errors import Forbidden, Unauthorized

oauth2_scheme = OAuth2PasswordBearer(tokenUrl="/api/v1/auth/token", auto_error=False)

AUTHENTICATED = "authenticated"
PUBLIC = "public"


# Plain SQL on the driver connection: this runs on every authenticated request.
_PRINCIPAL_SQL = (
    "SELECT u.id, u.username, u.display_name, u.is_active, s.revoked_at,"
    " g.id AS grant_id, g.org_id, g.role, o.path"
    " FROM users u JOIN auth_sessions s ON s.user_id = u.id"
    " LEFT JOIN grants g ON g.user_id = u.id LEFT JOIN org_units o ON o.id = g.org_id"
    " WHERE u.id = $1 AND s.id = $2"
)


async def load_principal(token: str | None) -> Principal:
    """Read the caller and their grants from the database: revocations apply at once."""
    if not token:
        raise Unauthorized()
    try:
        claims = decode_access_token(token)
    except InvalidToken as exc:
        raise Unauthorized("The access token is not valid.") from exc
    async with reader() as connection:
        rows: Sequence[Any] = await connection.fetch(
            _PRINCIPAL_SQL, claims.user_id, claims.session_id
        )
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


class PermissionGate:
    """Authenticates the caller; `permission` documents what the route checks in scope."""

    def __init__(self, permission: str, *, anywhere: bool) -> None:
        self.permission = permission
        self.anywhere = anywhere

    async def __call__(self, token: Annotated[str | None, Depends(oauth2_scheme)]) -> Principal:
        principal = await load_principal(token)
        if self.anywhere and not principal.may_anywhere(Perm(self.permission)):
            raise Forbidden("Your roles do not allow this.")
        return principal


def requires(permission: Perm | str, *, anywhere: bool = False) -> Any:
    """A route's declared permission: `principal: Annotated[Principal, requires(...)]`.

    With anywhere=True the caller must hold it in at least one grant (collection actions
    such as creating a user); otherwise the service checks it against the target's scope.
    """
    return Depends(PermissionGate(str(permission), anywhere=anywhere))


class PublicGate:
    permission = PUBLIC

    async def __call__(self) -> None:
        return None


Public = Depends(PublicGate())
CurrentPrincipal = Annotated[Principal, requires(AUTHENTICATED)]


def declared_permission(route: Any) -> str | None:
    """The permission a route declared, found anywhere in its dependency tree."""
    stack = [route.dependant]
    while stack:
        dep = stack.pop()
        gate = getattr(dep, "call", None)
        if isinstance(gate, PermissionGate | PublicGate):
            return gate.permission
        stack.extend(dep.dependencies)
    return None
