"""Building plain SQL for asyncpg: numbered parameters and WHERE clauses."""

from collections.abc import Sequence
from typing import Any

import asyncpg

from app.access.scope import Path, within_sql


class Statement:
    """WHERE clauses and positional parameters ($1, $2, ...) of a hand-written query;
    `params` start the numbering (`Statement(org_id)` binds it as $1)."""

    def __init__(self, *params: Any) -> None:
        self.params: list[Any] = list(params)
        self.clauses: list[str] = []

    def param(self, value: Any) -> str:
        self.params.append(value)
        return f"${len(self.params)}"

    def where(self, clause: str) -> None:
        self.clauses.append(clause)

    @property
    def where_sql(self) -> str:
        return " AND ".join(self.clauses) or "TRUE"

    def equals(self, column: str, value: Any) -> None:
        """`column = value`; no condition when `value` is None."""
        if value is not None:
            self.where(f"{column} = {self.param(value)}")

    def within(self, roots: Sequence[Path], *columns: str) -> None:
        """Any of `columns` inside the subtrees at `roots` (see app.access.scope)."""
        self.where(within_sql(self.param, roots, *columns))

    def contains(self, text: str | None, *columns: str) -> None:
        """Any of `columns` contains `text`, ignoring case as every search box does; no
        condition when empty."""
        if text:
            pattern = self.param(contains_pattern(text))
            matches = [f"{column} ILIKE {pattern} ESCAPE '\\'" for column in columns]
            self.where(f"({' OR '.join(matches)})")

    def search(self, text: str | None, column: str, grams: str) -> None:
        """`column` contains `text`, ignoring case like ILIKE; no condition when empty.
        `grams` is the column's GIN-indexed search grams (migrations/sql/0008_search.sql):
        the index finds the rows holding every gram of `text`, and the ILIKE, exact,
        runs on those candidates only."""
        if text:
            needed = f"{grams} @> search_query_grams({self.param(text)})"
            pattern = self.param(contains_pattern(text))
            self.where(f"({needed} AND {column} ILIKE {pattern} ESCAPE '\\')")

    async def rows(
        self, connection: asyncpg.Connection, select: str, rest: str = ""
    ) -> list[asyncpg.Record]:
        """`select WHERE <the clauses> rest`, with the parameters."""
        rows: list[asyncpg.Record] = await connection.fetch(
            f"{select} WHERE {self.where_sql} {rest}", *self.params
        )
        return rows

    async def page(
        self, connection: asyncpg.Connection, select: str, order_by: str, limit: int
    ) -> list[asyncpg.Record]:
        """The first `limit` rows of `select WHERE <the clauses>` by `order_by`."""
        return await self.rows(connection, select, f"ORDER BY {order_by} LIMIT {self.param(limit)}")

    async def row(self, connection: asyncpg.Connection, select: str) -> asyncpg.Record | None:
        """The one row of `select WHERE <the clauses>`, if any."""
        row: asyncpg.Record | None = await connection.fetchrow(
            f"{select} WHERE {self.where_sql}", *self.params
        )
        return row


def contains_pattern(text: str) -> str:
    """An ILIKE pattern (with ESCAPE '\\') matching values that contain `text`."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"
