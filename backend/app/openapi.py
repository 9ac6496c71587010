"""The OpenAPI document as the API behaves: every error answer is a `Problem` under
application/problem+json, and each operation lists the statuses it can really answer.

FastAPI documents 422 as `HTTPValidationError` JSON and nothing else unless told. The
statuses here follow from what every route is (what the middleware, the permission gate
and the validation do to any request) plus what a route declares itself in `responses`
(409 where a state or a unique key can conflict, 429 on sign-in):

- 401: every route but the public ones (which declare their own); 403: every route whose
  gate names a permission; 404: a route with a path parameter or a gated target;
- 412: a route that takes If-Match; 400, 413 and 415: a route that takes a body;
- 422: every route (any query parameter is checked for NUL).
"""

from typing import Any

from fastapi import FastAPI
from fastapi.routing import APIRoute, iter_route_contexts
from pydantic import BaseModel, ConfigDict, Field

from app.access.deps import AUTHENTICATED, PUBLIC, PermissionGate, declared_gate
from app.core.errors import PROBLEM_JSON

SCHEMA_REF = "#/components/schemas/{model}"
BODY_METHODS = {"POST", "PUT", "PATCH"}


class FieldError(BaseModel):
    loc: list[str] = Field(description='Where: ["body", "due_at"], ["query", "q"], ...')
    msg: str
    type: str


class ProblemDocument(BaseModel):
    """An RFC 9457 problem document: every error the API answers."""

    model_config = ConfigDict(extra="allow", title="Problem")

    type: str = Field(description="A URI naming the kind of problem")
    title: str
    status: int
    detail: str = Field(description="What went wrong, in English")
    errors: list[FieldError] = Field(default=[], description="422: each invalid field")
    required_permission: str = Field(default="", description="403: the permission it needs")
    current_version: int = Field(default=0, description="412: the version the item is at")
    current_status: str = Field(default="", description="409: the item's current status")


def _header(description: str) -> dict[str, Any]:
    return {"description": description, "required": True, "schema": {"type": "string"}}


DESCRIPTIONS = {
    400: "The body cannot be parsed (not UTF-8 JSON, or not a form where one is due)",
    401: "Not signed in, or the session has ended",
    403: "Your roles do not allow this here",
    404: "No such resource in your scope",
    409: "Conflicts with the current state (named in `detail`)",
    412: "If-Match names a version that is no longer current",
    413: "The body exceeds 1 MiB",
    415: "The body is not JSON",
    422: "The input is not valid; `errors` names each field",
    429: "Too many attempts; retry after `Retry-After` seconds",
}
HEADERS = {
    401: {"WWW-Authenticate": _header("Bearer")},
    412: {"ETag": _header("The current version")},
    429: {"Retry-After": _header("Seconds to wait")},
}


def _statuses(route: APIRoute, path: str, method: str) -> set[int]:
    gate = declared_gate(route)
    permission = gate.permission if gate is not None else PUBLIC
    statuses = {422} | {int(code) for code in route.responses if int(code) >= 400}
    if permission != PUBLIC:
        statuses.add(401)
        if permission != AUTHENTICATED:
            statuses.add(403)
    if "{" in path or (isinstance(gate, PermissionGate) and gate.target is not None):
        statuses.add(404)
    if any(param.alias == "If-Match" for param in route.dependant.header_params):
        statuses.add(412)
    if method in BODY_METHODS:
        statuses |= {400, 413, 415}
    return statuses


def _declare_problems(document: dict[str, Any], app: FastAPI) -> None:
    schemas: dict[str, Any] = document.setdefault("components", {}).setdefault("schemas", {})
    problem = ProblemDocument.model_json_schema(ref_template=SCHEMA_REF)
    schemas.update(problem.pop("$defs", {}))
    schemas["Problem"] = problem
    content = {PROBLEM_JSON: {"schema": {"$ref": SCHEMA_REF.format(model="Problem")}}}
    for context in iter_route_contexts(app.routes):
        route = context.original_route
        if not isinstance(route, APIRoute) or not route.include_in_schema:
            continue
        path = context.path or ""
        for method in context.methods or ():
            responses = document["paths"][path][method.lower()]["responses"]
            for status in sorted(_statuses(route, path, method)):
                declared = responses.get(str(status), {})
                responses[str(status)] = {
                    "description": declared.get("description") or DESCRIPTIONS[status],
                    "content": content,
                } | ({"headers": HEADERS[status]} if status in HEADERS else {})
    for unused in ("HTTPValidationError", "ValidationError"):
        schemas.pop(unused, None)


def install_openapi(app: FastAPI) -> None:
    """`app.openapi()` (and so /api/v1/openapi.json) answers the document described above."""
    generate = app.openapi

    def document() -> dict[str, Any]:
        if app.openapi_schema is None:
            _declare_problems(generate(), app)
        assert app.openapi_schema is not None
        return app.openapi_schema

    app.openapi = document  # type: ignore[method-assign]
