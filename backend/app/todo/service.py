"""My to-do (待办): the items whose unit that must act is one where I hold the needed
permission (not a unit below it: that is supervision), or whose unit has no logins and
I hold it at its nearest ancestor with logins, from the side separation of duties gives
me. Exact counts per kind and a keyset page of the items, by due date.

Each domain adds its kinds to KINDS (a work-item kind's `todo_kinds`); each kind is also
its list's filter (`GET /tasks?todo=verify`), built from the same SQL.
"""

from datetime import datetime
from typing import Any

from app.access.scope import Principal
from app.core.db import reader
from app.core.errors import Unprocessable
from app.core.models import utcnow
from app.core.pagination import cursor_text, cursor_time, cursor_uuid, decode_cursor, page_of
from app.issues.service import KIND as ISSUES
from app.tasks.service import KIND as TASKS
from app.todo.repository import TodoRepository
from app.workitems.colour import colour_at
from app.workitems.models import COLOUR_COLUMNS, Colour
from app.workitems.repository import TodoSource

KINDS: tuple[TodoSource, ...] = (*TASKS.todo_kinds, *ISSUES.todo_kinds)
# A kind on both tables (supervise, chase_ack) counts its tasks and issues together.
KIND_NAMES = tuple(dict.fromkeys(kind.name for kind in KINDS))


def colour_of(row: dict[str, Any], now: datetime) -> Colour:
    """An item's colour now, from its colour moments."""
    return colour_at(row["red_from"], row["yellow"], row["yellow_from"], row["blue_from"], now)


async def todo(
    principal: Principal, *, kind: str | None, limit: int, cursor: str | None
) -> dict[str, Any]:
    if kind is not None and kind not in KIND_NAMES:
        raise Unprocessable(f"kind must be one of {', '.join(KIND_NAMES)}.")
    after = decode_cursor(cursor, cursor_time, cursor_text, cursor_uuid)
    now = utcnow()
    async with reader() as connection:
        counts, items = await TodoRepository(connection).read(
            principal,
            KINDS,
            listed=kind,
            after=None if after is None else (after[0], after[1], after[2]),
            limit=limit + 1,
        )
    for item in items:
        item["colour"] = colour_of(item, now)
        for column in COLOUR_COLUMNS:
            del item[column]
    page = page_of(items, limit, lambda r: [r["due_at"].isoformat(), r["kind"], str(r["item_id"])])
    return {
        "counts": {name: counts.get(name, 0) for name in KIND_NAMES},
        "items": page.items,
        "next_cursor": page.next_cursor,
    }
