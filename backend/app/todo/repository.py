"""The to-do's statement: the counts and a page of the items of every kind, together in
one statement: the counts from the tallies (app/todo/models.py), the page from the items'
partial indexes (see app/workitems/models.py)."""

import uuid
from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from app.access.scope import Principal
from app.core.db import generic_plans
from app.core.repository import Repository
from app.core.sql import Statement
from app.workitems.models import COLOUR_COLUMNS
from app.workitems.repository import TodoSource, TodoWindow, served_units_sql


def _todo_sql(
    statement: Statement,
    principal: Principal,
    kinds: Sequence[TodoSource],
    listed: str | None,
    window: TodoWindow,
) -> str:
    """SQL: one row per kind of the caller's to-do with its count (`counted_kinds`,
    `counted`), joined to the page's items: those of kind `listed` (every kind when None)
    in `window`, by (due_at, kind, item_id). "" when no kind applies to the caller. The
    units each set of grant units serves are gathered once (kinds needing the same
    permission share them)."""
    served: dict[tuple[uuid.UUID, ...], str] = {}
    ctes, branches = [], []
    families: defaultdict[type, list[TodoSource]] = defaultdict(list)

    def serve(units: list[uuid.UUID]) -> str:
        key = tuple(units)
        if key not in served:
            served[key] = name = f"served_{len(served)}"
            ctes.append(f"{name} AS MATERIALIZED ({served_units_sql(statement.param(units))})")
        return served[key]

    for kind in kinds:
        if not kind.units(principal):
            continue
        families[type(kind)].append(kind)
        if listed is not None and kind.name != listed:
            continue
        t = kind.table.alias
        source, on_behalf_of = kind.source(statement, principal, serve, window)
        branches.append(
            f"SELECT '{kind.name}'::text AS kind, '{kind.item_type.value}'::text AS item_type,"
            f" {t}.id AS item_id, {t}.title, {t}.due_at, {t}.status,"
            f" {', '.join(f'{t}.{column}' for column in COLOUR_COLUMNS)},"
            f" {on_behalf_of} AS on_behalf_of_org_id FROM {source}"
        )
    if not families:
        return ""
    counts = [
        members[0].counted(statement, principal, serve, members) for members in families.values()
    ]
    where = "TRUE"
    if window.after is not None:
        at, kind_after, item = window.after
        where = (
            f"(x.due_at, x.kind, x.item_id) > ({at}::timestamptz, {kind_after}::text, {item}::uuid)"
        )
    none = (
        "SELECT NULL::text AS kind, NULL::text AS item_type, NULL::uuid AS item_id,"
        " NULL::text AS title, NULL::timestamptz AS due_at, NULL::text AS status,"
        f" {', '.join(f'NULL AS {column}' for column in COLOUR_COLUMNS)},"
        " NULL::uuid AS on_behalf_of_org_id WHERE FALSE"
    )
    page = (
        f"SELECT x.* FROM ({' UNION ALL '.join(branches) or none}) x WHERE {where}"
        f" ORDER BY x.due_at, x.kind, x.item_id LIMIT {window.limit}"
    )
    ctes.append(
        "counts AS (SELECT array_agg(kind) AS counted_kinds, array_agg(n) AS counted FROM ("
        " SELECT kind, coalesce(sum(n), 0)::bigint AS n FROM ("
        f"{' UNION ALL '.join(counts)}) k(kind, n)"
        " GROUP BY kind) per_kind)"
    )
    ctes.append(f"page AS ({page})")
    return (
        f"WITH {', '.join(ctes)}"
        # The names of the units acted for, looked up for the page's items only.
        " SELECT counts.*, page.*, b.name AS on_behalf_of_org_name"
        " FROM counts LEFT JOIN page ON TRUE"
        " LEFT JOIN org_units b ON b.id = page.on_behalf_of_org_id"
        " ORDER BY page.due_at, page.kind, page.item_id"
    )


class TodoRepository(Repository):
    async def compact(self) -> None:
        """Fold the tallies' slots into slot 0 and drop the zeros (see models.py)."""
        await self.execute("SELECT todo_compact()")

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
        after `after`: in one statement."""
        statement = Statement()
        bound = None
        if after is not None:
            at, kind, item = after
            bound = (statement.param(at), statement.param(kind), statement.param(item))
        window = TodoWindow(bound, statement.param(limit))
        sql = _todo_sql(statement, principal, kinds, listed, window)
        if not sql:
            return {}, []
        # The statement's shape is fixed by the caller's grants, and its plan does not
        # depend on their values: planned once per connection, not at every call.
        async with generic_plans(await self.connection()):
            rows = await self.fetch(sql, *statement.params)
        counted = dict(zip(rows[0]["counted_kinds"] or (), rows[0]["counted"] or (), strict=True))
        counted = {kind: n for kind, n in counted.items() if n}
        items = [dict(row) for row in rows if row["item_id"] is not None]
        for shown in items:
            del shown["counted_kinds"], shown["counted"]
        return counted, items
