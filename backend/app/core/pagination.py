"""Keyset pagination: opaque, signed cursors holding the last row's sort key."""

import base64
import hashlib
import hmac
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Annotated, Any, Generic, TypeVar

import orjson
from fastapi import Query
from pydantic import BaseModel

from app.core.config import get_settings
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


def _tag(payload: bytes) -> bytes:
    key = get_settings().signing_secret().encode()
    return hmac.new(key, b"cursor:" + payload, hashlib.sha256).digest()[:12]


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode((text + "=" * (-len(text) % 4)).encode())


def encode_cursor(values: list[Any]) -> str:
    """An opaque cursor: the values, and a tag of ours so that nobody else can make one."""
    payload = orjson.dumps(values)
    return f"{_b64(payload)}.{_b64(_tag(payload))}"


def page_of(rows: list[T], limit: int, key: Any) -> Page[T]:
    """Build a page from `limit + 1` fetched rows; `key(row)` gives the cursor values."""
    has_more = len(rows) > limit
    items = rows[:limit]
    next_cursor = encode_cursor(key(items[-1])) if has_more and items else None
    return Page[T](items=items, next_cursor=next_cursor)


# What a cursor may hold. Anything else, however it was made, is a 422 "The cursor is not
# valid." and never reaches a statement.
EARLIEST = datetime(1900, 1, 1, tzinfo=UTC)
LATEST = datetime(2200, 1, 1, tzinfo=UTC)
BIGINT = 2**63
INT = 2**31


class _Invalid(ValueError):
    pass


def cursor_time(value: Any) -> datetime:
    """An offset-aware timestamp within the years a row can hold."""
    if not isinstance(value, str):
        raise _Invalid
    parsed = datetime.fromisoformat(value)
    if parsed.tzinfo is None or not EARLIEST <= parsed <= LATEST:
        raise _Invalid
    return parsed


def cursor_uuid(value: Any) -> uuid.UUID:
    if not isinstance(value, str):
        raise _Invalid
    return uuid.UUID(value)


def cursor_int(value: Any) -> int:
    """A whole number a bigint column can hold."""
    if isinstance(value, bool) or not isinstance(value, int) or not -BIGINT <= value < BIGINT:
        raise _Invalid
    return value


def cursor_text(value: Any) -> str:
    if not isinstance(value, str) or len(value) > 512 or "\x00" in value:
        raise _Invalid
    return value


def cursor_path(value: Any) -> list[int]:
    """A unit's path: integer keys an integer array can hold."""
    if not isinstance(value, list) or not value:
        raise _Invalid
    if not all(isinstance(k, int) and not isinstance(k, bool) and 0 <= k < INT for k in value):
        raise _Invalid
    return value


def decode_cursor(cursor: str | None, *fields: Callable[[Any], Any]) -> tuple[Any, ...] | None:
    """The values of a cursor made by `encode_cursor`, each checked and converted by its
    `field` (`cursor_time`, `cursor_uuid`, ...); None without a cursor, 422 when it is not
    one of ours (a forged or altered one, or one made for another list)."""
    if cursor is None:
        return None
    try:
        body, _, tag = cursor.partition(".")
        payload = _unb64(body)
        if not hmac.compare_digest(_unb64(tag), _tag(payload)):
            raise _Invalid
        values = orjson.loads(payload)
        if not isinstance(values, list) or len(values) != len(fields):
            raise _Invalid
        return tuple(field(value) for field, value in zip(fields, values, strict=True))
    except (ValueError, TypeError) as exc:
        raise Unprocessable("The cursor is not valid.") from exc
