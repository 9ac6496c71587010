"""Cursors: any value a client puts in `?cursor=` is either one of ours or a 422, never a
500; and following `next_cursor` pages through every list to its end."""

import base64
import re
import uuid
from datetime import UTC, datetime
from typing import Any

import httpx
import orjson
import pytest

from app.access.roles import Role
from app.core.errors import Unprocessable
from app.core.pagination import (
    cursor_int,
    cursor_path,
    cursor_text,
    cursor_time,
    cursor_uuid,
    decode_cursor,
    encode_cursor,
)
from app.main import create_app
from tests.support import World
from tests.workitems.helpers import PROBLEM_JSON, create_task, headers


def _paged_reads() -> list[str]:
    """Every GET path that takes a cursor, from the OpenAPI document."""
    document = create_app().openapi()
    return sorted(
        path
        for path, operations in document["paths"].items()
        if any(p["name"] == "cursor" for p in operations.get("get", {}).get("parameters", []))
    )


PAGED = _paged_reads()


def _forged(values: Any, tag: str = "") -> str:
    """A cursor as a client could make one: the right shape, without our tag."""
    body = base64.urlsafe_b64encode(orjson.dumps(values)).decode().rstrip("=")
    return f"{body}.{tag}" if tag else body


SHAPES: list[Any] = [
    ["1 OR 1=1"],
    [None],
    [None, None],
    [[1, "2"]],
    ["x", "y"],
    ["0001-01-01T00:00:00+00:00", "00000000-0000-0000-0000-000000000000"],
    ["-due_at", "9999-12-31T23:59:59+14:00", "00000000-0000-0000-0000-000000000000"],
]
TAMPERED = [
    "!!!",
    "bm90IGpzb24",  # base64 of "not json"
    "WzEwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMF0",  # [10**30]
    *(_forged(shape) for shape in SHAPES),
    *(_forged(shape, tag="AAAAAAAAAAAAAAAA") for shape in SHAPES),
    # One of ours, altered by a character.
    encode_cursor(["-created_at", "2026-01-01T00:00:00+00:00", str(uuid.UUID(int=1))])[:-2] + "AA",
]


@pytest.fixture(scope="module")
async def ids(client: httpx.AsyncClient, world: World) -> dict[str, str]:
    task = await create_task(client, world, "C1", "S11", title="cursor task")
    issue = await client.post(
        "/api/v1/issues",
        json={"title": "cursor issue", "category": "water"},
        headers=headers(world, Role.officer, "S11"),
    )
    assert issue.status_code == 201, issue.text
    return {"task_id": task["id"], "issue_id": issue.json()["id"]}


def _caller(world: World, path: str) -> dict[str, str]:
    """Who can list it: an admin for the people, grants and audit; else a county leader."""
    admin_lists = ("/users", "/grants", "/audit")
    role = Role.admin if path.endswith(admin_lists) else Role.leader
    return headers(world, role, "C1")


@pytest.mark.parametrize("path", PAGED)
async def test_a_tampered_cursor_is_422(
    client: httpx.AsyncClient, world: World, ids: dict[str, str], path: str
) -> None:
    url = re.sub(r"\{([a-z_]+)\}", lambda m: ids[m.group(1)], path)
    failures = []
    for cursor in TAMPERED:
        response = await client.get(url, params={"cursor": cursor}, headers=_caller(world, path))
        if response.status_code != 422 or response.headers["content-type"] != PROBLEM_JSON:
            failures.append(f"{cursor}: {response.status_code} {response.text[:120]}")
    assert failures == []


@pytest.mark.parametrize("path", PAGED)
async def test_next_cursor_pages_to_the_end(
    client: httpx.AsyncClient, world: World, ids: dict[str, str], path: str
) -> None:
    """Small pages, followed to the end, give every item once, as one big page does."""
    url = re.sub(r"\{([a-z_]+)\}", lambda m: ids[m.group(1)], path)
    caller = _caller(world, path)
    whole = await client.get(url, params={"limit": 200}, headers=caller)
    assert whole.status_code == 200, whole.text
    expected = [item.get("id") for item in whole.json()["items"]]
    seen: list[Any] = []
    cursor = None
    for _ in range(1000):
        query = {"limit": 2, **({"cursor": cursor} if cursor else {})}
        page = await client.get(url, params=query, headers=caller)
        assert page.status_code == 200, page.text
        body = page.json()
        seen += [item.get("id") for item in body["items"]]
        cursor = body["next_cursor"]
        if cursor is None or len(seen) >= len(expected):
            break
    assert seen[: len(expected)] == expected, path


@pytest.mark.parametrize(
    ("values", "fields"),
    [
        (["0001-01-01T00:00:00+00:00"], (cursor_time,)),
        (["9999-12-31T23:59:59+14:00"], (cursor_time,)),
        (["2026-01-01T00:00:00"], (cursor_time,)),  # no offset
        ([2**63], (cursor_int,)),
        ([True], (cursor_int,)),
        (["7"], (cursor_int,)),
        (["not-a-uuid"], (cursor_uuid,)),
        ([[1, -2]], (cursor_path,)),
        ([[]], (cursor_path,)),
        (["a\x00b"], (cursor_text,)),
        (["x", "y"], (cursor_text,)),  # one field, two values
    ],
)
def test_even_our_own_cursor_holds_only_what_its_list_reads(values: Any, fields: Any) -> None:
    """Values of the wrong type or out of range never reach a statement, signed or not."""
    with pytest.raises(Unprocessable):
        decode_cursor(encode_cursor(values), *fields)


def test_our_cursor_round_trips() -> None:
    at, item = datetime(2026, 12, 1, 8, tzinfo=UTC), uuid.uuid4()
    cursor = encode_cursor(["-due_at", at.isoformat(), str(item), 7, [1, 4]])
    decoded = decode_cursor(cursor, cursor_text, cursor_time, cursor_uuid, cursor_int, cursor_path)
    assert decoded == ("-due_at", at, item, 7, [1, 4])
