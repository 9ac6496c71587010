"""Migrations on a fresh database: upgrade matches the models exactly; downgrade undoes all."""

import asyncio
from typing import Any

import asyncpg
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import create_async_engine

from app.core.db import metadata
from app.core.db_urls import plain_url
from app.core.migrate import downgrade, upgrade
from app.models import import_all_models


def _differences(connection: Connection) -> list[Any]:
    context = MigrationContext.configure(
        connection, opts={"compare_type": True, "compare_server_default": True}
    )
    diffs: list[Any] = compare_metadata(context, metadata)
    return diffs


async def _inspect(database_url: str) -> tuple[list[Any], set[str], set[str], set[str]]:
    """(autogenerate differences, tables, functions, triggers) of the public schema."""
    engine = create_async_engine(database_url)
    try:
        async with engine.connect() as connection:
            diffs = await connection.run_sync(_differences)
        conn = await asyncpg.connect(plain_url(database_url))
        try:
            tables = {
                r["tablename"]
                for r in await conn.fetch(
                    "SELECT tablename FROM pg_tables WHERE schemaname = 'public'"
                )
            }
            functions = {
                r["proname"]
                for r in await conn.fetch(
                    "SELECT p.proname FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace "
                    "WHERE n.nspname = 'public'"
                )
            }
            triggers = {
                r["tgname"]
                for r in await conn.fetch("SELECT tgname FROM pg_trigger WHERE NOT tgisinternal")
            }
        finally:
            await conn.close()
    finally:
        await engine.dispose()
    return diffs, tables, functions, triggers


async def test_upgrade_matches_models_and_downgrade_undoes_everything(
    fresh_database: str,
) -> None:
    import_all_models()
    model_tables = set(metadata.tables)
    assert {"org_units", "users", "grants", "audit_log", "refresh_tokens"} <= model_tables

    await asyncio.to_thread(upgrade, fresh_database)
    diffs, tables, functions, triggers = await _inspect(fresh_database)
    assert diffs == [], diffs
    assert tables == model_tables | {"alembic_version"}
    assert "audit_log_is_append_only" in functions
    assert {"audit_log_no_change", "audit_log_no_truncate"} <= triggers

    await asyncio.to_thread(downgrade, fresh_database)
    diffs, tables, functions, triggers = await _inspect(fresh_database)
    assert tables == {"alembic_version"}
    assert functions == set()
    assert triggers == set()
    assert diffs, "with every table gone, the models must differ from the database"

    await asyncio.to_thread(upgrade, fresh_database)
    diffs, tables, _, triggers = await _inspect(fresh_database)
    assert diffs == [], diffs
    assert tables == model_tables | {"alembic_version"}
    assert {"audit_log_no_change", "audit_log_no_truncate"} <= triggers
