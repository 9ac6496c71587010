"""`q` on task and issue titles: the gram index (migration 0008) finds exactly what a plain
ILIKE finds, for Chinese titles, mixed case, LIKE's special characters and repeats."""

import random
import uuid
from datetime import timedelta
from typing import Any

import asyncpg
import httpx
import pytest

from app.access.roles import Role
from app.core.db_urls import plain_url
from app.core.models import utcnow
from app.core.sql import Statement
from app.workitems import repository
from tests.support import World, all_pages
from tests.workitems.helpers import create_task, headers, insert_issue, insert_task, ts

CORPUS = [
    "落实电子元器件车间用电增容",
    "棒球车间招工对接",
    "企业用地手续办理",
    "政策兑现：稳岗补贴",
    "项目现场安全检查",
    "周调度会议定事项",
    "协调供水管网接入",
    "招工信息进社区宣传",
    "哈哈哈",
    "哈哈",
    "哈",
    "笑哈哈地完成了",
    "车车车车车",
    "LED照明改造",
    "led 路灯维修",
    "Led灯带采购",
    "5G基站选址（第二批）",
    "Wi-Fi 覆盖：社区服务中心",
    "完成率 100% 的街道",
    "完成率 50%",
    "进度_已完成_",
    "路径 C:\\项目\\文件",
    "反斜杠\\\\双写",
    "百分号%与下划线_混排",
    "ÄÖÜ 检查 äöü",
    "ΣΊΣΥΦΟΣ 项目",
    "ＡＢＣ全角字母",
    "一",
    "a",
    "A",
    "  前后有空格  ",
    "重复重复重复重复",
    "安全生产安全检查",
    "检查安全",
    "《关于进一步优化营商环境的通知》落实情况",
    "2026年第3季度项目调度会",
    "河道清淤（城东段）",
    "x" * 200,
]
QUERIES = [
    "哈",
    "哈哈",
    "哈哈哈",
    "哈哈哈哈",
    "笑哈",
    "车",
    "车车",
    "车车车",
    "车间",
    "车间用电",
    "安全检查",
    "检查安全",
    "安全",
    "led",
    "LED",
    "lEd",
    "e",
    "E",
    "a",
    "A",
    "ab",
    "ＡＢ",
    "ａｂｃ",
    "äö",
    "ÄÖ",
    "σ",
    "σίσυφος",
    "%",
    "_",
    "\\",
    "\\\\",
    "%_",
    "%与下",
    "100%",
    "0%",
    "_已",
    "完成_",
    "C:\\",
    "\\项",
    " ",
    "  前",
    "空格  ",
    "：",
    "（",
    "第二批）",
    "Wi-Fi",
    "wi-fi 覆盖",
    "5g",
    "一",
    "x",
    "xx",
    "x" * 100,
    "《关于进一步优化营商环境的通知》",
    "营商环境的通知》落实",
    "不存在的词",
    "哈车",
    "重复重复",
    "复重",
]


# What a user expects of a few queries (titles as written; their upper-cased copies too).
KNOWN = {
    "哈哈": {"哈哈哈", "哈哈", "笑哈哈地完成了"},
    "哈哈哈哈": set(),
    "led": {"LED照明改造", "led 路灯维修", "Led灯带采购"},
    "%": {"完成率 100% 的街道", "完成率 50%", "百分号%与下划线_混排"},
    "_": {"进度_已完成_", "百分号%与下划线_混排"},
    "\\": {"路径 C:\\项目\\文件", "反斜杠\\\\双写"},
    "安全检查": {"项目现场安全检查", "安全生产安全检查"},
}


def _substrings(titles: list[str], count: int) -> list[str]:
    """Random pieces of the titles, one to twelve characters long."""
    rng = random.Random(9)
    pieces = []
    for _ in range(count):
        title = rng.choice(titles)
        start = rng.randrange(len(title))
        pieces.append(title[start : start + rng.randint(1, 12)])
    return pieces


def _like_pattern(text: str) -> str:
    """A plain LIKE pattern for 'contains text', written out here independently."""
    escaped = "".join("\\" + c if c in "\\%_" else c for c in text)
    return f"%{escaped}%"


async def _ilike_ids(
    conn: asyncpg.Connection, table: str, q: str, window: tuple[Any, Any]
) -> set[uuid.UUID]:
    rows = await conn.fetch(
        f"SELECT id FROM {table} WHERE due_at >= $1 AND due_at < $2 AND title ILIKE $3 ESCAPE '\\'",
        *window,
        _like_pattern(q),
    )
    return {row["id"] for row in rows}


@pytest.fixture(scope="module")
async def corpus(world: World) -> tuple[Any, Any]:
    """The corpus as tasks and issues (every title twice, once upper-cased), due in a window
    of their own; the window."""
    start = utcnow() + timedelta(days=200, seconds=random.randrange(10**6))
    for n, title in enumerate([*CORPUS, *(t.upper() for t in CORPUS)]):
        due_at = start + timedelta(seconds=n)
        await insert_task(world, "S11", "M111", title=title, due_at=due_at)
        await insert_issue(world, "M121", "S12", title=title, due_at=due_at)
    return start, start + timedelta(hours=1)


