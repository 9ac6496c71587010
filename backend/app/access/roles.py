"""The role -> permission table. Data, not code paths: tests read it directly."""

from enum import StrEnum


class Role(StrEnum):
    admin = "admin"
    leader = "leader"
    officer = "officer"
    observer = "observer"
    liaison = "liaison"


class Perm(StrEnum):
    org_read = "org.read"
    org_manage = "org.manage"
    user_read = "user.read"
    user_manage = "user.manage"
    grant_read = "grant.read"
    grant_manage = "grant.manage"
    audit_read = "audit.read"


_READ = {Perm.org_read}

ROLE_PERMISSIONS: dict[Role, frozenset[Perm]] = {
    Role.admin: frozenset(
        _READ
        | {
            Perm.org_manage,
            Perm.user_read,
            Perm.user_manage,
            Perm.grant_read,
            Perm.grant_manage,
            Perm.audit_read,
        }
    ),
    Role.leader: frozenset(_READ | {Perm.audit_read}),
    Role.officer: frozenset(_READ),
    Role.observer: frozenset(_READ),
    Role.liaison: frozenset(_READ),
}


def role_has(role: str, perm: Perm) -> bool:
    return perm in ROLE_PERMISSIONS.get(Role(role), frozenset())
