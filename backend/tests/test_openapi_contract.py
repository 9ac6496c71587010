"""The OpenAPI document tells the truth: errors are `Problem` documents, each operation
lists the statuses it can answer, nullable fields take null and the others refuse it,
feedback has one shape per kind; 405 names every method of its path, HEAD answers as GET,
and /openapi.json at the root leads to the document."""

import re
import uuid
from pathlib import Path
from typing import Any

import httpx
import pytest

from app.access.roles import Role
from app.core.config import get_settings
from app.main import create_app
from tests.support import World
from tests.workitems.helpers import PROBLEM_JSON, create_task, headers, insert_task

DOCUMENT = create_app().openapi()
SCHEMAS: dict[str, Any] = DOCUMENT["components"]["schemas"]
OPERATIONS = [
    (method.upper(), path, operation)
    for path, operations in DOCUMENT["paths"].items()
    for method, operation in operations.items()
]
PUBLIC = {
    "/api/v1/health",
    "/api/v1/health/ready",
    "/api/v1/auth/token",
    "/api/v1/auth/refresh",
    "/api/v1/auth/logout",
}


def _statuses(operation: dict[str, Any]) -> set[int]:
    return {int(code) for code in operation["responses"]}


def _url(path: str) -> str:
    return re.sub(r"\{[a-z_]+\}", str(uuid.uuid4()), path)


def test_every_error_answer_is_a_problem_document() -> None:
    assert "HTTPValidationError" not in SCHEMAS and "ValidationError" not in SCHEMAS
    assert {"type", "title", "status", "detail"} <= set(SCHEMAS["Problem"]["required"])
    for method, path, operation in OPERATIONS:
        for code, response in operation["responses"].items():
            if int(code) >= 400:
                assert list(response["content"]) == [PROBLEM_JSON], (method, path, code)
                schema = response["content"][PROBLEM_JSON]["schema"]
                assert schema == {"$ref": "#/components/schemas/Problem"}, (method, path, code)


def test_each_operation_lists_the_statuses_it_can_answer() -> None:
    for method, path, operation in OPERATIONS:
        statuses, where = _statuses(operation), (method, path)
        assert 422 in statuses, where
        assert (401 in statuses) == (path not in ("/api/v1/health", "/api/v1/health/ready")), where
        takes_if_match = any(p["name"] == "If-Match" for p in operation.get("parameters", []))
        assert (412 in statuses) == takes_if_match, where
        assert ({400, 413, 415} <= statuses) == (method in ("POST", "PUT", "PATCH")), where
        if method == "GET":
            assert not statuses & {409, 412, 413, 415}, where
        if "{" in path:
            assert 404 in statuses, where
    assert 429 in _statuses(DOCUMENT["paths"]["/api/v1/auth/token"]["post"])
    for path in ("/api/v1/users", "/api/v1/grants", "/api/v1/orgs", "/api/v1/tasks"):
        assert 409 in _statuses(DOCUMENT["paths"][path]["post"]), path
    unauthorized = DOCUMENT["paths"]["/api/v1/tasks"]["get"]["responses"]["401"]
    assert unauthorized["headers"]["WWW-Authenticate"]["required"] is True


def _nullable(schema: dict[str, Any]) -> bool:
    return {"type": "null"} in schema.get("anyOf", []) or schema.get("type") == "null"


def _request_schemas() -> dict[str, dict[str, Any]]:
    names: set[str] = set()
    for _, _, operation in OPERATIONS:
        content = operation.get("requestBody", {}).get("content", {})
        for media in content.values():
            found = re.findall(r"#/components/schemas/(\w+)", str(media["schema"]))
            names.update(found)
    return {name: SCHEMAS[name] for name in names}


def test_only_the_fields_that_take_null_are_nullable() -> None:
    nullable = {
        f"{name}.{field}"
        for name, schema in _request_schemas().items()
        for field, prop in schema.get("properties", {}).items()
        if _nullable(prop)
    }
    assert nullable == {
        "TaskUpdate.responsible_user_id",
        "OrgUpdate.code",
        "OrgCreate.code",
        "ReissueBody.assignee_org_id",
        "ReissueBody.responsible_user_id",
        "ReissueBody.due_at",
        "RefreshRequest.refresh_token",
        "TaskCreate.issuer_org_id",
        "TaskCreate.responsible_user_id",
        "TaskCreate.parent_id",
        "IssueCreate.reporter_org_id",
        "Overrides.covered_until",
        "PolicyWrite.root_org_id",
    }


async def test_the_nullable_fields_take_null(client: httpx.AsyncClient, world: World) -> None:
    issuer = headers(world, Role.officer, "S11")
    task = await create_task(client, world, "S11", "M111")
    cleared = await client.patch(
        f"/api/v1/tasks/{task['id']}", json={"responsible_user_id": None}, headers=issuer
    )
    assert cleared.status_code == 200, cleared.text
    assert cleared.json()["responsible_user_id"] is None
    returned = await insert_task(world, "S11", "M111", status="returned_by_assignee")
    reissued = await client.post(
        f"/api/v1/tasks/{returned}/reissue",
        json={"assignee_org_id": None, "responsible_user_id": None, "due_at": None},
        headers=issuer,
    )
    assert reissued.status_code == 200, reissued.text
    admin = headers(world, Role.admin, "S11")
    org = await client.patch(
        f"/api/v1/orgs/{world.unit('M111').id}", json={"code": None}, headers=admin
    )
    assert org.status_code == 200, org.text
    assert org.json()["code"] is None
    # null is cookie mode, which wants our own origin: a 403 here, not a 422
    refresh = await client.post("/api/v1/auth/refresh", json={"refresh_token": None})
    assert refresh.status_code == 403, refresh.text


