"""Keyset pagination by (sort key, id), shared by the task and issue lists.

The cursor holds the sort it was made for, the last row's sort value and its id; the next
page starts strictly after that pair, so rows inserted meanwhile never make a page repeat
or skip a row that was there all along.
"""

from collections.abc import Sequence
from typing import Annotated, Any, Literal

import sqlalchemy as sa
from fastapi import Query

from app.core.errors import Unprocessable
from app.core.pagination import decode_cursor, encode_cursor
from app.events.service import AnySelect, cursor_time, cursor_uuid

SORT_FIELDS = ("due_at", "created_at", "updated_at")

SortParam = Annotated[
    str,
    Query(
        pattern=r"^-?(due_at|created_at|updated_at)$",
        description="due_at, created_at or updated_at; a leading '-' sorts descending",
    ),
]
OrderParam = Annotated[
    Literal["asc", "desc"] | None, Query(description="If given, sets the direction of `sort`")
]


def sort_with_order(sort: str, order: str | None) -> str:
    if order is None:
        return sort
    field = sort.lstrip("-")
    return f"-{field}" if order == "desc" else field


def parse_sort(sort: str) -> tuple[str, bool]:
    """`due_at` or `-due_at` (descending), likewise created_at and updated_at."""
    descending = sort.startswith("-")
    field = sort[1:] if descending else sort
    if field not in SORT_FIELDS:
        raise Unprocessable(f"sort must be one of {', '.join(SORT_FIELDS)}, optionally with '-'.")
    return field, descending


def keyset(query: AnySelect, key: Any, id_column: Any, sort: str, cursor: str | None) -> AnySelect:
    """Order by (key, id) in the sort's direction and start after the cursor."""
    _, descending = parse_sort(sort)
    after = decode_cursor(cursor, 3)
    if after is not None:
        if after[0] != sort:
            raise Unprocessable("The cursor belongs to another sort order.")
        position = sa.tuple_(sa.literal(cursor_time(after[1])), sa.literal(cursor_uuid(after[2])))
        current = sa.tuple_(key, id_column)
        query = query.where(current < position if descending else current > position)
    return query.order_by(*_ordering(key, id_column, descending))


_ORDERINGS: dict[tuple[Any, Any, bool], tuple[Any, Any]] = {}


def _ordering(key: Any, id_column: Any, descending: bool) -> tuple[Any, Any]:
    """ORDER BY clauses, built once per (column, direction) and reused."""
    cache_key = (key, id_column, descending)
    found = _ORDERINGS.get(cache_key)
    if found is None:
        found = _ORDERINGS[cache_key] = (
            (key.desc(), id_column.desc()) if descending else (key, id_column)
        )
    return found


def next_cursor(rows: Sequence[Any], limit: int, sort: str) -> str | None:
    """Rows were fetched with limit + 1: a cursor when there is more."""
    if len(rows) <= limit:
        return None
    field, _ = parse_sort(sort)
    last = rows[limit - 1]
    return encode_cursor([sort, getattr(last, field).isoformat(), str(last.id)])
