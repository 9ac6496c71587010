"""Building plain SQL for asyncpg: numbered parameters and WHERE clauses."""

from typing import Any

import sqlalchemy as sa

# A Core select of any columns.
AnySelect = sa.Select[*tuple[Any, ...]]


class Statement:
    """WHERE clauses and positional parameters ($1, $2, ...) of a hand-written query."""

    def __init__(self) -> None:
        self.params: list[Any] = []
        self.clauses: list[str] = []

    def param(self, value: Any) -> str:
        self.params.append(value)
        return f"${len(self.params)}"

    def where(self, clause: str) -> None:
        self.clauses.append(clause)

    @property
    def where_sql(self) -> str:
        return " AND ".join(self.clauses) or "TRUE"


def contains_pattern(text: str) -> str:
    """An ILIKE pattern (with ESCAPE '\\') matching values that contain `text`."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"
