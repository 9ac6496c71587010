"""Statements on grants: plain-SQL reads (see app.core.repository), and through the
session the writes and the lookups they depend on."""

import uuid
from collections.abc import Sequence
from datetime import datetime

import asyncpg
import sqlalchemy as sa
from sqlmodel import col

from app.access.roles import PEOPLE_ROLES
from app.access.scope import Path, path_range
from app.core.repository import Repository
from app.core.sql import Statement
from app.grants.models import Grant
from app.orgs.models import OrgUnit
from app.users.models import User

_PEOPLE_ROLES = ", ".join(f"'{role.value}'" for role in PEOPLE_ROLES)


def has_people(unit_id: str) -> str:
    """SQL: the unit whose id is the expression `unit_id` has people (an active user with a
    role of PEOPLE_ROLES there): it has logins."""
    return (
        "EXISTS (SELECT 1 FROM grants people JOIN users person ON person.id = people.user_id"
        f" WHERE people.org_id = {unit_id} AND person.is_active"
        f" AND people.role IN ({_PEOPLE_ROLES}))"
    )


# A grant as the API shows it (GrantRead).
COLUMNS = "g.id, g.user_id, g.org_id, g.role, g.created_at"


class GrantRepository(Repository):
    # ---------------------------------------------------------------- reads (plain SQL)

    async def unit_path_of(self, grant_id: uuid.UUID) -> list[int] | None:
        """The path of the unit the grant is held at."""
        path: list[int] | None = await self.fetchval(
            "SELECT o.path FROM grants g JOIN org_units o ON o.id = g.org_id WHERE g.id = $1",
            grant_id,
        )
        return path

    async def read(self, grant_id: uuid.UUID) -> asyncpg.Record | None:
        row: asyncpg.Record | None = await self.fetchrow(
            f"SELECT {COLUMNS} FROM grants g WHERE g.id = $1", grant_id
        )
        return row

    async def page(
        self,
        within: Sequence[Path],
        *,
        user_id: uuid.UUID | None,
        org_id: uuid.UUID | None,
        role: str | None,
        after: tuple[datetime, uuid.UUID] | None,
        limit: int,
    ) -> list[asyncpg.Record]:
        """Grants held at units in the subtrees at `within`, by (created_at, id), after
        `after`: at most `limit`."""
        where = Statement()
        where.within(within, "o.path")
        where.equals("g.user_id", user_id)
        where.equals("g.org_id", org_id)
        where.equals("g.role", role)
        if after is not None:
            where.where(
                f"(g.created_at, g.id) > ({where.param(after[0])}, {where.param(after[1])})"
            )
        return await where.page(
            await self.connection(),
            f"SELECT {COLUMNS} FROM grants g JOIN org_units o ON o.id = g.org_id",
            "g.created_at, g.id",
            limit,
        )

    # ---------------------------------------------------------------- inside a write

    async def has_active_holder_within(self, user_id: uuid.UUID, path: Sequence[int]) -> bool:
        """Whether `user_id` is active and holds a role at the unit at `path` or below."""
        found = (
            await self.session.execute(
                sa.select(sa.literal(1))
                .select_from(Grant)
                .join(OrgUnit, col(OrgUnit.id) == col(Grant.org_id))
                .join(User, col(User.id) == col(Grant.user_id))
                .where(
                    col(Grant.user_id) == user_id,
                    col(User.is_active),
                    path_range(col(OrgUnit.path), tuple(path)),
                )
                .limit(1)
            )
        ).first()
        return found is not None

    async def held_at(self, grant_id: uuid.UUID) -> tuple[Grant, list[int]] | None:
        """The grant and the path of the unit it is held at."""
        row = (
            await self.session.execute(
                sa.select(Grant, col(OrgUnit.path))
                .join(OrgUnit, col(OrgUnit.id) == col(Grant.org_id))
                .where(col(Grant.id) == grant_id)
            )
        ).one_or_none()
        return None if row is None else (row[0], row[1])

    async def insert(self, grant: Grant) -> None:
        """Raises IntegrityError when the user already holds the role at the unit."""
        self.session.add(grant)
        await self.session.flush()

    async def delete(self, grant: Grant) -> None:
        await self.session.delete(grant)
        await self.session.flush()
