"""RFC 9457 problem details for every error the API returns."""

import logging
import re
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute, iter_route_contexts
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import compile_path

log = logging.getLogger("liandong")
PROBLEM_JSON = "application/problem+json"
TYPE_BASE = "https://liandong.example/problems/"


class Problem(Exception):
    """An error the API reports as problem+json."""

    status = 400
    slug = "bad-request"

    def __init_subclass__(
        cls, *, status: int | None = None, slug: str | None = None, **kwargs: Any
    ) -> None:
        """`class Conflict(Problem, status=409, slug="conflict")`: a kind of problem."""
        super().__init_subclass__(**kwargs)
        if status is not None:
            cls.status = status
        if slug is not None:
            cls.slug = slug

    def __init__(
        self,
        detail: str,
        *,
        status: int | None = None,
        slug: str | None = None,
        headers: dict[str, str] | None = None,
        extra: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(detail)
        self.detail = detail
        if status is not None:
            self.status = status
        if slug is not None:
            self.slug = slug
        self.headers = headers or {}
        self.extra = extra or {}


class Unauthorized(Problem, status=401, slug="unauthorized"):
    def __init__(self, detail: str = "Authentication is required.") -> None:
        super().__init__(detail, headers={"WWW-Authenticate": "Bearer"})


class Forbidden(Problem, status=403, slug="forbidden"):
    """The caller may see the target but may not do this to it."""


class NotFound(Problem, status=404, slug="not-found"):
    def __init__(self, what: str = "Resource") -> None:
        super().__init__(f"{what} not found.")


class Conflict(Problem, status=409, slug="conflict"):
    """The target's state does not allow this now."""


class PreconditionFailed(Problem, status=412, slug="precondition-failed"):
    """The If-Match version is not the target's current one."""


class Unprocessable(Problem, status=422, slug="validation-error"):
    @classmethod
    def at(cls, loc: tuple[str, ...], msg: str) -> "Unprocessable":
        """A 422 naming the field at `loc` (("body", "due_at")), in the `errors` shape of a
        validation error, so that clients mark the field as they mark any other."""
        error = {"loc": list(loc), "msg": msg, "type": "value_error"}
        return cls(f"{'.'.join(loc[1:])}: {msg}", extra={"errors": [error]})


class TooManyRequests(Problem, status=429, slug="too-many-requests"):
    def __init__(self, detail: str, retry_after: int) -> None:
        super().__init__(detail, headers={"Retry-After": str(max(1, retry_after))})


def problem_response(
    status: int,
    detail: str,
    *,
    slug: str | None = None,
    headers: dict[str, str] | None = None,
    extra: dict[str, Any] | None = None,
) -> JSONResponse:
    title = HTTPStatus(status).phrase if status in HTTPStatus._value2member_map_ else "Error"
    body: dict[str, Any] = {
        "type": TYPE_BASE + (slug or title.lower().replace(" ", "-")),
        "title": title,
        "status": status,
        "detail": detail,
    }
    body.update(extra or {})
    return JSONResponse(body, status_code=status, headers=headers, media_type=PROBLEM_JSON)


def _validation_errors(exc: RequestValidationError) -> list[dict[str, Any]]:
    errors = []
    for err in exc.errors():
        errors.append(
            {
                "loc": [str(part) for part in err.get("loc", ())],
                "msg": str(err.get("msg", "")),
                "type": str(err.get("type", "")),
            }
        )
    return errors


def _path_methods(app: FastAPI) -> list[tuple[re.Pattern[str], frozenset[str]]]:
    """Each API path's pattern and methods (one route per method in FastAPI), built once."""
    found: dict[str, set[str]] = {}
    for context in iter_route_contexts(app.routes):
        if isinstance(context.original_route, APIRoute):
            found.setdefault(context.path or "", set()).update(context.methods or ())
    return [(compile_path(path)[0], frozenset(methods)) for path, methods in found.items()]


def allowed_methods(request: Request) -> str:
    """The `Allow` of a 405: every method of the request's path, HEAD with GET (the
    middleware answers HEAD as GET), not only those of the first route that matched."""
    app: FastAPI = request.app
    if not hasattr(app.state, "path_methods"):
        app.state.path_methods = _path_methods(app)
    methods = {
        method
        for pattern, path_methods in app.state.path_methods
        if pattern.match(request.url.path)
        for method in path_methods
    }
    if "GET" in methods:
        methods.add("HEAD")
    return ", ".join(sorted(methods))


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(Problem)
    async def _problem(_: Request, exc: Problem) -> JSONResponse:
        return problem_response(
            exc.status, exc.detail, slug=exc.slug, headers=exc.headers, extra=exc.extra
        )

    @app.exception_handler(RequestValidationError)
    async def _invalid(_: Request, exc: RequestValidationError) -> JSONResponse:
        return problem_response(
            422,
            "The request is not valid.",
            slug="validation-error",
            extra={"errors": _validation_errors(exc)},
        )

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        detail = exc.detail if isinstance(exc.detail, str) else HTTPStatus(exc.status_code).phrase
        if exc.status_code == 404 and detail == "Not Found":
            detail = "No such resource."
        headers = dict(exc.headers or {})
        if exc.status_code == 405:
            headers["Allow"] = allowed_methods(request)
        return problem_response(exc.status_code, detail, headers=headers)
