"""Text PostgreSQL can store: a NUL character (U+0000) in any string a client sends, in
the query string, a JSON body or a form, is a 422 naming the field, before any route
runs (PostgreSQL refuses NUL in text, which would otherwise surface as a 500)."""

import contextlib
from typing import Any

import orjson
from fastapi import Request
from fastapi.exceptions import RequestValidationError

NUL = "\x00"
_JSON_NUL = b"\\u0000"
_FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def _error(loc: tuple[str | int, ...]) -> dict[str, Any]:
    return {
        "loc": loc,
        "msg": "Text may not contain the NUL character (U+0000).",
        "type": "string_nul",
    }


def _walk(value: Any, loc: tuple[str | int, ...]) -> list[dict[str, Any]]:
    if isinstance(value, str):
        return [_error(loc)] if NUL in value else []
    if isinstance(value, dict):
        return [e for k, v in value.items() for e in (_walk(k, loc) or _walk(v, (*loc, k)))]
    if isinstance(value, list):
        return [e for i, v in enumerate(value) for e in _walk(v, (*loc, i))]
    return []


async def refuse_nul(request: Request) -> None:
    """An application-wide dependency (see main.py)."""
    errors = [
        _error(("query", key))
        for key, value in request.query_params.multi_items()
        if NUL in key or NUL in value
    ]
    if request.method in ("POST", "PUT", "PATCH"):
        content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if content_type in _FORM_TYPES:
            form = await request.form()
            errors += [
                _error(("body", key))
                for key, value in form.multi_items()
                if NUL in key or (isinstance(value, str) and NUL in value)
            ]
        else:
            body = await request.body()
            # A body that is not JSON is left to the route's own parsing to refuse.
            if _JSON_NUL in body:
                with contextlib.suppress(orjson.JSONDecodeError):
                    errors += _walk(orjson.loads(body), ("body",))
    if errors:
        raise RequestValidationError(errors)
