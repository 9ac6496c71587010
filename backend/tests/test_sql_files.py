"""The versioned SQL files under migrations/sql/ (app/core/sql_files.py).

A file that a migration loads is never edited afterwards: each `load_sql(name, sha256)` in
a migration states the file's hash, and these tests hold every file to it. The database
after `alembic upgrade head` holds exactly the functions and triggers the files define,
and migration 0006, which moved the definitions out of 0001, 0003 and 0005, changed none
of them.
"""

import ast
import asyncio
import re
from dataclasses import dataclass
from pathlib import Path

import asyncpg
import pytest
from alembic.script import ScriptDirectory

from app.core.db_urls import plain_url
from app.core.migrate import alembic_config, upgrade
from app.core.sql_files import (
    SQL_DIR,
    SqlFileChanged,
    SqlSplitError,
    read_sql,
    sha256_of,
    split_statements,
)

NEW_FILE_HINT = (
    "A SQL file that a migration loads is never edited: restore it and put the change in "
    "a new file (sql/00NN_<topic>.sql) loaded by a new migration; see "
    "backend/migrations/sql/README.md."
)


@dataclass(frozen=True)
class Load:
    """One `load_sql(name, sha256)` call in a migration."""

    revision: str
    migration: Path
    function: str  # "upgrade" or "downgrade"
    name: str
    sha256: str
    line: int

    @property
    def where(self) -> str:
        return f"{self.migration.name}:{self.line} ({self.function})"


def _migrations() -> list[tuple[str, Path]]:
    """(revision, file) of every migration, base first."""
    scripts = ScriptDirectory.from_config(alembic_config())
    found = [(s.revision, Path(s.path)) for s in scripts.walk_revisions("base", "heads")]
    return list(reversed(found))


def _is_load_sql(node: ast.AST) -> bool:
    if not isinstance(node, ast.Call):
        return False
    f = node.func
    return (isinstance(f, ast.Name) and f.id == "load_sql") or (
        isinstance(f, ast.Attribute) and f.attr == "load_sql"
    )


def _loads() -> list[Load]:
    """Every load_sql call of every migration, in migration order, read from the source."""
    loads: list[Load] = []
    for revision, path in _migrations():
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        inside = 0
        for node in tree.body:
            if not isinstance(node, ast.FunctionDef):
                continue
            for call in ast.walk(node):
                if not _is_load_sql(call):
                    continue
                assert isinstance(call, ast.Call)
                inside += 1
                args = call.args
                assert (
                    node.name in ("upgrade", "downgrade")
                    and len(args) == 2
                    and not call.keywords
                    and all(isinstance(a, ast.Constant) and isinstance(a.value, str) for a in args)
                ), (
                    f"{path.name}:{call.lineno}: call load_sql from upgrade() or downgrade() "
                    f'with the file name and its SHA-256 as literals: load_sql("00NN_x.sql", '
                    f'"<sha256>"), so that the tests can read them'
                )
                name, sha256 = (str(a.value) for a in args if isinstance(a, ast.Constant))
                loads.append(Load(revision, path, node.name, name, sha256, call.lineno))
        everywhere = sum(1 for n in ast.walk(tree) if _is_load_sql(n))
        assert everywhere == inside, f"{path.name}: load_sql called outside a function"
    return loads


def _upgrade_loads() -> list[Load]:
    return [load for load in _loads() if load.function == "upgrade"]


# The files and the migrations ------------------------------------------------------------


def test_migration_0006_loads_the_audit_stats_and_feed_files() -> None:
    loaded = {(load.revision, load.name) for load in _upgrade_loads()}
    assert {
        ("0006", "0006_audit.sql"),
        ("0006", "0006_stats.sql"),
        ("0006", "0006_feeds.sql"),
    } <= loaded


def test_every_sql_file_is_loaded_by_exactly_one_migration() -> None:
    files = sorted(p.name for p in SQL_DIR.glob("*.sql"))
    assert files
    for name in files:
        loaders = [load.where for load in _upgrade_loads() if load.name == name]
        assert len(loaders) == 1, (
            f"migrations/sql/{name} must be loaded by the upgrade of exactly one migration; "
            f"loaded by {loaders or 'none'} (a downgrade may reload an earlier file, stating "
            f"its hash)"
        )


def test_a_file_is_named_after_the_migration_that_loads_it() -> None:
    for load in _upgrade_loads():
        assert load.name.startswith(f"{load.revision}_"), (
            f"{load.where} loads {load.name}: a migration's new files are named "
            f"{load.revision}_<topic>.sql"
        )


