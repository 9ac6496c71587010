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
from app.workitems.repository import TodoKind, served_units_sql


def _union(statement: Statement, principal: Principal, kinds: Sequence[TodoKind]) -> str:
    """SQL: one row per (kind, item) in the caller's to-do. The units each set of grant
    units serves are gathered once (kinds needing the same permission share them)."""
    served: dict[tuple[uuid.UUID, ...], str] = {}
    ctes, branches = [], []
    for kind in kinds:
        units = tuple(kind.units(principal))
        if not units:
            continue
        if units not in served:
            served[units] = name = f"served_{len(served)}"
            ctes.append(
                f"{name} AS MATERIALIZED ({served_units_sql(statement.param(list(units)))})"
            )
        t, s = kind.table.alias, served[units]
        # The acting unit also as one of an array of the served units: an index condition
        # on the kind's partial index (acting unit first), so PostgreSQL reads just the
        # served units' entries. Joined alone, the served units (a handful, estimated at
        # hundreds) look dear to look up one by one, and the whole index is read instead.
        branches.append(
            f"SELECT '{kind.name}'::text AS kind, '{kind.item_type.value}'::text AS item_type,"
            f" {t}.id AS item_id, {t}.title, {t}.due_at, {t}.status,"
            f" {', '.join(f'{t}.{column}' for column in COLOUR_COLUMNS)},"
            f" CASE WHEN {s}.id <> {s}.at_id THEN {s}.id END AS on_behalf_of_org_id"
            f" FROM {kind.table.name} {t} JOIN {s} ON {kind.mine(statement, principal, s)}"
            f" WHERE {t}.{kind.acting[0]} = ANY (ARRAY(SELECT id FROM {s}))"
        )
    if not branches:
        return ""
    return f"WITH {', '.join(ctes)} SELECT * FROM ({' UNION ALL '.join(branches)}) todo"


class TodoRepository(Repository):
    # ---------------------------------------------------------------- reads (plain SQL)

    async def counts(self, principal: Principal, kinds: Sequence[TodoKind]) -> dict[str, int]:
        """How many items wait on the caller, per kind (kinds with none are left out)."""
        statement = Statement()
        union = _union(statement, principal, kinds)
        if not union:
            return {}
        rows = await (await self.connection()).fetch(
            f"SELECT kind, count(*) AS n FROM ({union}) counted GROUP BY kind", *statement.params
        )
        return {row["kind"]: row["n"] for row in rows}

    async def page(
        self,
        principal: Principal,
        kinds: Sequence[TodoKind],
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
        rows: list[asyncpg.Record] = await (await self.connection()).fetch(
            f"SELECT x.*, b.name AS on_behalf_of_org_name FROM ({union}) x"
            " LEFT JOIN org_units b ON b.id = x.on_behalf_of_org_id"
            f" WHERE {where} ORDER BY x.due_at, x.kind, x.item_id LIMIT {statement.param(limit)}",
            *statement.params,
        )
        return rows
