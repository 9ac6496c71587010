"""Grants: only an admin whose scope covers the unit may create or delete one."""

import uuid
from collections.abc import Sequence
from datetime import datetime

import asyncpg
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from app.access.deps import Target
from app.access.roles import Perm
from app.access.scope import Principal
from app.audit.service import Audited
from app.core.errors import Conflict, Forbidden, NotFound
from app.core.pagination import Page, cursor_time, cursor_uuid, decode_cursor, page_of
from app.grants.models import Grant
from app.grants.repository import GrantRepository
from app.grants.schemas import GrantCreate, GrantRead
from app.orgs import service as orgs
from app.users import service as users


async def _unit_paths(
    connection: asyncpg.Connection, grant_id: uuid.UUID
) -> list[list[int]] | None:
    path = await GrantRepository(connection).unit_path_of(grant_id)
    return None if path is None else [path]


# A grant is acted on where it is held (see app.access.deps.Target).
GRANT_TARGET = Target("grant_id", "Grant", _unit_paths)

AUDITED = Audited("grant", ("id", "user_id", "org_id", "role"))


def _after(cursor: str | None) -> tuple[datetime, uuid.UUID] | None:
    values = decode_cursor(cursor, cursor_time, cursor_uuid)
    return None if values is None else (values[0], values[1])


async def list_grants(
    connection: asyncpg.Connection,
    principal: Principal,
    *,
    user_id: uuid.UUID | None,
    org_id: uuid.UUID | None,
    role: str | None,
    limit: int,
    cursor: str | None,
) -> Page[GrantRead]:
    rows = await GrantRepository(connection).page(
        principal.paths(Perm.grant_read),
        user_id=user_id,
        org_id=org_id,
        role=role,
        after=_after(cursor),
        limit=limit + 1,
    )
    grants = [GrantRead.model_validate(dict(row)) for row in rows]
    return page_of(grants, limit, lambda g: [g.created_at.isoformat(), str(g.id)])


async def create_grant(session: AsyncSession, principal: Principal, data: GrantCreate) -> GrantRead:
    org = await orgs.get_visible(session, principal, data.org_id)
    _check_manages(principal, org.path, "grant roles there")
    if data.user_id == principal.user_id:
        raise Forbidden("You cannot change your own rights.")
    await users.get_visible(session, principal, data.user_id)
    grant = Grant(
        user_id=data.user_id, org_id=org.id, role=data.role.value, created_by=principal.user_id
    )
    repo = await GrantRepository.writing(session)
    try:
        await repo.insert(grant)
    except IntegrityError as exc:
        raise Conflict("The user already holds this role at this unit.") from exc
    await AUDITED.created(session, grant, actor_id=principal.user_id, org_path=org.path)
    row = await repo.read(grant.id)
    assert row is not None  # written in this transaction
    return GrantRead.model_validate(dict(row))


async def delete_grant(session: AsyncSession, principal: Principal, grant_id: uuid.UUID) -> None:
    repo = await GrantRepository.writing(session)
    found = await repo.held_at(grant_id)
    if found is None or not principal.sees(found[1]):
        raise NotFound("Grant")
    grant, path = found
    _check_manages(principal, path, "remove its grants")
    if grant.user_id == principal.user_id:
        raise Forbidden("You cannot change your own rights.")
    before = AUDITED.snapshot(grant)
    await repo.delete(grant)
    await AUDITED.deleted(
        session, grant_id, before=before, actor_id=principal.user_id, org_path=path
    )


def _check_manages(principal: Principal, path: Sequence[int], to: str) -> None:
    if not principal.may(Perm.grant_manage, path):
        raise Forbidden(f"Only an admin whose scope covers this unit may {to}.")
