"""Users: visible to admins through grants in their scope, or because they created them."""

import uuid

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from app.access.roles import Perm
from app.access.scope import Principal
from app.audit.service import record, snapshot
from app.auth.passwords import hash_password
from app.auth.service import revoke_user_sessions
from app.core.errors import Conflict, Forbidden, NotFound, Unprocessable
from app.core.models import utcnow
from app.core.pagination import Page, decode_cursor, page_of
from app.grants.models import Grant
from app.orgs.models import OrgUnit
from app.users.models import User
from app.users.schemas import UserCreate, UserUpdate

AUDIT_FIELDS = ("id", "username", "display_name", "is_active")


def _grants_of_user() -> sa.Select[int]:
    return (
        sa.select(sa.literal(1))
        .select_from(Grant)
        .join(OrgUnit, col(OrgUnit.id) == col(Grant.org_id))
        .where(col(Grant.user_id) == col(User.id))
    )


def visible_to(principal: Principal, perm: Perm = Perm.user_read) -> sa.ColumnElement[bool]:
    """Users holding a grant inside the caller's scope for `perm`, or created by the
    caller and holding no grant yet."""
    in_scope = _grants_of_user().where(principal.within(col(OrgUnit.path), perm=perm)).exists()
    orphan_of_mine = sa.and_(col(User.created_by) == principal.user_id, ~_grants_of_user().exists())
    return sa.or_(in_scope, orphan_of_mine) if principal.may_anywhere(perm) else sa.false()


def _fully_managed_by(principal: Principal) -> sa.ColumnElement[bool]:
    """Every grant the user holds lies inside the caller's user-management scope."""
    outside = _grants_of_user().where(~principal.within(col(OrgUnit.path), perm=Perm.user_manage))
    return sa.and_(visible_to(principal, Perm.user_manage), ~outside.exists())


def _admin_home(principal: Principal) -> tuple[int, ...]:
    """Where a user change is filed in the audit log: the acting admin's scope, so the
    admins above that scope see it."""
    return principal.paths(Perm.user_manage)[0]


async def get_visible(session: AsyncSession, principal: Principal, user_id: uuid.UUID) -> User:
    user: User | None = (
        await session.execute(sa.select(User).where(col(User.id) == user_id, visible_to(principal)))
    ).scalar_one_or_none()
    if user is None:
        raise NotFound("User")
    return user


async def list_users(
    session: AsyncSession,
    principal: Principal,
    *,
    q: str | None,
    is_active: bool | None,
    limit: int,
    cursor: str | None,
) -> Page[User]:
    query = sa.select(User).where(visible_to(principal))
    if q:
        query = query.where(
            sa.or_(
                col(User.username).contains(q, autoescape=True),
                col(User.display_name).contains(q, autoescape=True),
            )
        )
    if is_active is not None:
        query = query.where(col(User.is_active) == is_active)
    after = decode_cursor(cursor, 1)
    if after is not None:
        query = query.where(col(User.username) > str(after[0]))
    query = query.order_by(col(User.username)).limit(limit + 1)
    rows = list((await session.execute(query)).scalars().all())
    return page_of(rows, limit, lambda u: [u.username])


async def create_user(session: AsyncSession, principal: Principal, data: UserCreate) -> User:
    user = User(
        username=data.username,
        display_name=data.display_name,
        password_hash=await hash_password(data.password),
        is_active=data.is_active,
        created_by=principal.user_id,
    )
    session.add(user)
    try:
        await session.flush()
    except IntegrityError as exc:
        raise Conflict("That username is taken.") from exc
    await record(
        session,
        action="user.create",
        entity_type="user",
        entity_id=user.id,
        actor_id=principal.user_id,
        org_path=_admin_home(principal),
        after=snapshot(user, AUDIT_FIELDS),
    )
    return user


async def update_user(
    session: AsyncSession, principal: Principal, user_id: uuid.UUID, data: UserUpdate
) -> User:
    user = await get_visible(session, principal, user_id)
    managed = (
        await session.execute(
            sa.select(_fully_managed_by(principal)).where(col(User.id) == user.id)
        )
    ).scalar_one()
    if not managed:
        raise Forbidden("This user holds grants outside your administration scope.")
    changes = data.model_dump(exclude_unset=True)
    if user.id == principal.user_id and changes.get("is_active") is False:
        raise Forbidden("You cannot deactivate yourself.")
    if any(changes.get(f, 0) is None for f in ("display_name", "is_active")):
        raise Unprocessable("display_name and is_active cannot be null.")
    before = snapshot(user, AUDIT_FIELDS)
    if "display_name" in changes:
        user.display_name = changes["display_name"]
    if changes.get("password") is not None:
        user.password_hash = await hash_password(changes["password"])
    if "is_active" in changes:
        user.is_active = changes["is_active"]
    user.updated_at = utcnow()
    await session.flush()
    after = snapshot(user, AUDIT_FIELDS)
    if "password" in changes:
        after["password_changed"] = True
    await record(
        session,
        action="user.update",
        entity_type="user",
        entity_id=user.id,
        actor_id=principal.user_id,
        org_path=_admin_home(principal),
        before=before,
        after=after,
    )
    if not user.is_active or "password" in changes:
        # Deactivation or a new password ends every session of that user at once.
        await revoke_user_sessions(
            session,
            user.id,
            reason="deactivated" if not user.is_active else "password-changed",
            actor_id=principal.user_id,
        )
    return user