@pytest.mark.parametrize("kind", ["tasks", "issues"])
async def test_q_finds_exactly_what_a_plain_ilike_finds(
    client: httpx.AsyncClient,
    world: World,
    database_url: str,
    corpus: tuple[Any, Any],
    kind: str,
) -> None:
    observer = headers(world, Role.observer, "P")
    window = {"due_after": ts(corpus[0]), "due_before": ts(corpus[1])}
    queries = QUERIES + _substrings(CORPUS, 60)
    conn = await asyncpg.connect(plain_url(database_url))
    try:
        for q in queries:
            expected = await _ilike_ids(conn, kind, q, corpus)
            listed = await all_pages(client, f"/api/v1/{kind}", observer, q=q, **window)
            assert {uuid.UUID(item["id"]) for item in listed} == expected, q
            if q in KNOWN:
                titles = {item["title"] for item in listed}
                assert titles == KNOWN[q] | {t.upper() for t in KNOWN[q]}, q
    finally:
        await conn.close()


@pytest.mark.parametrize(
    ("role", "unit", "sees"),
    [(Role.observer, "P", True), (Role.officer, "M111", True), (Role.leader, "M112", False)],
    ids=["the root", "the assignee community", "a sibling community"],
)
@pytest.mark.parametrize("rare_share", [0.0, 2.0], ids=["walking the feed", "probing the index"])
async def test_q_by_due_date_finds_the_same_from_the_feed_either_way(
    client: httpx.AsyncClient,
    world: World,
    database_url: str,
    corpus: tuple[Any, Any],
    monkeypatch: pytest.MonkeyPatch,
    rare_share: float,
    role: Role,
    unit: str,
    sees: bool,
) -> None:
    """A list by due date of a caller with one subtree: a common term walks their unit's
    feed in order and tests each title, a rare one tests the search index's candidates
    against their subtree. Either way, what they may read and nothing else."""
    monkeypatch.setattr(repository, "RARE_SHARE", rare_share)
    caller = headers(world, role, unit)
    window = {"due_after": ts(corpus[0]), "due_before": ts(corpus[1]), "sort": "due_at"}
    conn = await asyncpg.connect(plain_url(database_url))
    try:
        for q in QUERIES + _substrings(CORPUS, 20):
            expected = await _ilike_ids(conn, "tasks", q, corpus) if sees else set()
            listed = await all_pages(client, "/api/v1/tasks", caller, q=q, **window)
            assert {uuid.UUID(item["id"]) for item in listed} == expected, q
            dues = [item["due_at"] for item in listed]
            assert dues == sorted(dues), q
    finally:
        await conn.close()


async def test_the_index_never_drops_a_match_anywhere_in_the_table(
    database_url: str, corpus: tuple[Any, Any]
) -> None:
    """Over every task in the table (other tests' too), with the planner made to use the
    gram index, the search condition selects exactly the rows the ILIKE selects."""
    conn = await asyncpg.connect(plain_url(database_url))
    try:
        async with conn.transaction():
            await conn.execute("SET LOCAL enable_seqscan = off")
            for q in QUERIES + _substrings(CORPUS, 60):
                statement = Statement()
                statement.search(q, "t.title", "t.search_grams")
                select = f"SELECT t.id FROM tasks t WHERE {statement.where_sql}"
                plan = await conn.fetchval(f"EXPLAIN (FORMAT JSON) {select}", *statement.params)
                assert "ix_tasks_search_grams" in plan, q
                searched = {r["id"] for r in await conn.fetch(select, *statement.params)}
                plain = await conn.fetch(
                    "SELECT id FROM tasks WHERE title ILIKE $1 ESCAPE '\\'", _like_pattern(q)
                )
                assert searched == {r["id"] for r in plain}, q
    finally:
        await conn.close()


@pytest.mark.parametrize("kind", ["tasks", "issues"])
async def test_an_edited_title_is_found_under_the_new_title_only(
    client: httpx.AsyncClient, world: World, kind: str
) -> None:
    old, new = f"旧标题{uuid.uuid4().hex[:8]}", f"新標題{uuid.uuid4().hex[:8]}Ab"
    if kind == "tasks":
        hdrs = headers(world, Role.officer, "S12")
        item_id = (await create_task(client, world, "S12", "M121", title=old))["id"]
    else:
        hdrs = headers(world, Role.officer, "M121")
        body = {"title": old, "category": "land"}
        created = await client.post("/api/v1/issues", json=body, headers=hdrs)
        assert created.status_code == 201, created.text
        item_id = created.json()["id"]

    async def found(q: str) -> list[str]:
        listed = await client.get(f"/api/v1/{kind}", params={"q": q}, headers=hdrs)
        assert listed.status_code == 200, listed.text
        return [item["id"] for item in listed.json()["items"]]

    assert await found(old) == [item_id]
    edited = await client.patch(f"/api/v1/{kind}/{item_id}", json={"title": new}, headers=hdrs)
    assert edited.status_code == 200, edited.text
    assert await found(old) == []
    assert item_id not in await found(old[:3])
    assert await found(new) == [item_id]
    assert await found(new.lower()) == [item_id]
