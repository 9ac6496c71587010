"""Every statement on audit_log: entries are added on the session's connection, in the
transaction of the change they record, and read as plain SQL."""

import json
import uuid
from collections.abc import Sequence
from typing import Any

import orjson

from app.access.scope import Path
from app.audit.models import AuditEntry
from app.core.repository import Repository
from app.core.sql import Statement

# before and after travel as JSON text and are decoded here, so that every connection
# (a read-pool one has no JSON codec, a session's has) gives the same values.
COLUMNS = (
    "id, at, actor_id, request_id, action, entity_type, entity_id,"
    " before::text AS before, after::text AS after"
)


def _decoded(text: str | None) -> Any:
    return None if text is None else json.loads(text)


def _encoded(value: Any) -> str | None:
    return None if value is None else orjson.dumps(value).decode()


class AuditRepository(Repository):
    # ---------------------------------------------------------------- reads (plain SQL)

    async def page(
        self,
        within: Sequence[Path],
        *,
        entity_type: str | None,
        entity_id: str | None,
        action: str | None,
        actor_id: uuid.UUID | None,
        before_id: int | None,
        limit: int,
    ) -> list[dict[str, Any]]:
        """Entries filed in the subtrees at `within`, newest first, older than `before_id`:
        at most `limit`."""
        where = Statement()
        where.within(within, "org_path")
        where.equals("entity_type", entity_type)
        where.equals("entity_id", entity_id)
        where.equals("action", action)
        where.equals("actor_id", actor_id)
        if before_id is not None:
            where.where(f"id < {where.param(before_id)}")
        rows = await where.page(
            await self.connection(), f"SELECT {COLUMNS} FROM audit_log", "id DESC", limit
        )
        return [
            {**row, "before": _decoded(row["before"]), "after": _decoded(row["after"])}
            for row in rows
        ]

    # ---------------------------------------------------------------- inside a write

    async def add(self, entry: AuditEntry) -> None:
        """Inserted now, in the session's transaction: one plain statement, which costs a
        write less than the ORM's flush of a new row."""
        await self._connection.execute(
            "INSERT INTO audit_log (at, actor_id, request_id, client_addr, action, entity_type,"
            " entity_id, org_path, before, after)"
            " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9::jsonb, $10::jsonb)",
            entry.at,
            entry.actor_id,
            entry.request_id,
            entry.client_addr,
            entry.action,
            entry.entity_type,
            entry.entity_id,
            entry.org_path,
            _encoded(entry.before),
            _encoded(entry.after),
        )