def test_every_stated_file_exists_with_the_stated_hash() -> None:
    loads = _loads()
    assert loads
    for load in loads:
        path = SQL_DIR / load.name
        assert path.is_file(), f"{load.where} loads migrations/sql/{load.name}, which is missing"
        actual = sha256_of(path)
        assert actual == load.sha256, (
            f"migrations/sql/{load.name} has changed: {load.where} states sha256 "
            f"{load.sha256}, the file now has {actual}. {NEW_FILE_HINT}"
        )


def test_every_file_splits_into_statements() -> None:
    for path in sorted(SQL_DIR.glob("*.sql")):
        statements = split_statements(path.read_text(encoding="utf-8"))
        assert statements, path.name
        for statement in statements:
            assert not statement.endswith(";")
            # DDL, and the DO block procrastinate's schema opens with (CREATE EXTENSION
            # that tolerates managed servers).
            assert re.match(r"(CREATE|DROP|ALTER|COMMENT|DO)\b", statement, re.IGNORECASE), (
                f"{path.name}: a SQL file holds DDL (schema objects, functions, triggers): "
                f"{statement[:120]}"
            )


def test_read_sql_refuses_an_edited_file(tmp_path: Path) -> None:
    path = tmp_path / "0099_demo.sql"
    path.write_text(
        "CREATE OR REPLACE FUNCTION demo() RETURNS int LANGUAGE sql AS $$ SELECT 1 $$;\n"
    )
    stated = sha256_of(path)
    assert read_sql("0099_demo.sql", stated, tmp_path).startswith("CREATE")

    path.write_text(path.read_text().replace("SELECT 1", "SELECT 2"))
    with pytest.raises(SqlFileChanged, match="new file loaded by a new migration") as refused:
        read_sql("0099_demo.sql", stated, tmp_path)
    assert stated in str(refused.value) and sha256_of(path) in str(refused.value)

    with pytest.raises(FileNotFoundError):
        read_sql("0098_missing.sql", stated, tmp_path)
    with pytest.raises(ValueError, match="SHA-256"):
        read_sql("0099_demo.sql", stated.upper(), tmp_path)
    with pytest.raises(ValueError, match="file name"):
        read_sql("../0099_demo.sql", stated, tmp_path)


# Splitting ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("script", "statements"),
    [
        ("SELECT 1; SELECT 2;", ["SELECT 1", "SELECT 2"]),
        ("-- header; with a semicolon\n\nSELECT 1", ["SELECT 1"]),
        ("SELECT 1; -- trailing comment;\n", ["SELECT 1"]),
        ("/* a; /* nested; */ still; */ SELECT 1;", ["SELECT 1"]),
        ("SELECT 'a;b', 'it''s; ok';", ["SELECT 'a;b', 'it''s; ok'"]),
        ("SELECT E'a\\';b';", ["SELECT E'a\\';b'"]),
        ('SELECT 1 AS "x;y";', ['SELECT 1 AS "x;y"']),
        (
            "CREATE FUNCTION f() RETURNS int LANGUAGE plpgsql AS $$\n"
            "BEGIN\n    PERFORM 1; -- it's a comment; /* in the body\n    RETURN 1;\nEND $$;\n"
            "SELECT f();",
            [
                "CREATE FUNCTION f() RETURNS int LANGUAGE plpgsql AS $$\n"
                "BEGIN\n    PERFORM 1; -- it's a comment; /* in the body\n    RETURN 1;\nEND $$",
                "SELECT f()",
            ],
        ),
        (
            "CREATE FUNCTION f() RETURNS text LANGUAGE plpgsql AS $body$\n"
            "BEGIN RETURN $$;'$$; END $body$;\nSELECT 2",
            [
                "CREATE FUNCTION f() RETURNS text LANGUAGE plpgsql AS $body$\n"
                "BEGIN RETURN $$;'$$; END $body$",
                "SELECT 2",
            ],
        ),
        ("SELECT $1::int; SELECT a$b FROM t;", ["SELECT $1::int", "SELECT a$b FROM t"]),
        (";;  ;", []),
    ],
)
def test_split_statements(script: str, statements: list[str]) -> None:
    assert split_statements(script) == statements


@pytest.mark.parametrize(
    "script",
    [
        "SELECT 'unterminated",
        'SELECT "unterminated',
        "SELECT $$ unterminated",
        "SELECT 1 /* unterminated",
        "CREATE FUNCTION f() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT 1; END;",
        "BEGIN; SELECT 1; COMMIT;",
        "SELECT 1; commit",
    ],
)
def test_split_statements_refuses(script: str) -> None:
    with pytest.raises(SqlSplitError):
        split_statements(script)


# The database ----------------------------------------------------------------------------

