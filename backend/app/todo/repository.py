"""The to-do's statement: the counts and a page of the items of every kind, together in
one statement, from the items' partial indexes (see app/workitems/models.py)."""

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from app.access.scope import Principal
from app.core.repository import Repository
from app.core.sql import Statement
from app.workitems.models import COLOUR_COLUMNS
from app.workitems.repository import TodoSource, served_units_sql


def _todo_ctes(statement: Statement, principal: Principal, kinds: Sequence[TodoSource]) -> str:
    """SQL: the CTEs ending in `todo`, one row per (kind, item) in the caller's to-do (""
    when no kind applies to the caller). The units each set of grant units serves are
    gathered once (kinds needing the same permission share them)."""
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
    ctes.append(f"todo AS MATERIALIZED ({' UNION ALL '.join(branches)})")
    return f"WITH {', '.join(ctes)}"


class TodoRepository(Repository):
    # ---------------------------------------------------------------- reads (plain SQL)

    async def read(
        self,
        principal: Principal,
        kinds: Sequence[TodoSource],
        *,
        listed: str | None,
        after: tuple[datetime, str, uuid.UUID] | None,
        limit: int,
    ) -> tuple[dict[str, int], list[dict[str, Any]]]:
        """How many items wait on the caller, per kind (kinds with none are left out), and
        at most `limit` of them (of kind `listed` when given) by (due_at, kind, item_id),
        after `after`: in one statement, which gathers the to-do once for both."""
        statement = Statement()
        ctes = _todo_ctes(statement, principal, kinds)
        if not ctes:
            return {}, []
        where = ["TRUE"]
        if listed is not None:
            where.append(f"x.kind = {statement.param(listed)}::text")
        if after is not None:
            at, kind, item = (statement.param(value) for value in after)
            where.append(
                f"(x.due_at, x.kind, x.item_id) > ({at}::timestamptz, {kind}::text, {item}::uuid)"
            )
        rows = await self.fetch(
            f"{ctes}, counts AS ("
            " SELECT array_agg(kind) AS counted_kinds, array_agg(n) AS counted FROM ("
            " SELECT kind, count(*) AS n FROM todo GROUP BY kind) per_kind),"
            " page AS (SELECT x.*, b.name AS on_behalf_of_org_name FROM todo x"
            " LEFT JOIN org_units b ON b.id = x.on_behalf_of_org_id"
            f" WHERE {' AND '.join(where)}"
            f" ORDER BY x.due_at, x.kind, x.item_id LIMIT {statement.param(limit)})"
            " SELECT counts.*, page.* FROM counts LEFT JOIN page ON TRUE"
            " ORDER BY page.due_at, page.kind, page.item_id",
            *statement.params,
        )
        counted = dict(zip(rows[0]["counted_kinds"] or (), rows[0]["counted"] or (), strict=True))
        items = [dict(row) for row in rows if row["item_id"] is not None]
        for shown in items:
            del shown["counted_kinds"], shown["counted"]
        return counted, items
