"""The statements every work item shares, run on each kind's table, and the timeline's.

A kind's repository subclasses `ItemRepository`, names its `table` and `model`, and adds
the statements only it needs (a task's subtask counters, say).
"""

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any, ClassVar

import asyncpg
import sqlalchemy as sa
from sqlmodel import SQLModel, col

from app.access.scope import Principal
from app.core.repository import Repository
from app.core.sql import Statement
from app.workitems.listing import Condition, ItemTable, Render, list_items, read_item
from app.workitems.models import ItemEvent, ItemType
from app.workitems.schemas import ItemQuery
from app.workitems.sides import scope_predicate


class ItemRepository(Repository):
    table: ClassVar[ItemTable]
    model: ClassVar[Any]  # the SQLModel table class

    # ---------------------------------------------------------------- reads (plain SQL)

    async def visible_row(self, principal: Principal, item_id: uuid.UUID) -> asyncpg.Record | None:
        """The item's row (the columns of `table.select`) when the caller may read it."""
        return await read_item(await self.connection(), self.table, principal, item_id)

    async def row(self, item_id: uuid.UUID) -> asyncpg.Record:
        """The item's row, unscoped: the read-back of an item this request just wrote."""
        row: asyncpg.Record = await (await self.connection()).fetchrow(
            f"{self.table.select} WHERE {self.table.alias}.id = $1", item_id
        )
        return row

    async def page(
        self,
        principal: Principal,
        query: ItemQuery,
        conditions: Sequence[Condition],
        render: Render,
    ) -> tuple[list[dict[str, Any]], str | None]:
        return await list_items(
            await self.connection(), self.table, principal, query, conditions, render
        )

    async def party_paths(self, item_id: uuid.UUID) -> list[list[int]] | None:
        first, second = self.table.parties
        row = await (await self.connection()).fetchrow(
            f"SELECT {first}, {second} FROM {self.table.name} WHERE id = $1", item_id
        )
        return None if row is None else [row[first], row[second]]

    async def visible_party_paths(
        self, principal: Principal, item_id: uuid.UUID
    ) -> list[list[int]] | None:
        """The party paths of an item the caller may read; None otherwise."""
        t, (first, second) = self.table.alias, self.table.parties
        statement = Statement()
        statement.where(f"{t}.id = {statement.param(item_id)}")
        self.table.visible(statement, principal.paths(self.table.read_perm))
        row = await (await self.connection()).fetchrow(
            f"SELECT {t}.{first}, {t}.{second} FROM {self.table.name} {t}"
            f" WHERE {statement.where_sql}",
            *statement.params,
        )
        return None if row is None else [row[first], row[second]]

    def due_sql(
        self,
        statement: Statement,
        *,
        since: datetime | None,
        before: datetime,
        unit_paths: Sequence[Sequence[int]] | None,
    ) -> str:
        """A query of the open items due in [since, before): their id, title, due date and
        the unit that must act (`org_id`), for the units at exactly `unit_paths` (None:
        all units). For the due notices, which the notifications repository writes."""
        t, (org, path) = self.table.alias, self.table.acting
        param = statement.param
        where = [
            f"{t}.status = ANY({param(list(self.table.open_statuses))}::text[])",
            f"{t}.due_at < {param(before)}",
        ]
        if since is not None:
            where.append(f"{t}.due_at >= {param(since)}")
        if unit_paths is not None:
            units = ", ".join(param(list(p)) for p in unit_paths) or "NULL"
            where.append(f"{t}.{path} IN ({units})")
        return (
            f"SELECT {t}.id, {t}.title, {t}.due_at, {t}.{org} AS org_id"
            f" FROM {self.table.name} {t} WHERE {' AND '.join(where)}"
        )

    # ---------------------------------------------------------------- inside a write

    async def lock(self, principal: Principal, item_id: uuid.UUID) -> Any:
        """The item, locked for this transaction, when the caller may read it; else None."""
        model = self.model
        visible = scope_predicate(
            principal,
            self.table.read_perm,
            self.table.name,
            *(col(getattr(model, party)) for party in self.table.parties),
        )
        return (
            await self.session.execute(
                sa.select(model).where(col(model.id) == item_id, visible).with_for_update()
            )
        ).scalar_one_or_none()

    async def add(self, item: SQLModel) -> None:
        self.session.add(item)
        await self.session.flush()


class TimelineRepository(Repository):
    """Every statement on item_events."""

    async def add(
        self,
        *,
        item_type: ItemType,
        item_id: uuid.UUID,
        action: str,
        actor_id: uuid.UUID | None,
        org_id: uuid.UUID | None,
        from_status: str | None,
        to_status: str | None,
        note: str | None,
        data: dict[str, Any] | None,
    ) -> None:
        self.session.add(
            ItemEvent(
                entity_type=item_type.value,
                entity_id=item_id,
                action=action,
                actor_id=actor_id,
                org_id=org_id,
                from_status=from_status,
                to_status=to_status,
                note=note,
                data=data,
            )
        )

    async def page(
        self, item_type: ItemType, item_id: uuid.UUID, *, after_id: int | None, limit: int
    ) -> list[asyncpg.Record]:
        """Oldest first, `limit` events after `after_id`."""
        rows: list[asyncpg.Record] = await (await self.connection()).fetch(
            "SELECT e.id, e.action, e.from_status, e.to_status, e.actor_id,"
            " u.display_name AS actor_name, e.org_id, o.name AS org_name, e.note, e.data, e.at"
            " FROM item_events e LEFT JOIN users u ON u.id = e.actor_id"
            " LEFT JOIN org_units o ON o.id = e.org_id"
            " WHERE e.entity_id = $1 AND e.entity_type = $2 AND e.id > $3"
            " ORDER BY e.id LIMIT $4",
            item_id,
            item_type.value,
            after_id if after_id is not None else 0,
            limit,
        )
        return rows


def jsonable(data: dict[str, Any]) -> dict[str, Any]:
    """JSONB-ready: ids and timestamps as strings."""
    return {
        key: value.isoformat()
        if isinstance(value, datetime)
        else str(value)
        if isinstance(value, uuid.UUID)
        else value
        for key, value in data.items()
    }