@pytest.mark.parametrize(
    ("path", "field", "role"),
    [
        ("/api/v1/tasks/{task}", "title", Role.officer),
        ("/api/v1/tasks/{task}", "due_at", Role.officer),
        ("/api/v1/orgs/{org}", "name", Role.admin),
        ("/api/v1/users/{user}", "is_active", Role.admin),
    ],
)
async def test_the_other_fields_refuse_null_naming_the_field(
    client: httpx.AsyncClient, world: World, path: str, field: str, role: Role
) -> None:
    task = await create_task(client, world, "S11", "M111")
    url = path.format(
        task=task["id"], org=world.unit("M111").id, user=world.actor(Role.officer, "M111").user.id
    )
    response = await client.patch(url, json={field: None}, headers=headers(world, role, "S11"))
    assert response.status_code == 422, response.text
    assert ["body", field] in [error["loc"] for error in response.json()["errors"]]
    assert (await client.get(url, headers=headers(world, role, "S11"))).json()[field] is not None


def test_feedback_has_one_shape_per_kind() -> None:
    body = DOCUMENT["paths"]["/api/v1/tasks/{task_id}/feedback"]["post"]["requestBody"]
    schema = body["content"]["application/json"]["schema"]
    assert schema["discriminator"]["propertyName"] == "kind"
    assert set(schema["discriminator"]["mapping"]) == {
        "satisfaction",
        "progress",
        "completion",
        "review",
        "comment",
    }
    satisfaction, written = SCHEMAS["SatisfactionFeedback"], SCHEMAS["WrittenFeedback"]
    assert set(satisfaction["required"]) == {"kind", "rating"}
    assert set(written["required"]) == {"kind", "body"}
    assert written["properties"]["body"]["minLength"] == 1
    assert "rating" not in written["properties"] and written["additionalProperties"] is False


@pytest.mark.parametrize(
    "body",
    [
        {"kind": "satisfaction", "body": "no rating"},
        {"kind": "comment", "body": "rated", "rating": 3},
        {"kind": "comment", "body": "rated", "rating": None},
        {"kind": "comment"},
        {"kind": "review", "body": "   "},
    ],
)
async def test_feedback_that_breaks_its_kind_is_422(
    client: httpx.AsyncClient, world: World, body: dict[str, Any]
) -> None:
    task = await create_task(client, world, "S11", "M111")
    response = await client.post(
        f"/api/v1/tasks/{task['id']}/feedback",
        json=body,
        headers=headers(world, Role.officer, "S11"),
    )
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == PROBLEM_JSON


def _methods_at(url: str) -> set[str]:
    """The documented methods of every path template the URL matches (as the router
    matches them: `/tasks/assignable-units` also fits `/tasks/{task_id}`)."""
    methods = {
        method.upper()
        for path, operations in DOCUMENT["paths"].items()
        if re.fullmatch(re.sub(r"\{[a-z_]+\}", "[^/]+", path), url)
        for method in operations
    }
    return methods | ({"HEAD"} if "GET" in methods else set())


async def test_405_allows_every_method_of_the_path(client: httpx.AsyncClient) -> None:
    for path in DOCUMENT["paths"]:
        url = _url(path)
        expected = _methods_at(url)
        method = next(m for m in ("PUT", "DELETE", "POST") if m not in expected)
        response = await client.request(method, url)
        assert response.status_code == 405, (path, response.text)
        assert response.headers["content-type"] == PROBLEM_JSON
        assert set(response.headers["allow"].split(", ")) == expected, path
    task_allow = await client.delete(f"/api/v1/tasks/{uuid.uuid4()}")
    assert task_allow.headers["allow"] == "GET, HEAD, PATCH"


async def test_head_answers_as_get_without_the_body(
    client: httpx.AsyncClient, world: World
) -> None:
    caller = headers(world, Role.officer, "S11")
    task = await create_task(client, world, "S11", "M111")
    for path in ("/api/v1/health", f"/api/v1/tasks/{task['id']}", "/api/v1/tasks?limit=1"):
        got = await client.get(path, headers=caller)
        head = await client.head(path, headers=caller)
        assert head.status_code == got.status_code == 200, path
        assert head.content == b""
        assert head.headers["content-type"] == got.headers["content-type"]
        assert head.headers.get("etag") == got.headers.get("etag")
    missing = await client.head(f"/api/v1/tasks/{uuid.uuid4()}", headers=caller)
    assert missing.status_code == 404 and missing.content == b""
    assert (await client.head("/api/v1/tasks")).status_code == 401


async def test_openapi_json_at_the_root_leads_to_the_document(tmp_path: Path) -> None:
    (tmp_path / "index.html").write_text("<!doctype html><title>联动</title>")
    settings = get_settings()
    settings.spa_dir = tmp_path  # with the SPA mounted, which answers every other path
    try:
        app = create_app()
    finally:
        settings.spa_dir = None
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as web:
        moved = await web.get("/openapi.json")
        assert moved.status_code == 308
        assert moved.headers["location"] == "/api/v1/openapi.json"
        document = await web.get("/openapi.json", follow_redirects=True)
        assert document.json()["paths"].keys() == DOCUMENT["paths"].keys()
        assert (await web.head("/openapi.json")).status_code == 308
        wrong = await web.put("/openapi.json")
        assert wrong.status_code == 405 and wrong.headers["allow"] == "GET, HEAD"
        assert "联动" in (await web.get("/tasks")).text
