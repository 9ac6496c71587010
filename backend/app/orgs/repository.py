"""Every statement on org_units."""

import uuid
from collections.abc import Sequence

import asyncpg
import sqlalchemy as sa
from sqlmodel import col

from app.core.models import PathType
from app.core.repository import Repository
from app.core.sql import contains_pattern
from app.orgs.models import TIER_KINDS, OrgUnit

_TIER_KIND_VALUES = [k.value for k in TIER_KINDS]


class OrgRepository(Repository):
    # ---------------------------------------------------------------- reads (plain SQL)

    async def path_of(self, org_id: uuid.UUID) -> list[int] | None:
        path: list[int] | None = await (await self.connection()).fetchval(
            "SELECT path FROM org_units WHERE id = $1", org_id
        )
        return path

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
        rows: list[asyncpg.Record] = await (await self.connection()).fetch(
            "SELECT id, name, kind, tier, parent_id, code, path FROM org_units"
            f" WHERE {where} ORDER BY path LIMIT $4",
            *params,
        )
        return rows

    # ---------------------------------------------------------------- inside a write

    async def get(self, org_id: uuid.UUID) -> OrgUnit | None:
        org: OrgUnit | None = (
            await self.session.execute(sa.select(OrgUnit).where(col(OrgUnit.id) == org_id))
        ).scalar_one_or_none()
        return org

    async def at_path(self, path: Sequence[int]) -> OrgUnit:
        org: OrgUnit = (
            await self.session.execute(
                sa.select(OrgUnit).where(col(OrgUnit.path) == sa.literal(list(path), PathType))
            )
        ).scalar_one()
        return org

    async def tier_units_on(self, path: Sequence[int], limit: int) -> list[OrgUnit]:
        """The tier units (prefecture ... community) among the unit at `path` and its
        ancestors, nearest first: at most `limit`."""
        return list(
            (
                await self.session.execute(
                    sa.select(OrgUnit)
                    .where(
                        col(OrgUnit.key).in_(list(path)),
                        col(OrgUnit.kind).in_(_TIER_KIND_VALUES),
                    )
                    .order_by(sa.func.cardinality(col(OrgUnit.path)).desc())
                    .limit(limit)
                )
            ).scalars()
        )
