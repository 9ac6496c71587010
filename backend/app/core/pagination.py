"""Keyset pagination: opaque cursors holding the last row's sort key."""

import base64
import uuid
from datetime import datetime
from typing import Annotated, Any, Generic, TypeVar

import orjson
from fastapi import Query
from pydantic import BaseModel

from app.core.errors import Unprocessable

T = TypeVar("T")

MAX_LIMIT = 200
DEFAULT_LIMIT = 50

LimitParam = Annotated[
    int, Query(ge=1, le=MAX_LIMIT, description=f"Page size, at most {MAX_LIMIT}.")
]
CursorParam = Annotated[
    str | None, Query(max_length=512, description="`next_cursor` of the previous page.")
]


class Page(BaseModel, Generic[T]):
    items: list[T]
    next_cursor: str | None


def encode_cursor(values: list[Any]) -> str:
    return base64.urlsafe_b64encode(orjson.dumps(values)).decode().rstrip("=")


def decode_cursor(cursor: str | None, arity: int) -> list[Any] | None:
    if cursor is None:
        return None
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        values = orjson.loads(base64.urlsafe_b64decode(padded.encode()))
    except (ValueError, TypeError) as exc:
        raise Unprocessable("The cursor is not valid.") from exc
    if not isinstance(values, list) or len(values) != arity:
        raise Unprocessable("The cursor is not valid.")
    return values


def page_of(rows: list[T], limit: int, key: Any) -> Page[T]:
    """Build a page from `limit + 1` fetched rows; `key(row)` gives the cursor values."""
    has_more = len(rows) > limit
    items = rows[:limit]
    next_cursor = encode_cursor(key(items[-1])) if has_more and items else None
    return Page[T](items=items, next_cursor=next_cursor)


def cursor_time(value: Any) -> datetime:
    try:
        parsed = datetime.fromisoformat(str(value))
    except ValueError as exc:
        raise Unprocessable("The cursor is not valid.") from exc
    if parsed.tzinfo is None:
        raise Unprocessable("The cursor is not valid.")
    return parsed


def cursor_int(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise Unprocessable("The cursor is not valid.")
    return value


def cursor_uuid(value: Any) -> uuid.UUID:
    try:
        return uuid.UUID(str(value))
    except ValueError as exc:
        raise Unprocessable("The cursor is not valid.") from exc
