"""Users: visible to admins through grants in their scope, or because they created them."""

import uuid
from collections.abc import Sequence

import asyncpg
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from app.access.roles import Perm
from app.access.scope import Principal
from app.audit.service import Audited
from app.auth.passwords import hash_password
from app.auth.service import revoke_user_sessions
from app.core.errors import Conflict, Forbidden, NotFound
from app.core.pagination import Page, cursor_text, decode_cursor, page_of
from app.users.models import User
from app.users.repository import UserRepository, VisibleTo
from app.users.schemas import UserCreate, UserRead, UserUpdate

AUDITED = Audited("user", ("id", "username", "display_name", "is_active"))


def _sees(
    principal: Principal, perm: Perm, creator_id: uuid.UUID | None, held: Sequence[Sequence[int]]
) -> bool:
    """Whether the caller sees a user for `perm`: the user holds a grant inside the
    caller's scope for `perm`, or the caller created them and they hold no grant yet.
    (The reads apply the same rule in SQL: see _readable_by.)"""
    if not principal.may_anywhere(perm):
        return False
    if held:
        return any(principal.may(perm, path) for path in held)
    return creator_id == principal.user_id


def _fully_managed(principal: Principal, user: User, held: Sequence[Sequence[int]]) -> bool:
    """Every grant the user holds lies inside the caller's user-management scope."""
    return _sees(principal, Perm.user_manage, user.created_by, held) and all(
        principal.may(Perm.user_manage, path) for path in held
    )


def _admin_home(principal: Principal) -> tuple[int, ...]:
    """Where a user change is filed in the audit log: the acting admin's scope, so the
    admins above that scope see it."""
    return principal.paths(Perm.user_manage)[0]


# ---------------------------------------------------------------- reads


def _readable_by(principal: Principal) -> VisibleTo:
    """_sees(principal, Perm.user_read, ...), for the SQL of a read."""
    return VisibleTo(principal.paths(Perm.user_read), principal.user_id)


async def read_user(
    connection: asyncpg.Connection, principal: Principal, user_id: uuid.UUID
) -> UserRead:
    row = await UserRepository(connection).read(user_id, visible_to=_readable_by(principal))
    if row is None:
        raise NotFound("User")
    return UserRead.model_validate(dict(row))


async def list_users(
    connection: asyncpg.Connection,
    principal: Principal,
    *,
    q: str | None,
    is_active: bool | None,
    limit: int,
    cursor: str | None,
) -> Page[UserRead]:
    after = decode_cursor(cursor, cursor_text)
    rows = await UserRepository(connection).page(
        _readable_by(principal),
        name_contains=q,
        is_active=is_active,
        after_username=after[0] if after is not None else None,
        limit=limit + 1,
    )
    users = [UserRead.model_validate(dict(row)) for row in rows]
    return page_of(users, limit, lambda u: [u.username])


# ---------------------------------------------------------------- writes


async def _visible(
    session: AsyncSession, principal: Principal, user_id: uuid.UUID
) -> tuple[User, list[list[int]]]:
    """The user and the paths where they hold grants, for a write; 404 unless visible."""
    found = await (await UserRepository.writing(session)).with_grant_paths(user_id)
    if found is None or not _sees(principal, Perm.user_read, found[0].created_by, found[1]):
        raise NotFound("User")
    return found


async def get_visible(session: AsyncSession, principal: Principal, user_id: uuid.UUID) -> User:
    return (await _visible(session, principal, user_id))[0]


async def _read_back(session: AsyncSession, user_id: uuid.UUID) -> UserRead:
    row = await (await UserRepository.writing(session)).read(user_id)
    assert row is not None  # written in this transaction
    return UserRead.model_validate(dict(row))


async def create_user(session: AsyncSession, principal: Principal, data: UserCreate) -> UserRead:
    user = User(
        username=data.username,
        display_name=data.display_name,
        password_hash=await hash_password(data.password),
        is_active=data.is_active,
        created_by=principal.user_id,
    )
    try:
        await (await UserRepository.writing(session)).insert(user)
    except IntegrityError as exc:
        raise Conflict("That username is taken.") from exc
    await AUDITED.created(
        session, user, actor_id=principal.user_id, org_path=_admin_home(principal)
    )
    return await _read_back(session, user.id)


async def update_user(
    session: AsyncSession, principal: Principal, user_id: uuid.UUID, data: UserUpdate
) -> UserRead:
    user, held = await _visible(session, principal, user_id)
    if not _fully_managed(principal, user, held):
        raise Forbidden("This user holds grants outside your administration scope.")
    changes = data.model_dump(exclude_unset=True)
    if user.id == principal.user_id and changes.get("is_active") is False:
        raise Forbidden("You cannot deactivate yourself.")
    before = AUDITED.snapshot(user)
    password_sent = "password" in changes
    password = changes.pop("password", None)
    if password is not None:
        changes["password_hash"] = await hash_password(password)
    await (await UserRepository.writing(session)).update(user, changes)
    noted = {"password_changed": True} if password_sent else {}
    await AUDITED.updated(
        session, user, before, actor_id=principal.user_id, org_path=_admin_home(principal), **noted
    )
    if not user.is_active or password_sent:
        # Deactivation or a new password ends every session of that user at once.
        await revoke_user_sessions(
            session,
            user.id,
            reason="deactivated" if not user.is_active else "password-changed",
            actor_id=principal.user_id,
        )
    return await _read_back(session, user.id)
