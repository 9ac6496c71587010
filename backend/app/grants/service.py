"""Grants: only an admin whose scope covers the unit may create or delete one."""

import uuid

import asyncpg
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from app.access.deps import Target
from app.access.roles import Perm
from app.access.scope import Principal
from app.audit.service import record, snapshot
from app.core.errors import Conflict, Forbidden, NotFound
from app.core.pagination import Page, decode_cursor, page_of
from app.grants.models import Grant
from app.grants.repository import GrantRepository
from app.grants.schemas import GrantCreate
from app.orgs import service as orgs
from app.orgs.models import OrgUnit
from app.users import service as users


async def _unit_paths(
    connection: asyncpg.Connection, grant_id: uuid.UUID
) -> list[list[int]] | None:
    path = await GrantRepository(connection).unit_path_of(grant_id)
    return None if path is None else [path]


# A grant is acted on where it is held (see app.access.deps.Target).
GRANT_TARGET = Target("grant_id", "Grant", _unit_paths)

AUDIT_FIELDS = ("id", "user_id", "org_id", "role")


async def list_grants(
    session: AsyncSession,
    principal: Principal,
    *,
    user_id: uuid.UUID | None,
    org_id: uuid.UUID | None,
    role: str | None,
    limit: int,
    cursor: str | None,
) -> Page[Grant]:
    query = (
        sa.select(Grant)
        .join(OrgUnit, col(OrgUnit.id) == col(Grant.org_id))
        .where(principal.within(col(OrgUnit.path), perm=Perm.grant_read))
    )
    if user_id is not None:
        query = query.where(col(Grant.user_id) == user_id)
    if org_id is not None:
        query = query.where(col(Grant.org_id) == org_id)
    if role is not None:
        query = query.where(col(Grant.role) == role)
    after = decode_cursor(cursor, 2)
    if after is not None:
        query = query.where(
            sa.tuple_(col(Grant.created_at), col(Grant.id))
            > sa.tuple_(
                sa.literal(after[0], sa.DateTime(timezone=True)), sa.literal(uuid.UUID(after[1]))
            )
        )
    query = query.order_by(col(Grant.created_at), col(Grant.id)).limit(limit + 1)
    rows = list((await session.execute(query)).scalars().all())
    return page_of(rows, limit, lambda g: [g.created_at.isoformat(), str(g.id)])


async def create_grant(session: AsyncSession, principal: Principal, data: GrantCreate) -> Grant:
    org = await orgs.get_visible(session, principal, data.org_id)
    if not principal.may(Perm.grant_manage, org.path):
        raise Forbidden("Only an admin whose scope covers this unit may grant roles there.")
    if data.user_id == principal.user_id:
        raise Forbidden("You cannot change your own rights.")
    await users.get_visible(session, principal, data.user_id)
    grant = Grant(
        user_id=data.user_id, org_id=org.id, role=data.role.value, created_by=principal.user_id
    )
    session.add(grant)
    try:
        await session.flush()
    except IntegrityError as exc:
        raise Conflict("The user already holds this role at this unit.") from exc
    await record(
        session,
        action="grant.create",
        entity_type="grant",
        entity_id=grant.id,
        actor_id=principal.user_id,
        org_path=org.path,
        after=snapshot(grant, AUDIT_FIELDS),
    )
    return grant


async def delete_grant(session: AsyncSession, principal: Principal, grant_id: uuid.UUID) -> None:
    row = (
        await session.execute(
            sa.select(Grant, col(OrgUnit.path))
            .join(OrgUnit, col(OrgUnit.id) == col(Grant.org_id))
            .where(col(Grant.id) == grant_id, principal.within(col(OrgUnit.path)))
        )
    ).one_or_none()
    if row is None:
        raise NotFound("Grant")
    grant, path = row
    if not principal.may(Perm.grant_manage, path):
        raise Forbidden("Only an admin whose scope covers this unit may remove its grants.")
    if grant.user_id == principal.user_id:
        raise Forbidden("You cannot change your own rights.")
    before = snapshot(grant, AUDIT_FIELDS)
    await session.delete(grant)
    await session.flush()
    await record(
        session,
        action="grant.delete",
        entity_type="grant",
        entity_id=grant_id,
        actor_id=principal.user_id,
        org_path=path,
        before=before,
    )
