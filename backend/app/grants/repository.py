"""Every statement on grants."""

import uuid
from collections.abc import Sequence

import sqlalchemy as sa
from sqlmodel import col

from app.access.scope import path_range
from app.core.repository import Repository
from app.grants.models import Grant
from app.orgs.models import OrgUnit
from app.users.models import User


class GrantRepository(Repository):
    # ---------------------------------------------------------------- reads (plain SQL)

    async def unit_path_of(self, grant_id: uuid.UUID) -> list[int] | None:
        """The path of the unit the grant is held at."""
        path: list[int] | None = await (await self.connection()).fetchval(
            "SELECT o.path FROM grants g JOIN org_units o ON o.id = g.org_id WHERE g.id = $1",
            grant_id,
        )
        return path

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
