"""The task and issue lists: filters shared by both, and keyset pagination by (sort key, id).

The lists are the hottest reads, so they are written as plain SQL for asyncpg (see
`app.core.db.driver`); a `Statement` collects the WHERE clauses and numbers the parameters.

The cursor holds the sort it was made for, the last row's sort value and its id; the next
page starts strictly after that pair, so rows inserted meanwhile never make a page repeat
or skip a row that was there all along.
"""

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal

import asyncpg
from pydantic import BaseModel, Field

from app.access.scope import next_sibling
from app.core.errors import Unprocessable
from app.core.pagination import DEFAULT_LIMIT, MAX_LIMIT, decode_cursor, encode_cursor
from app.events.service import cursor_time, cursor_uuid

SORT_FIELDS = ("due_at", "created_at", "updated_at")


class ListQuery(BaseModel):
    """Sort and page parameters of the task and issue lists (their filters extend it)."""

    sort: str = Field(
        default="-created_at",
        pattern=r"^-?(due_at|created_at|updated_at)$",
        description="due_at, created_at or updated_at; a leading '-' sorts descending",
    )
    order: Literal["asc", "desc"] | None = Field(
        default=None, description="If given, sets the direction of `sort`"
    )
    limit: int = Field(
        default=DEFAULT_LIMIT, ge=1, le=MAX_LIMIT, description=f"Page size, at most {MAX_LIMIT}."
    )
    cursor: str | None = Field(
        default=None, max_length=512, description="`next_cursor` of the previous page."
    )

    @property
    def ordering(self) -> str:
        """`sort`, in the direction `order` names when given."""
        if self.order is None:
            return self.sort
        field = self.sort.lstrip("-")
        return f"-{field}" if self.order == "desc" else field


def parse_sort(sort: str) -> tuple[str, bool]:
    """`due_at` or `-due_at` (descending), likewise created_at and updated_at."""
    descending = sort.startswith("-")
    field = sort[1:] if descending else sort
    if field not in SORT_FIELDS:
        raise Unprocessable(f"sort must be one of {', '.join(SORT_FIELDS)}, optionally with '-'.")
    return field, descending


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

    def sql(self, select: str, order_by: str, limit: int) -> str:
        where = " AND ".join(self.clauses) or "TRUE"
        return f"{select} WHERE {where} ORDER BY {order_by} LIMIT {self.param(limit)}"


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


@dataclass(frozen=True)
class ItemTable:
    """How a work-item table is read: its alias, its two party path columns and the
    statuses in which its due date still counts."""

    alias: str
    parties: tuple[str, str]
    open_statuses: tuple[str, ...]
    due_soon: timedelta


@dataclass(frozen=True)
class CommonFilters:
    """The filters tasks and issues share."""

    status: Sequence[str] | None = None
    party_org_ids: tuple[uuid.UUID | None, uuid.UUID | None] = (None, None)
    within_path: Sequence[int] | None = None
    overdue: bool | None = None
    due_soon: bool | None = None
    due_before: datetime | None = None
    due_after: datetime | None = None
    q: str | None = None


def filter_items(
    statement: Statement, table: ItemTable, filters: CommonFilters, now: datetime
) -> None:
    t, param = table.alias, statement.param
    if filters.status:
        statement.where(f"{t}.status = ANY({param(list(filters.status))}::text[])")
    for org_id, column in zip(filters.party_org_ids, table.parties, strict=True):
        if org_id is not None:
            statement.where(
                f"{t}.{column} = (SELECT path FROM org_units WHERE id = {param(org_id)})"
            )
    if filters.within_path is not None:
        low, high = (
            param(list(filters.within_path)),
            param(list(next_sibling(tuple(filters.within_path)))),
        )
        statement.where(
            "("
            + " OR ".join(f"({t}.{c} >= {low} AND {t}.{c} < {high})" for c in table.parties)
            + ")"
        )
    if filters.overdue is not None or filters.due_soon is not None:
        is_open = f"{t}.status = ANY({param(list(table.open_statuses))}::text[])"
        at = param(now)
        if filters.overdue is not None:
            overdue = f"({t}.due_at < {at} AND {is_open})"
            statement.where(overdue if filters.overdue else f"NOT {overdue}")
        if filters.due_soon is not None:
            soon = param(now + table.due_soon)
            due_soon = f"({t}.due_at >= {at} AND {t}.due_at <= {soon} AND {is_open})"
            statement.where(due_soon if filters.due_soon else f"NOT {due_soon}")
    if filters.due_before is not None:
        statement.where(f"{t}.due_at < {param(filters.due_before)}")
    if filters.due_after is not None:
        statement.where(f"{t}.due_at >= {param(filters.due_after)}")
    if filters.q:
        statement.where(f"{t}.title ILIKE {param(f'%{_escape_like(filters.q)}%')} ESCAPE '\\'")


def keyset(statement: Statement, alias: str, sort: str, cursor: str | None) -> str:
    """Start after the cursor; the ORDER BY clause for (sort key, id) in the sort's direction."""
    field, descending = parse_sort(sort)
    after = decode_cursor(cursor, 3)
    if after is not None:
        if after[0] != sort:
            raise Unprocessable("The cursor belongs to another sort order.")
        position = (
            f"({statement.param(cursor_time(after[1]))}, {statement.param(cursor_uuid(after[2]))})"
        )
        statement.where(f"({alias}.{field}, {alias}.id) {'<' if descending else '>'} {position}")
    direction = " DESC" if descending else ""
    return f"{alias}.{field}{direction}, {alias}.id{direction}"


async def org_path(connection: asyncpg.Connection, org_id: uuid.UUID) -> list[int] | None:
    path: list[int] | None = await connection.fetchval(
        "SELECT path FROM org_units WHERE id = $1", org_id
    )
    return path


def next_cursor(items: Sequence[Mapping[str, Any]], rows: int, limit: int, sort: str) -> str | None:
    """`rows` were fetched with limit + 1: a cursor after the last item when there is more."""
    if rows <= limit:
        return None
    field, _ = parse_sort(sort)
    last = items[limit - 1]
    return encode_cursor([sort, last[field].isoformat(), str(last["id"])])
