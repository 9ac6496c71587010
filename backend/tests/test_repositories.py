"""Each domain's statements live in its repository (see "Three ways to the database" in
docs/architecture.md): no other module runs SQL, and a repository writes only the tables
its own domain defines."""

import ast
import re
from pathlib import Path

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
