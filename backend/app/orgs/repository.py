"""Statements on org_units: plain-SQL reads (see app.core.repository), and through the
session the writes and the lookups they depend on.

"""

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import asyncpg
import sqlalchemy as sa
from sqlmodel import col

from app.access.scope import Path
from app.core.models import utcnow
from app.core.repository import Repository
from app.core.sql import Statement, contains_pattern
from app.orgs.models import TIER_KINDS, OrgUnit

_TIER_KIND_VALUES = [k.value for k in TIER_KINDS]
UNIT_COLUMNS = "id, key, name, kind, tier, path"


@dataclass(frozen=True)
class Unit:
    """A unit as other domains' rules read it: where it stands in the tree."""

    id: uuid.UUID
    key: int
    name: str
    kind: str
    tier: str
    path: list[int]


# A unit as the API shows it (OrgRead, OrgTree), with its path for scope checks.
COLUMNS = "id, name, kind, tier, parent_id, code, path"


class OrgRepository(Repository):
    # ---------------------------------------------------------------- reads (plain SQL)

    async def path_of(self, org_id: uuid.UUID) -> list[int] | None:
        path: list[int] | None = await self.fetchval(
            "SELECT path FROM org_units WHERE id = $1", org_id
        )
        return path

    async def read(
        self, org_id: uuid.UUID, *, within: Sequence[Path] | None = None
    ) -> asyncpg.Record | None:
        """The unit `org_id`; with `within`, only if it lies in one of those subtrees."""
        where = Statement(org_id)
        where.where("id = $1")
        if within is not None:
            where.within(within, "path")
        return await where.row(await self.connection(), f"SELECT {COLUMNS} FROM org_units")

    async def page(
        self,
        within: Sequence[Path],
        *,
        parent_id: uuid.UUID | None,
        kind: str | None,
        name_contains: str | None,
        after_key: int | None,
        limit: int,
    ) -> list[asyncpg.Record]:
        """Units in the subtrees at `within`, by key, after `after_key`: at most `limit`."""
        where = Statement()
        where.within(within, "path")
        where.equals("parent_id", parent_id)
        where.equals("kind", kind)
        where.contains(name_contains, "name")
        if after_key is not None:
            where.where(f"key > {where.param(after_key)}")
        return await where.page(
            await self.connection(), f"SELECT key, {COLUMNS} FROM org_units", "key", limit
        )

    async def subtree(self, path: Sequence[int]) -> list[asyncpg.Record]:
        """The unit at `path` and every unit below it, in tree order (parents first)."""
        where = Statement()
        where.within([tuple(path)], "path")
        return await where.rows(
            await self.connection(), f"SELECT {COLUMNS} FROM org_units", "ORDER BY path"
        )

    async def names(self, org_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, asyncpg.Record]:
        """Name and kind of each of `org_ids`, by id."""
        rows = await self.fetch(
            "SELECT id, name, kind FROM org_units WHERE id = ANY($1::uuid[])", list(org_ids)
        )
        return {row["id"]: row for row in rows}

    async def unit(self, org_id: uuid.UUID) -> Unit | None:
        row = await self.fetchrow(f"SELECT {UNIT_COLUMNS} FROM org_units WHERE id = $1", org_id)
        return None if row is None else Unit(**row)

    async def unit_at(self, path: Sequence[int]) -> Unit:
        row = await self.fetchrow(
            f"SELECT {UNIT_COLUMNS} FROM org_units WHERE path = $1", list(path)
        )
        return Unit(**row)

    async def tier_units_on(self, path: Sequence[int], limit: int) -> list[Unit]:
        """The tier units (prefecture ... community) among the unit at `path` and its
        ancestors, nearest first: at most `limit`."""
        rows = await self.fetch(
            f"SELECT {UNIT_COLUMNS} FROM org_units WHERE key = ANY($1::int[])"
            " AND kind = ANY($2::text[]) ORDER BY cardinality(path) DESC LIMIT $3",
            list(path),
            _TIER_KIND_VALUES,
            limit,
        )
        return [Unit(**row) for row in rows]

    async def units_within(
        self,
        root: Sequence[int],
        *,
        exclude_id: uuid.UUID,
        name_contains: str | None,
        after_path: Sequence[int] | None,
        limit: int,
    ) -> list[asyncpg.Record]:
        """Units in the subtree at `root` but `exclude_id`, in tree order, after
        `after_path`: at most `limit` rows."""
        next_sibling = [*root[:-1], root[-1] + 1]
        params: list[object] = [list(root), next_sibling, exclude_id, limit]
        where = "path >= $1 AND path < $2 AND id <> $3"
        if name_contains:
            params.append(contains_pattern(name_contains))
            where += f" AND name ILIKE ${len(params)} ESCAPE '\\'"
        if after_path is not None:
            params.append(list(after_path))
            where += f" AND path > ${len(params)}"
        rows: list[asyncpg.Record] = await self.fetch(
            f"SELECT {COLUMNS} FROM org_units WHERE {where} ORDER BY path LIMIT $4",
            *params,
        )
        return rows

    # ---------------------------------------------------------------- inside a write

    async def get(self, org_id: uuid.UUID) -> OrgUnit | None:
        org: OrgUnit | None = (
            await self.session.execute(sa.select(OrgUnit).where(col(OrgUnit.id) == org_id))
        ).scalar_one_or_none()
        return org

    async def any_exist(self) -> bool:
        found = await self.session.execute(sa.select(sa.literal(1)).select_from(OrgUnit).limit(1))
        return found.first() is not None

    async def next_key(self) -> int:
        """A fresh `key` (the unit's own last path element), drawn before the insert."""
        key: int = (
            await self.session.execute(
                sa.text("SELECT nextval(pg_get_serial_sequence('org_units', 'key'))")
            )
        ).scalar_one()
        return key

    async def insert(self, org: OrgUnit) -> None:
        """Raises IntegrityError when the code is taken."""
        self.session.add(org)
        await self.session.flush()

    async def update(self, org: OrgUnit, changes: dict[str, Any]) -> None:
        """Raises IntegrityError when a new code is taken."""
        for field, value in changes.items():
            setattr(org, field, value)
        org.updated_at = utcnow()
        await self.session.flush()
