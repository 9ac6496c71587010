"""Org units: nesting rules, scoped reads, admin writes."""

import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import asyncpg
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from app.access.deps import Target
from app.access.roles import Perm
from app.access.scope import Principal
from app.audit.service import Audited
from app.core.errors import Conflict, Forbidden, NotFound, Unprocessable
from app.core.pagination import Page, cursor_int, decode_cursor, page_of
from app.orgs.models import TIER_KINDS, OrgKind, OrgUnit, Tier
from app.orgs.repository import OrgRepository
from app.orgs.schemas import OrgCreate, OrgRead, OrgTree, OrgUpdate


async def _unit_paths(connection: asyncpg.Connection, org_id: uuid.UUID) -> list[list[int]] | None:
    path = await OrgRepository(connection).path_of(org_id)
    return None if path is None else [path]


# Routes on one unit check their permission at it (see app.access.deps.Target).
ORG_TARGET = Target("org_id", "Org unit", _unit_paths)

AUDITED = Audited("org", ("id", "name", "kind", "tier", "parent_id", "code", "path"))

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


# ---------------------------------------------------------------- reads


async def _visible_row(
    repo: OrgRepository, principal: Principal, org_id: uuid.UUID
) -> asyncpg.Record:
    row = await repo.read(org_id, within=principal.paths())
    if row is None:
        raise NotFound("Org unit")
    return row


async def read_org(
    connection: asyncpg.Connection, principal: Principal, org_id: uuid.UUID
) -> OrgRead:
    return OrgRead.model_validate(
        dict(await _visible_row(OrgRepository(connection), principal, org_id))
    )


async def list_orgs(
    connection: asyncpg.Connection,
    principal: Principal,
    *,
    parent_id: uuid.UUID | None,
    kind: OrgKind | None,
    q: str | None,
    limit: int,
    cursor: str | None,
) -> Page[OrgRead]:
    after = decode_cursor(cursor, cursor_int)
    rows = await OrgRepository(connection).page(
        principal.paths(),
        parent_id=parent_id,
        kind=kind.value if kind is not None else None,
        name_contains=q,
        after_key=after[0] if after is not None else None,
        limit=limit + 1,
    )
    page = page_of(rows, limit, lambda row: [row["key"]])
    return Page[OrgRead](
        items=[OrgRead.model_validate(dict(row)) for row in page.items],
        next_cursor=page.next_cursor,
    )


async def subtree(
    connection: asyncpg.Connection, principal: Principal, org_id: uuid.UUID
) -> OrgTree:
    repo = OrgRepository(connection)
    root = await _visible_row(repo, principal, org_id)
    nodes: dict[uuid.UUID, OrgTree] = {}
    for row in await repo.subtree(root["path"]):  # in tree order: parents before children
        node = OrgTree.model_validate({**row, "children": []})
        nodes[row["id"]] = node
        if row["id"] != root["id"] and row["parent_id"] in nodes:
            nodes[row["parent_id"]].children.append(node)
    return nodes[root["id"]]


# ---------------------------------------------------------------- writes


async def get_visible(session: AsyncSession, principal: Principal, org_id: uuid.UUID) -> OrgUnit:
    """The unit `org_id`, for a write; 404 unless the caller can see it."""
    org = await (await OrgRepository.writing(session)).get(org_id)
    if org is None or not principal.sees(org.path):
        raise NotFound("Org unit")
    return org


async def _read_back(session: AsyncSession, org_id: uuid.UUID) -> OrgRead:
    row = await (await OrgRepository.writing(session)).read(org_id)
    assert row is not None  # written in this transaction
    return OrgRead.model_validate(dict(row))


@contextmanager
def _code_is_free() -> Iterator[None]:
    try:
        yield
    except IntegrityError as exc:
        raise Conflict("Another unit already uses this code.") from exc


async def create_org(session: AsyncSession, principal: Principal, data: OrgCreate) -> OrgRead:
    parent = await get_visible(session, principal, data.parent_id)
    if not principal.may(Perm.org_manage, parent.path):
        raise Forbidden("Only an admin of the parent unit may add units under it.")
    org = await insert_org(
        session,
        name=data.name,
        kind=data.kind,
        parent=parent,
        code=data.code,
        actor_id=principal.user_id,
    )
    return await _read_back(session, org.id)


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
    repo = await OrgRepository.writing(session)
    key = await repo.next_key()
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
    with _code_is_free():
        await repo.insert(org)
    await AUDITED.created(session, org, actor_id=actor_id, org_path=org.path)
    return org


async def update_org(
    session: AsyncSession, principal: Principal, org_id: uuid.UUID, data: OrgUpdate
) -> OrgRead:
    org = await get_visible(session, principal, org_id)
    if not principal.may(Perm.org_manage, org.path):
        raise Forbidden("Only an admin of this unit may change it.")
    before = AUDITED.snapshot(org)
    changes = data.model_dump(exclude_unset=True)
    with _code_is_free():
        await (await OrgRepository.writing(session)).update(org, changes)
    await AUDITED.updated(session, org, before, actor_id=principal.user_id, org_path=org.path)
    return await _read_back(session, org.id)
