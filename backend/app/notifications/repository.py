"""Every statement on notifications and due_notices."""

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import asyncpg

from app.access.roles import role_has
from app.access.scope import Principal
from app.core.repository import Repository
from app.core.sql import Statement
from app.grants.repository import has_people
from app.notifications.models import UNACKNOWLEDGED, NotificationKind
from app.notifications.schemas import ItemNotice
from app.workitems.models import ItemType
from app.workitems.repository import (
    CountedEach,
    ItemRepository,
    ItemTable,
    Served,
    TodoWindow,
)

_SELECT = (
    "SELECT n.id, n.kind, n.entity_type, n.entity_id, n.org_id, o.name AS org_name,"
    " n.on_behalf_of_org_id, b.name AS on_behalf_of_org_name,"
    " n.title, n.created_at, n.read_at, n.acknowledged_at"
    " FROM notifications n JOIN org_units o ON o.id = n.org_id"
    " LEFT JOIN org_units b ON b.id = n.on_behalf_of_org_id"
)
# The people of the unit `reached` whom notices reach (a LATERAL subquery, `r`): its active
# leaders, officers and liaisons, read by the unit's grants (ix_grants_org_id), not picked
# out of every grant (which cost a notice 10 ms with 9,000 grants).
_RECIPIENTS = (
    "LATERAL (SELECT DISTINCT g.user_id, g.org_id FROM grants g JOIN users u ON u.id = g.user_id"
    " WHERE g.org_id = reached.id AND g.role = ANY({roles}::text[]) AND u.is_active) r"
)
_INSERT = (
    "INSERT INTO notifications"
    " (id, user_id, kind, entity_type, entity_id, org_id, on_behalf_of_org_id, title, created_at)"
)


def _reached(unit_id: str) -> str:
    """SQL (a LATERAL subquery, `reached`): the unit whose people a notice to the unit
    `unit_id` reaches: that unit when it has people, else its nearest ancestor that has."""
    return (
        "LATERAL (SELECT a.id FROM org_units u JOIN org_units a ON a.key = ANY(u.path)"
        f" WHERE u.id = {unit_id} AND {has_people('a.id')}"
        " ORDER BY cardinality(a.path) DESC LIMIT 1) reached"
    )


@dataclass(frozen=True)
class ChaseAckTodo(CountedEach):
    """The to-do `chase_ack` (app/todo/): items with a chasing notice to me that I have not
    acknowledged (已阅), while I still hold a grant (that reads them) at the unit it
    reached me at. Per person, as acknowledgement is: a colleague's 已阅 does not clear
    mine. From ix_notifications_unacknowledged alone (by recipient and the items' due
    date), which the notices' item rows are read for only where the page shows them."""

    item_type: ItemType
    table: ItemTable
    name: str = "chase_ack"

    def units(self, principal: Principal) -> list[uuid.UUID]:
        """Where the caller reads such items (notices to a unit reach its own people)."""
        perm = self.table.read_perm
        return sorted({g.org_id for g in principal.grants if role_has(g.role, perm)})

    def _notices(self, statement: Statement, principal: Principal) -> str:
        """SQL: the caller's notices (`n`) that make this kind's to-do."""
        return (
            f"n.user_id = {statement.param(principal.user_id)}"
            f" AND {UNACKNOWLEDGED.format(n='n.')} AND n.entity_type = '{self.item_type.value}'"
            f" AND n.org_id = ANY ({statement.param(self.units(principal))}::uuid[])"
        )

    def counting(self, statement: Statement, principal: Principal, served: Served) -> str:
        """The notices' items, from the index alone (not the items' rows, as `source`)."""
        return (
            "count(DISTINCT n.entity_id) FROM notifications n"
            f" WHERE {self._notices(statement, principal)}"
        )

    def listed(self, statement: Statement, principal: Principal) -> str:
        return (
            f"{self.table.alias}.id IN (SELECT n.entity_id FROM notifications n"
            f" WHERE {self._notices(statement, principal)})"
        )

    def source(
        self, statement: Statement, principal: Principal, served: Served, window: TodoWindow
    ) -> tuple[str, str]:
        """The first items of the window by their notices' copy of the due date (the
        items' own, see the model), then their rows."""
        t, bound = self.table.alias, window.bound(self.name, "n.item_due_at", "n.entity_id")
        return (
            f"(SELECT DISTINCT ON (n.item_due_at, n.entity_id) n.entity_id FROM notifications n"
            f" WHERE {self._notices(statement, principal)}{bound}"
            f" ORDER BY n.item_due_at, n.entity_id LIMIT {window.limit}) chased"
            f" JOIN {self.table.name} {t} ON {t}.id = chased.entity_id",
            "NULL::uuid",
        )


