"""Statements on users: plain-SQL reads (see app.core.repository), and through the
session the writes and the lookups they depend on."""

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import asyncpg
import sqlalchemy as sa
from sqlmodel import col

from app.access.scope import Path, within_sql
from app.core.models import utcnow
from app.core.repository import Repository
from app.core.sql import Statement
from app.grants.models import Grant
from app.orgs.models import OrgUnit
from app.users.models import User

# A user as the API shows it (UserRead).
COLUMNS = "u.id, u.username, u.display_name, u.is_active, u.created_at"


@dataclass(frozen=True)
class VisibleTo:
    """The users a read may show: those holding a grant in the subtrees at `within`, and
    those `creator_id` created that hold no grant yet; nobody when `within` is empty."""

    within: Sequence[Path]
    creator_id: uuid.UUID

    def limit(self, where: Statement) -> None:
        if not self.within:
            where.where("FALSE")
            return
        where.where(
            "(EXISTS (SELECT 1 FROM grants g JOIN org_units o ON o.id = g.org_id"
            f" WHERE g.user_id = u.id AND {within_sql(where.param, self.within, 'o.path')})"
            f" OR (u.created_by = {where.param(self.creator_id)}"
            " AND NOT EXISTS (SELECT 1 FROM grants g WHERE g.user_id = u.id)))"
        )


class UserRepository(Repository):
    # ---------------------------------------------------------------- reads (plain SQL)

    async def read(
        self, user_id: uuid.UUID, *, visible_to: VisibleTo | None = None
    ) -> asyncpg.Record | None:
        """The user `user_id`; with `visible_to`, only if it may show them."""
        where = Statement(user_id)
        where.where("u.id = $1")
        if visible_to is not None:
            visible_to.limit(where)
        return await where.row(await self.connection(), f"SELECT {COLUMNS} FROM users u")

    async def page(
        self,
        visible_to: VisibleTo,
        *,
        name_contains: str | None,
        is_active: bool | None,
        after_username: str | None,
        limit: int,
    ) -> list[asyncpg.Record]:
        """The users `visible_to` may show, by username, after `after_username`: at most
        `limit`."""
        where = Statement()
        visible_to.limit(where)
        where.contains(name_contains, "u.username", "u.display_name")
        where.equals("u.is_active", is_active)
        if after_username is not None:
            where.where(f"u.username > {where.param(after_username)}")
        return await where.page(
            await self.connection(), f"SELECT {COLUMNS} FROM users u", "u.username", limit
        )

    # ---------------------------------------------------------------- inside a write

    async def with_grant_paths(self, user_id: uuid.UUID) -> tuple[User, list[list[int]]] | None:
        """The user and the paths of the units where they hold grants."""
        rows = (
            await self.session.execute(
                sa.select(User, col(OrgUnit.path))
                .outerjoin(Grant, col(Grant.user_id) == col(User.id))
                .outerjoin(OrgUnit, col(OrgUnit.id) == col(Grant.org_id))
                .where(col(User.id) == user_id)
            )
        ).all()
        if not rows:
            return None
        return rows[0][0], [path for _, path in rows if path is not None]

    async def by_username(self, username: str) -> User | None:
        user: User | None = (
            await self.session.execute(sa.select(User).where(col(User.username) == username))
        ).scalar_one_or_none()
        return user

    async def insert(self, user: User) -> None:
        """Raises IntegrityError when the username is taken."""
        self.session.add(user)
        await self.session.flush()

    async def update(self, user: User, changes: dict[str, Any]) -> None:
        for field, value in changes.items():
            setattr(user, field, value)
        user.updated_at = utcnow()
        await self.session.flush()
