"""Each domain's statements live in its repository (see "Three ways to the database" in
docs/architecture.md): no other module runs SQL, and a repository writes only the tables
its own domain defines."""

import ast
import re
from pathlib import Path
from typing import Any

import asyncpg
import pytest
from sqlmodel import SQLModel

import app
from app.models import import_all_models

APP = Path(app.__file__).parent
# Calls that run a statement, on a session or an asyncpg connection.
RUNS_SQL = {"execute", "fetch", "fetchrow", "fetchval", "executemany", "scalar", "scalars"}
# Machinery that is not a domain: pools, idempotency keys, migrations. The demo loader
# writes its fixtures, plays the demo through the services, then moves every timestamp
# it wrote to the demo's dates, table by table; it never runs in production.
MACHINERY = {
    "core/db.py",
    "core/idempotency.py",
    "core/migrate.py",
    "core/sql_files.py",
    "core/repository.py",
    "core/sql.py",
}
LOADERS = ("demo/",)
WRITES = re.compile(r"\b(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+([a-z_]+)", re.IGNORECASE)
ORM_WRITES = {"update", "insert", "delete"}


def _modules() -> list[tuple[str, ast.Module]]:
    return [
        (str(path.relative_to(APP)), ast.parse(path.read_text(), str(path)))
        for path in sorted(APP.rglob("*.py"))
    ]


def _owners() -> dict[str, str]:
    """Table name -> the domain package whose models.py defines it."""
    import_all_models()
    owners = {}
    for mapper in SQLModel._sa_registry.mappers:
        package = mapper.class_.__module__.split(".")[1]
        owners[str(mapper.class_.__tablename__)] = "core" if package == "core" else package
    return owners


def _is_repository(name: str) -> bool:
    return name.endswith("/repository.py")


def test_only_repositories_run_sql() -> None:
    found = []
    for name, tree in _modules():
        if _is_repository(name) or name in MACHINERY or name.startswith(LOADERS):
            continue
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and (
                    node.func.attr in RUNS_SQL
                    or (node.func.attr in ("add", "delete") and _names_session(node.func.value))
                )
            ):
                found.append(f"{name}:{node.lineno} .{node.func.attr}()")
    assert found == [], "SQL outside a repository:\n" + "\n".join(found)


def _names_session(value: ast.expr) -> bool:
    return (isinstance(value, ast.Name) and value.id == "session") or (
        isinstance(value, ast.Attribute) and value.attr == "session"
    )


def test_repositories_write_only_their_own_tables() -> None:
    owners = _owners()
    models = {m.class_.__name__: str(m.class_.__tablename__) for m in SQLModel._sa_registry.mappers}
    found = []
    for name, tree in _modules():
        if not _is_repository(name):
            continue
        domain = name.split("/")[0]
        for node in ast.walk(tree):
            written: list[str] = []
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                written = WRITES.findall(node.value)
            elif isinstance(node, ast.Call) and node.args:
                func, first = node.func, node.args[0]
                called = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
                if called in ORM_WRITES and isinstance(first, ast.Name) and first.id in models:
                    written = [models[first.id]]
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id in models  # a new row of that table
            ):
                written.append(models[node.func.id])
            for table in written:
                if table in owners and owners[table] != domain:
                    found.append(f"{name}:{getattr(node, 'lineno', '?')} writes {table}")
    assert found == [], "a repository writes another domain's table:\n" + "\n".join(found)


DOMAINS = sorted({p.parent.name for p in APP.glob("*/models.py")} - {"core"})


@pytest.mark.parametrize("package", DOMAINS)
def test_every_domain_with_tables_has_a_repository(package: str) -> None:
    assert (APP / package / "repository.py").exists(), package


async def test_plain_sql_first_in_a_write_is_inside_its_transaction(database_url: str) -> None:
    """A write whose first statement is plain SQL (no ORM statement began the transaction)
    still rolls back as a whole."""
    import uuid

    from app.core.db import reader, sessionmaker
    from app.meta.repository import MetaRepository

    key = f"rollback-{uuid.uuid4().hex[:8]}"
    async with sessionmaker()() as session:
        meta = await MetaRepository.writing(session)
        connection = await meta.connection()
        await connection.execute("INSERT INTO app_meta (key, value) VALUES ($1, '1'::jsonb)", key)
        await session.rollback()
    async with reader() as connection:
        assert await MetaRepository(connection).value(key) is None


async def test_a_safe_request_reads_on_one_connection_and_gives_it_back(
    client: Any, world: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A list reads its caller and then its page: on one read-pool connection, taken once
    and back in the pool when the answer has gone; a write's reads take their own."""
    from app.access.roles import Role
    from app.core.db import read_pool

    pool = await read_pool()
    acquired: list[Any] = []
    acquire = asyncpg.Pool.acquire

    def counted(self: asyncpg.Pool, *args: Any, **kwargs: Any) -> Any:
        acquired.append(self)
        return acquire(self, *args, **kwargs)

    monkeypatch.setattr(asyncpg.Pool, "acquire", counted)
    idle = pool.get_idle_size()
    hdrs = world.actor(Role.officer, "S11").headers
    for path in ("/api/v1/tasks", "/api/v1/issues?sort=due_at", "/api/v1/me"):
        acquired.clear()
        response = await client.get(path, headers=hdrs)
        assert response.status_code == 200, response.text
        assert acquired == [pool], path
        assert pool.get_idle_size() == idle
    acquired.clear()
    response = await client.post("/api/v1/tasks", json={}, headers=hdrs)
    assert response.status_code == 422
    assert acquired == [pool]  # the caller's read, given back before the write goes on
    assert pool.get_idle_size() == idle


async def test_reads_held_hand_the_connection_back_after_an_error(database_url: str) -> None:
    from app.core.db import read_pool, reader, reads_held

    pool = await read_pool()
    async with reader():
        pass  # the pool holds a connection that is now idle
    idle = pool.get_idle_size()
    with pytest.raises(RuntimeError):
        async with reads_held():
            async with reader() as first:
                await first.fetchval("SELECT 1")
            async with reader() as second:
                assert second is first
            assert pool.get_idle_size() == idle - 1
            raise RuntimeError("the handler failed")
    assert pool.get_idle_size() == idle
    async with reader() as connection:
        assert await connection.fetchval("SELECT 2") == 2
