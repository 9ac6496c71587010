"""The to-do's statements: the counts and a page of the items of every kind, in one
statement each, from the items' partial indexes (see app/workitems/models.py)."""

import uuid
from collections.abc import Sequence
from datetime import datetime

import asyncpg

from app.access.scope import Principal
from app.core.repository import Repository
from app.core.sql import Statement
from app.workitems.models import COLOUR_COLUMNS
from app.workitems.repository import TodoSource, served_units_sql


def _union(statement: Statement, principal: Principal, kinds: Sequence[TodoSource]) -> str:
    """SQL: one row per (kind, item) in the caller's to-do. The units each set of grant
    units serves are gathered once (kinds needing the same permission share them)."""
    served: dict[tuple[uuid.UUID, ...], str] = {}
    ctes, branches = [], []

    def serve(units: list[uuid.UUID]) -> str:
        key = tuple(units)
        if key not in served:
            served[key] = name = f"served_{len(served)}"
            ctes.append(f"{name} AS MATERIALIZED ({served_units_sql(statement.param(units))})")
        return served[key]

    for kind in kinds:
        if not kind.units(principal):
            continue
        t = kind.table.alias
        source, on_behalf_of = kind.source(statement, principal, serve)
        branches.append(
            f"SELECT '{kind.name}'::text AS kind, '{kind.item_type.value}'::text AS item_type,"
            f" {t}.id AS item_id, {t}.title, {t}.due_at, {t}.status,"
            f" {', '.join(f'{t}.{column}' for column in COLOUR_COLUMNS)},"
            f" {on_behalf_of} AS on_behalf_of_org_id FROM {source}"
        )
    if not branches:
        return ""
    head = f"WITH {', '.join(ctes)} " if ctes else ""
    return f"{head}SELECT * FROM ({' UNION ALL '.join(branches)}) todo"


class TodoRepository(Repository):
    # ---------------------------------------------------------------- reads (plain SQL)

    async def counts(self, principal: Principal, kinds: Sequence[TodoSource]) -> dict[str, int]:
        """How many items wait on the caller, per kind (kinds with none are left out)."""
        statement = Statement()
        union = _union(statement, principal, kinds)
        if not union:
            return {}
        rows = await self.fetch(
            f"SELECT kind, count(*) AS n FROM ({union}) counted GROUP BY kind", *statement.params
        )
        return {row["kind"]: row["n"] for row in rows}

    async def page(
        self,
        principal: Principal,
        kinds: Sequence[TodoSource],
        *,
        after: tuple[datetime, str, uuid.UUID] | None,
        limit: int,
    ) -> list[asyncpg.Record]:
        """At most `limit` items by (due_at, kind, item_id), after `after`."""
        statement = Statement()
        union = _union(statement, principal, kinds)
        if not union:
            return []
        where = "TRUE"
        if after is not None:
            at, kind, item = (statement.param(value) for value in after)
            where = (
                f"(x.due_at, x.kind, x.item_id) > ({at}::timestamptz, {kind}::text, {item}::uuid)"
            )
        rows: list[asyncpg.Record] = await self.fetch(
            f"SELECT x.*, b.name AS on_behalf_of_org_name FROM ({union}) x"
            " LEFT JOIN org_units b ON b.id = x.on_behalf_of_org_id"
            f" WHERE {where} ORDER BY x.due_at, x.kind, x.item_id LIMIT {statement.param(limit)}",
            *statement.params,
        )
        return rows