class NotificationRepository(Repository):
    # ---------------------------------------------------------------- reads (plain SQL)

    async def page(
        self,
        user_id: uuid.UUID,
        *,
        unread: bool | None,
        before: tuple[datetime, uuid.UUID] | None,
        limit: int,
    ) -> list[asyncpg.Record]:
        """Newest first: at most `limit` before (created_at, id) `before`."""
        statement = Statement()
        statement.where(f"n.user_id = {statement.param(user_id)}")
        if unread is not None:
            statement.where(f"n.read_at IS {'' if unread else 'NOT '}NULL")
        if before is not None:
            at, last = statement.param(before[0]), statement.param(before[1])
            statement.where(f"(n.created_at, n.id) < ({at}, {last})")
        rows: list[asyncpg.Record] = await self.fetch(
            f"{_SELECT} WHERE {statement.where_sql}"
            f" ORDER BY n.created_at DESC, n.id DESC LIMIT {statement.param(limit)}",
            *statement.params,
        )
        return rows

    async def unread_count(self, user_id: uuid.UUID) -> int:
        count: int = await self.fetchval(
            "SELECT count(*) FROM notifications WHERE user_id = $1 AND read_at IS NULL", user_id
        )
        return count

    async def row(self, user_id: uuid.UUID, notification_id: uuid.UUID) -> asyncpg.Record | None:
        row: asyncpg.Record | None = await self.fetchrow(
            f"{_SELECT} WHERE n.id = $1 AND n.user_id = $2", notification_id, user_id
        )
        return row

    # ---------------------------------------------------------------- writes

    async def notify_unit(self, notice: ItemNotice, *, roles: Sequence[str], now: datetime) -> None:
        """One notice for each of the unit's people but the actor (of its nearest ancestor
        with people, on its behalf, when it has none)."""
        await self.execute(
            f"{_INSERT} SELECT gen_random_uuid(), r.user_id, $3, $4, $5, r.org_id,"
            " NULLIF($2::uuid, r.org_id), $6, $7"
            f" FROM {_reached('$2::uuid')} CROSS JOIN {_RECIPIENTS.format(roles='$1')}"
            " WHERE r.user_id IS DISTINCT FROM $8",
            list(roles),
            notice.org_id,
            notice.kind.value,
            notice.item_type.value,
            notice.item_id,
            notice.title[:300],
            now,
            notice.actor_id,
        )

    async def notice_due(
        self,
        items: ItemRepository,
        notice: tuple[ItemType, NotificationKind],
        *,
        soon: bool,
        roles: Sequence[str],
        now: datetime,
    ) -> None:
        """Notice the items (of `items`' kind) overdue at `now` or, with `soon`, due soon,
        that are not yet noticed for their due date and unit, as `notice` (their type, the
        notice's kind). The claim in due_notices and the notices go in one statement, so
        concurrent sweeps never notify twice."""
        item_type, kind = notice
        statement = Statement()
        due_sql = items.due_sql(statement, soon=soon, now=now)
        p = statement.param
        # Cast where a parameter meets columns of other types (text and varchar).
        kind_param = f"{p(kind.value)}::text"
        type_param, now_param = f"{p(item_type.value)}::text", f"{p(now)}::timestamptz"
        table = items.table.name
        await self.execute(
            f"WITH due AS ({due_sql}),"
            " claimed AS ("
            " INSERT INTO due_notices (entity_id, kind, org_id, due_at, created_at)"
            f" SELECT d.id, {kind_param}, d.org_id, d.due_at, {now_param} FROM due d"
            " WHERE NOT EXISTS (SELECT 1 FROM due_notices n WHERE n.entity_id = d.id"
            f" AND n.kind = {kind_param} AND n.org_id = d.org_id AND n.due_at = d.due_at)"
            " ON CONFLICT DO NOTHING RETURNING entity_id, org_id)"
            f" {_INSERT} SELECT gen_random_uuid(), r.user_id, {kind_param}, {type_param},"
            f" c.entity_id, r.org_id, NULLIF(c.org_id, r.org_id), left(x.title, 300),"
            f" {now_param} FROM claimed c JOIN {table} x ON x.id = c.entity_id"
            f" CROSS JOIN {_reached('c.org_id')}"
            f" CROSS JOIN {_RECIPIENTS.format(roles=p(list(roles)))}",
            *statement.params,
        )

    async def mark_read(
        self, user_id: uuid.UUID, notification_id: uuid.UUID, now: datetime
    ) -> None:
        await self.execute(
            "UPDATE notifications SET read_at = $3 WHERE id = $1 AND user_id = $2"
            " AND read_at IS NULL",
            notification_id,
            user_id,
            now,
        )

    async def acknowledge(
        self, user_id: uuid.UUID, notification_id: uuid.UUID, now: datetime
    ) -> bool:
        """Acknowledge (已阅, which reads it too); False when it was acknowledged already."""
        status: str = await self.execute(
            "UPDATE notifications SET acknowledged_at = $3, read_at = coalesce(read_at, $3)"
            " WHERE id = $1 AND user_id = $2 AND acknowledged_at IS NULL",
            notification_id,
            user_id,
            now,
        )
        return status.split()[-1] == "1"

    async def mark_all_read(self, user_id: uuid.UUID, now: datetime) -> int:
        status: str = await self.execute(
            "UPDATE notifications SET read_at = $2 WHERE user_id = $1 AND read_at IS NULL",
            user_id,
            now,
        )
        return int(status.split()[-1])
