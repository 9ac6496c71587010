"""Versioned resources: ETag on reads, If-Match preconditions on writes, orjson bodies.

A resource's entity tag is its row version (`"7"`). A write sent with `If-Match` goes
ahead only when one of the listed tags (or `*`) matches the current version; otherwise
412 with the current ETag, so the client can reload and retry. Without `If-Match` the
write goes ahead (the row lock still serialises concurrent writers).
"""

import uuid
from typing import Annotated, Any

import orjson
from fastapi import Header
from fastapi.responses import Response

from app.core.errors import PreconditionFailed

IfMatch = Annotated[
    str | None,
    Header(
        alias="If-Match",
        max_length=512,
        description="The ETag you last read; the write is refused with 412 when it is stale.",
    ),
]


def etag(version: int) -> str:
    return f'"{version}"'


def _tags(header: str) -> list[str]:
    tags = []
    for raw in header.split(","):
        tag = raw.strip()
        if tag.startswith("W/"):  # weak comparison is enough for a version tag
            tag = tag[2:]
        tags.append(tag.strip('"'))
    return tags


def if_match_ok(if_match: str | None, version: int) -> bool:
    if if_match is None:
        return True
    tags = _tags(if_match)
    return "*" in tags or str(version) in tags


def check_if_match(if_match: str | None, version: int, what: str = "resource") -> None:
    """Raise 412 when If-Match is present and names no current version."""
    if not if_match_ok(if_match, version):
        raise PreconditionFailed(
            f"The {what} has changed since you read it (it is now at version {version}); "
            "reload it and try again.",
            headers={"ETag": etag(version)},
            extra={"current_version": version},
        )


def _default(value: Any) -> Any:
    # asyncpg hands back its own UUID subclass, which orjson leaves to us.
    if isinstance(value, uuid.UUID):
        return str(value)
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def json_response(
    content: Any,
    *,
    status_code: int = 200,
    version: int | None = None,
    headers: dict[str, str] | None = None,
) -> Response:
    """Encode with orjson (UUIDs and offset-aware timestamps natively), tag with ETag."""
    all_headers = dict(headers or {})
    if version is not None:
        all_headers["ETag"] = etag(version)
    return Response(
        content=orjson.dumps(content, default=_default),
        status_code=status_code,
        headers=all_headers,
        media_type="application/json",
    )
