"""The platform-core authorization matrix, as data.

Each entry maps a route (method, path template) to the expected status for every
(role, position of the target relative to the caller's grant at street S11).
"""

from collections.abc import Callable

from app.access.roles import Role

Expect = Callable[[Role, str], int]
IN_SCOPE = {"self", "descendant"}


def scoped(ok: int, *, allowed: set[Role]) -> Expect:
    """ok for allowed roles in scope, 403 for other roles in scope, 404 out of scope."""

    def expect(role: Role, position: str) -> int:
        if position not in IN_SCOPE:
            return 404
        return ok if role in allowed else 403

    return expect


def admin_only(ok: int) -> Expect:
    """Routes whose permission non-admins hold nowhere and whose target the route's path
    does not name: 403 for them at any position."""

    def expect(role: Role, position: str) -> int:
        if role != Role.admin:
            return 403
        return ok if position in IN_SCOPE else 404

    return expect


def everyone_in_scope(ok: int) -> Expect:
    return scoped(ok, allowed=set(Role))


# Routes whose answer depends on where the target stands.
POSITIONAL: dict[tuple[str, str], Expect] = {
    ("GET", "/api/v1/orgs/{org_id}"): everyone_in_scope(200),
    ("GET", "/api/v1/orgs/{org_id}/tree"): everyone_in_scope(200),
    ("PATCH", "/api/v1/orgs/{org_id}"): scoped(200, allowed={Role.admin}),
    # The parent unit is named in the body, not the path: the dependency checks that the
    # caller may add units somewhere (403), the service that the parent is in scope (404).
    ("POST", "/api/v1/orgs"): admin_only(201),
    ("GET", "/api/v1/users/{user_id}"): admin_only(200),
    ("PATCH", "/api/v1/users/{user_id}"): admin_only(200),
    ("POST", "/api/v1/grants"): admin_only(201),  # the unit is in the body, as above
    ("DELETE", "/api/v1/grants/{grant_id}"): scoped(204, allowed={Role.admin}),
}

# Collection routes: who may call them; lists are also checked against a reference set.
COLLECTION: dict[tuple[str, str], set[Role]] = {
    ("GET", "/api/v1/orgs"): set(Role),
    ("GET", "/api/v1/users"): {Role.admin},
    ("POST", "/api/v1/users"): {Role.admin},
    ("GET", "/api/v1/grants"): {Role.admin},
    ("GET", "/api/v1/audit"): {Role.admin, Role.leader},
    ("GET", "/api/v1/me"): set(Role),
}

PUBLIC_ROUTES = {
    ("POST", "/api/v1/auth/token"),
    ("POST", "/api/v1/auth/refresh"),
    # Signs out by access token or, when that has expired, by the refresh cookie alone.
    ("POST", "/api/v1/auth/logout"),
    ("GET", "/api/v1/health"),
    ("GET", "/api/v1/health/ready"),
    # Redirect to the document at /api/v1/openapi.json.
    ("GET", "/openapi.json"),
    ("HEAD", "/openapi.json"),
}

CORE_ROUTES = set(POSITIONAL) | set(COLLECTION) | PUBLIC_ROUTES
