"""Org units: nesting rules, scoped reads, admin writes."""

import uuid

import asyncpg
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from app.access.deps import Target
from app.access.roles import Perm
from app.access.scope import Principal, path_range
from app.audit.service import record, snapshot
from app.core.errors import Conflict, Forbidden, NotFound, Unprocessable
from app.core.models import utcnow
from app.core.pagination import Page, decode_cursor, page_of
from app.orgs.models import TIER_KINDS, OrgKind, OrgUnit, Tier
from app.orgs.repository import OrgRepository
from app.orgs.schemas import OrgCreate, OrgTree, OrgUpdate


async def _unit_paths(connection: asyncpg.Connection, org_id: uuid.UUID) -> list[list[int]] | None:
    path = await OrgRepository(connection).path_of(org_id)
    return None if path is None else [path]


# Routes on one unit check their permission at it (see app.access.deps.Target).
ORG_TARGET = Target("org_id", "Org unit", _unit_paths)

AUDIT_FIELDS = ("id", "name", "kind", "tier", "parent_id", "code", "path")

# kind -> the parent kinds it may hang under
ALLOWED_PARENTS: dict[OrgKind, set[OrgKind]] = {
    OrgKind.prefecture: set(),
    OrgKind.county: {OrgKind.prefecture},
    OrgKind.street: {OrgKind.county},
    OrgKind.community: {OrgKind.street},
    OrgKind.department: TIER_KINDS,
    OrgKind.taskforce: TIER_KINDS,
    OrgKind.enterprise: TIER_KINDS,
    OrgKind.group: {OrgKind.taskforce},
}


def check_nesting(kind: OrgKind, parent: OrgUnit | None) -> Tier:
    """Validate where a unit may hang and return its tier."""
    if parent is None:
        if kind != OrgKind.prefecture:
            raise Unprocessable("Only a prefecture can be a root unit.")
        return Tier.prefecture
    allowed = ALLOWED_PARENTS[kind]
    if OrgKind(parent.kind) not in allowed:
        names = ", ".join(sorted(k.value for k in allowed)) or "nothing"
        raise Unprocessable(f"A {kind.value} must hang under: {names}; not a {parent.kind}.")
    return Tier(kind.value) if kind in TIER_KINDS else Tier(parent.tier)


async def get_visible(session: AsyncSession, principal: Principal, org_id: uuid.UUID) -> OrgUnit:
    org: OrgUnit | None = (
        await session.execute(
            sa.select(OrgUnit).where(col(OrgUnit.id) == org_id, principal.within(col(OrgUnit.path)))
        )
    ).scalar_one_or_none()
    if org is None:
        raise NotFound("Org unit")
    return org


async def list_orgs(
    session: AsyncSession,
    principal: Principal,
    *,
    parent_id: uuid.UUID | None,
    kind: OrgKind | None,
    q: str | None,
    limit: int,
    cursor: str | None,
) -> Page[OrgUnit]:
    query = sa.select(OrgUnit).where(principal.within(col(OrgUnit.path)))
    if parent_id is not None:
        query = query.where(col(OrgUnit.parent_id) == parent_id)
    if kind is not None:
        query = query.where(col(OrgUnit.kind) == kind.value)
    if q:
        query = query.where(col(OrgUnit.name).contains(q, autoescape=True))
    after = decode_cursor(cursor, 1)
    if after is not None:
        query = query.where(col(OrgUnit.key) > int(after[0]))
    query = query.order_by(col(OrgUnit.key)).limit(limit + 1)
    rows = list((await session.execute(query)).scalars().all())
    return page_of(rows, limit, lambda o: [o.key])


async def subtree(session: AsyncSession, principal: Principal, org_id: uuid.UUID) -> OrgTree:
    root = await get_visible(session, principal, org_id)
    rows = (
        (
            await session.execute(
                sa.select(OrgUnit)
                .where(path_range(col(OrgUnit.path), tuple(root.path)))
                .order_by(col(OrgUnit.path))
            )
        )
        .scalars()
        .all()
    )
    nodes: dict[uuid.UUID, OrgTree] = {}
    for org in rows:  # sorted by path: parents come before children
        node = OrgTree.model_validate({**snapshot(org, AUDIT_FIELDS), "children": []})
        nodes[org.id] = node
        if org.id != root.id and org.parent_id in nodes:
            nodes[org.parent_id].children.append(node)
    return nodes[root.id]


async def create_org(session: AsyncSession, principal: Principal, data: OrgCreate) -> OrgUnit:
    parent = await get_visible(session, principal, data.parent_id)
    if not principal.may(Perm.org_manage, parent.path):
        raise Forbidden("Only an admin of the parent unit may add units under it.")
    return await insert_org(
        session,
        name=data.name,
        kind=data.kind,
        parent=parent,
        code=data.code,
        actor_id=principal.user_id,
    )


async def insert_org(
    session: AsyncSession,
    *,
    name: str,
    kind: OrgKind,
    parent: OrgUnit | None,
    code: str | None = None,
    actor_id: uuid.UUID | None = None,
) -> OrgUnit:
    """Insert a unit after the nesting check; callers have settled who may do it."""
    tier = check_nesting(kind, parent)
    key = (
        await session.execute(sa.text("SELECT nextval(pg_get_serial_sequence('org_units', 'key'))"))
    ).scalar_one()
    org = OrgUnit(
        key=key,
        name=name,
        kind=kind.value,
        tier=tier.value,
        code=code,
        parent_id=parent.id if parent else None,
        path=[*(parent.path if parent else []), key],
        created_by=actor_id,
    )
    session.add(org)
    await _flush_unique(session)
    await record(
        session,
        action="org.create",
        entity_type="org",
        entity_id=org.id,
        actor_id=actor_id,
        org_path=org.path,
        after=snapshot(org, AUDIT_FIELDS),
    )
    return org


async def update_org(
    session: AsyncSession, principal: Principal, org_id: uuid.UUID, data: OrgUpdate
) -> OrgUnit:
    org = await get_visible(session, principal, org_id)
    if not principal.may(Perm.org_manage, org.path):
        raise Forbidden("Only an admin of this unit may change it.")
    before = snapshot(org, AUDIT_FIELDS)
    changes = data.model_dump(exclude_unset=True)
    if "name" in changes and changes["name"] is None:
        raise Unprocessable("A unit needs a name.")
    for field, value in changes.items():
        setattr(org, field, value)
    org.updated_at = utcnow()
    await _flush_unique(session)
    await record(
        session,
        action="org.update",
        entity_type="org",
        entity_id=org.id,
        actor_id=principal.user_id,
        org_path=org.path,
        before=before,
        after=snapshot(org, AUDIT_FIELDS),
    )
    return org


async def _flush_unique(session: AsyncSession) -> None:
    try:
        await session.flush()
    except IntegrityError as exc:
        raise Conflict("Another unit already uses this code.") from exc
