"""Statements on app_meta: a plain-SQL read, and the write through the session."""

import json
from typing import Any

from sqlalchemy.dialects.postgresql import insert
from sqlmodel import col

from app.core.repository import Repository
from app.meta.models import AppMeta


class MetaRepository(Repository):
    # ---------------------------------------------------------------- reads (plain SQL)

    async def value(self, key: str) -> Any:
        """The value under `key`; None when there is none. (JSON text, decoded here: a
        read-pool connection has no JSON codec.)"""
        text: str | None = await self.fetchval(
            "SELECT value::text FROM app_meta WHERE key = $1", key
        )
        return None if text is None else json.loads(text)

    # ---------------------------------------------------------------- inside a write

    async def put(self, key: str, value: Any) -> None:
        stmt = insert(AppMeta).values(key=key, value=value)
        await self.session.execute(
            stmt.on_conflict_do_update(index_elements=[col(AppMeta.key)], set_={"value": value})
        )