FUNCTIONS = """
    SELECT p.oid::regprocedure::text AS name, pg_get_functiondef(p.oid) AS definition,
        p.prosrc AS body
    FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
    WHERE n.nspname = 'public'
"""
TRIGGERS = """
    SELECT t.tgname || ' ON ' || t.tgrelid::regclass::text AS name,
        pg_get_triggerdef(t.oid) AS definition
    FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
    JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE NOT t.tgisinternal AND n.nspname = 'public'
"""
# procrastinate's schema, vendored unchanged and run once in its own schema: not ours to
# replay (it creates tables and types), and none of its objects live in public.
JOB_QUEUE_FILES = re.compile(r"[0-9]{4}_procrastinate_")


def _ours(name: str) -> bool:
    return not JOB_QUEUE_FILES.match(name)


_CREATED = re.compile(
    r"CREATE\s+(?:OR\s+REPLACE\s+)?(?:CONSTRAINT\s+)?(FUNCTION|TRIGGER)\s+(?:public\.)?(\w+)",
    re.IGNORECASE,
)
_TOKEN = re.compile(r"'(?:[^']|'')*'|--[^\n]*|\$\w*\$|\w+|\S")


async def _definitions(conn: asyncpg.Connection) -> tuple[dict[str, str], dict[str, str]]:
    """({function signature: definition}, {trigger ON table: definition}) of the database."""
    functions = {r["name"]: r["definition"] for r in await conn.fetch(FUNCTIONS)}
    triggers = {r["name"]: r["definition"] for r in await conn.fetch(TRIGGERS)}
    return functions, triggers


def _tokens(sql: str) -> list[str]:
    """The SQL's tokens without comments: equal for texts that differ only in layout."""
    return [t for t in _TOKEN.findall(sql) if not t.startswith("--")]


def _named_in_files() -> tuple[set[str], set[str]]:
    """(function names, trigger names) that the SQL files create."""
    functions: set[str] = set()
    triggers: set[str] = set()
    for path in SQL_DIR.glob("*.sql"):
        if not _ours(path.name):
            continue
        for statement in split_statements(path.read_text(encoding="utf-8")):
            created = _CREATED.match(statement)
            if created:
                kind, name = created.groups()
                (functions if kind.upper() == "FUNCTION" else triggers).add(name)
    return functions, triggers


async def test_after_upgrade_head_the_database_holds_exactly_what_the_files_define(
    database_url: str,
) -> None:
    """Every function and trigger comes from a file, and running the files again, in
    migration order, changes no definition and adds nothing: the database is the files."""
    file_functions, file_triggers = _named_in_files()
    assert {"stats_rebuild", "stats_compact", "task_feed_add", "audit_log_is_append_only"} <= (
        file_functions
    )
    conn = await asyncpg.connect(plain_url(database_url))
    try:
        functions, triggers = await _definitions(conn)
        assert {f.partition("(")[0] for f in functions} <= file_functions, (
            "a function in the database is not defined by a migrations/sql file"
        )
        assert {t.partition(" ")[0] for t in triggers} <= file_triggers, (
            "a trigger in the database is not defined by a migrations/sql file"
        )
        transaction = conn.transaction()
        await transaction.start()
        try:
            await conn.execute("SET LOCAL lock_timeout = '10s'")
            # Older files may name columns a later migration changed; their bodies need
            # not validate again, only be stored and compared.
            await conn.execute("SET LOCAL check_function_bodies = off")
            for load in filter(lambda load: _ours(load.name), _upgrade_loads()):
                for statement in split_statements(read_sql(load.name, load.sha256)):
                    await conn.execute(statement)
            replayed = await _definitions(conn)
        finally:
            await transaction.rollback()
    finally:
        await conn.close()
    assert replayed == (functions, triggers), (
        "running the migrations/sql files again changes the database: a function or trigger "
        "was created, changed or dropped outside the SQL files"
    )


async def _definitions_at(database_url: str) -> tuple[dict[str, str], dict[str, str], set[str]]:
    conn = await asyncpg.connect(plain_url(database_url))
    try:
        functions, triggers = await _definitions(conn)
        bodies = {r["body"] for r in await conn.fetch(FUNCTIONS)}
    finally:
        await conn.close()
    return functions, triggers, bodies


async def test_0006_changes_no_function_or_trigger(fresh_database: str) -> None:
    """The files hold what 0001, 0003 and 0005 created: token for token, outside comments
    and layout, every function is the same, and every trigger exactly the same."""
    await asyncio.to_thread(upgrade, fresh_database, "0005")
    before, triggers_before, bodies_before = await _definitions_at(fresh_database)
    await asyncio.to_thread(upgrade, fresh_database, "0006")
    after, triggers_after, bodies_after = await _definitions_at(fresh_database)

    assert len(before) >= 17 and len(triggers_before) == 14
    assert sorted(after) == sorted(before)
    for name, definition in before.items():
        assert _tokens(after[name]) == _tokens(definition), name
    assert triggers_after == triggers_before
    assert bodies_after != bodies_before, "0006 did not reload the function bodies"
