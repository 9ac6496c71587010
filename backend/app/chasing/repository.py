"""Every statement on chasing_policies and chase_steps, and the sweep's reads of the
items it chases."""

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import asyncpg

from app.access.roles import Perm, role_has
from app.access.scope import Principal
from app.chasing.models import Clock, Step
from app.core.repository import Repository
from app.core.sql import Statement
from app.orgs.models import TIER_KINDS
from app.tasks.models import DUE_STATUSES, TaskStatus
from app.workitems.models import ItemType
from app.workitems.repository import CountedEach, ItemTable, Served, TodoWindow, served_units_sql

_TIER_KIND_VALUES = sorted(k.value for k in TIER_KINDS)


@dataclass(frozen=True)
class Clocked:
    """Items chased against one clock: which (`status`), their deadline, and "the
    deadline is before {at}" in a form the sweep's partial indexes serve; `{x}` is the
    item table's alias."""

    clock: Clock
    status: str
    deadline: str
    before: str


@dataclass(frozen=True)
class Climber:
    """How one kind of item climbs the ladder: its table, its first party (who issued or
    reported it) and its acting party (who must act), each as (unit id, path) columns,
    which of the two the tier above supervises, and its clocks."""

    item_type: ItemType
    table: str
    first: tuple[str, str]
    acting: tuple[str, str]
    supervised: tuple[str, str]
    clocks: tuple[Clocked, ...]


def _statuses(statuses: Sequence[str]) -> str:
    return f"{{x}}.status IN ({','.join(repr(s) for s in sorted(statuses))})"


_ISSUER, _ASSIGNEE = ("issuer_org_id", "issuer_path"), ("assignee_org_id", "assignee_path")
_REPORTER, _HANDLER = ("reporter_org_id", "reporter_path"), ("handler_org_id", "handler_path")
TASKS = Climber(
    ItemType.task,
    "tasks",
    first=_ISSUER,
    acting=_ASSIGNEE,
    supervised=_ISSUER,
    clocks=(
        Clocked(
            Clock.due,
            _statuses([s.value for s in DUE_STATUSES - {TaskStatus.issued}]),
            "{x}.due_at",
            "{x}.due_at < {at}",
        ),
        # Unsigned: chased from its acceptance limit (or its due date, when that is sooner).
        Clocked(
            Clock.acceptance,
            "{x}.status = 'issued'",
            "least({x}.accept_due_at, {x}.due_at)",
            "({x}.accept_due_at < {at} OR {x}.due_at < {at})",
        ),
    ),
)
ISSUES = Climber(
    ItemType.issue,
    "issues",
    first=_REPORTER,
    acting=_HANDLER,
    supervised=_HANDLER,
    clocks=(
        Clocked(
            Clock.due,
            "{x}.status IN ('acknowledged','open')",
            "{x}.due_at",
            "{x}.due_at < {at}",
        ),
    ),
)
CLIMBERS = {climber.item_type: climber for climber in (TASKS, ISSUES)}


def waiting_sql(item_type: ItemType, item: str, step: str) -> str:
    """SQL: the chase_steps row `step` is the item's (table alias `item`) supervision
    waiting on its 督办单 for the deadline in force (the sweep's, CLIMBERS): what the
    supervise to-do, `allowed_actions` and the 督办单 itself read. Stated as
    ix_chase_steps_supervisor_waiting's predicate, so the index answers it."""
    clocks = CLIMBERS[item_type].clocks
    in_force = " ".join(
        f"WHEN {c.status.format(x=item)} THEN {c.deadline.format(x=item)}" for c in clocks
    )
    return (
        f"{step}.entity_id = {item}.id AND {step}.step = 'supervision'"
        f" AND {step}.supervised_at IS NULL AND {step}.deadline = CASE {in_force} END"
    )


def supervisor_path_sql(item_type: ItemType, item: str) -> str:
    """SQL: the path of the unit that must issue the item's 督办单 now; NULL while none
    waits (a column of the item's rows, which `allowed_actions` reads)."""
    return (
        "(SELECT o.path FROM chase_steps c JOIN org_units o ON o.id = c.supervisor_org_id"
        f" WHERE {waiting_sql(item_type, item, 'c')})"
    )


@dataclass(frozen=True)
class SuperviseTodo(CountedEach):
    """The to-do `supervise` (app/todo/): items waiting on a 督办单 from a unit where the
    caller holds chasing.supervise, or from a unit without logins they act for (its
    nearest ancestor with logins); from ix_chase_steps_supervisor_waiting, by unit."""

    item_type: ItemType
    table: ItemTable
    name: str = "supervise"

    def units(self, principal: Principal) -> list[uuid.UUID]:
        return sorted(
            {g.org_id for g in principal.grants if role_has(g.role, Perm.chasing_supervise)}
        )

    def source(
        self, statement: Statement, principal: Principal, served: Served, window: TodoWindow
    ) -> tuple[str, str]:
        """Every waiting item (they are few): the page's window is applied around it."""
        s, t = served(self.units(principal)), self.table.alias
        # The index probed for each unit served, never read whole: an ARRAY() subquery runs
        # once per outer row, where a plain subquery would be flattened into a join over
        # every waiting step.
        return (
            f"{s} CROSS JOIN LATERAL unnest(ARRAY(SELECT w FROM chase_steps w"
            f" WHERE w.supervisor_org_id = {s}.id AND w.step = 'supervision'"
            f" AND w.supervised_at IS NULL AND w.entity_type = '{self.item_type.value}')) c"
            f" JOIN {self.table.name} {t} ON {waiting_sql(self.item_type, t, 'c')}",
            f"CASE WHEN {s}.id <> {s}.at_id THEN {s}.id END",
        )

    def listed(self, statement: Statement, principal: Principal) -> str:
        served = served_units_sql(statement.param(self.units(principal)))
        waiting = waiting_sql(self.item_type, self.table.alias, "c")
        return (
            f"EXISTS (SELECT 1 FROM ({served}) s JOIN chase_steps c"
            f" ON c.supervisor_org_id = s.id WHERE {waiting})"
        )


class ChaseRepository(Repository):
    # ---------------------------------------------------------------- reads (plain SQL)

    async def policies(self) -> list[asyncpg.Record]:
        """Every stored policy, with its root's key."""
        rows: list[asyncpg.Record] = await self.fetch(
            "SELECT p.*, o.key AS root_key FROM chasing_policies p"
            " JOIN org_units o ON o.id = p.root_org_id ORDER BY o.key"
        )
        return rows

    async def policy(self, root_org_id: uuid.UUID) -> asyncpg.Record | None:
        row: asyncpg.Record | None = await self.fetchrow(
            "SELECT * FROM chasing_policies WHERE root_org_id = $1", root_org_id
        )
        return row

    # ---------------------------------------------------------------- inside a write

    async def lock_sweep(self) -> None:
        """One sweep at a time, until this transaction ends: a second one then finds
        every step the first recorded."""
        await self.execute("SELECT pg_advisory_xact_lock(hashtext('chasing_sweep'))")

    async def claim(
        self,
        climber: Climber,
        clocked: Clocked,
        step: Step,
        before: datetime,
        roots: tuple[Sequence[int], bool],
        now: datetime,
    ) -> list[asyncpg.Record]:
        """Record `step` for the items on `clocked` whose deadline is before `before`,
        whose acting party lies under one of the root keys (`roots`: the keys and
        whether they are included or excluded), and that have not taken this step for
        that deadline (items created by `now` only: a sweep replayed at an earlier moment
        sees what existed then): the items, with what their events and notices need."""
        keys, included = roots
        first_org, first_path = climber.first
        acting_org, acting_path = climber.acting
        supervised_org, supervised_path = climber.supervised
        in_roots = f"x.{acting_path}[1] = ANY($1::int[])"
        # The unit that must issue the 督办单: the nearest tier unit above the supervised
        # party, or that party itself at a root.
        supervisor = (
            "CASE WHEN $3 = 'supervision' THEN coalesce((SELECT o.id FROM org_units o"
            f" WHERE o.key = ANY(trim_array(x.{supervised_path}, 1))"
            " AND o.kind = ANY($6::text[]) ORDER BY cardinality(o.path) DESC LIMIT 1),"
            f" x.{supervised_org}) END"
        )
        rows: list[asyncpg.Record] = await self.fetch(
            f"WITH due AS (SELECT x.id, x.title, {clocked.deadline.format(x='x')} AS deadline,"
            f" x.{first_org} AS first_org_id, x.{acting_org} AS acting_org_id,"
            f" x.{first_path} AS first_path, x.{acting_path} AS acting_path,"
            f" (SELECT parent_id FROM org_units WHERE id = x.{acting_org}) AS acting_parent_id,"
            f" {supervisor} AS supervisor_org_id"
            f" FROM {climber.table} x WHERE {clocked.status.format(x='x')}"
            f" AND {clocked.before.format(x='x', at='$2')}"
            f" AND {in_roots if included else f'NOT {in_roots}'} AND x.created_at <= $7"
            " AND NOT EXISTS (SELECT 1 FROM chase_steps c WHERE c.entity_id = x.id"
            f" AND c.step = $3 AND c.deadline = {clocked.deadline.format(x='x')})),"
            " claimed AS (INSERT INTO chase_steps"
            " (entity_id, step, deadline, entity_type, clock, recorded_at, supervisor_org_id)"
            " SELECT id, $3, deadline, $4, $5, $7, supervisor_org_id FROM due ORDER BY id"
            " ON CONFLICT DO NOTHING RETURNING entity_id)"
            " SELECT due.* FROM claimed JOIN due ON due.id = claimed.entity_id ORDER BY due.id",
            list(keys),
            before,
            step.value,
            climber.item_type.value,
            clocked.clock.value,
            _TIER_KIND_VALUES,
            now,
        )
        return rows

    async def waiting_supervision(
        self, climber: Climber, entity_id: uuid.UUID
    ) -> asyncpg.Record | None:
        """The item's supervision waiting on a 督办单 now: its deadline, clock and the unit
        that must issue it (`supervisor_org_id`, `supervisor_path`)."""
        found: asyncpg.Record | None = await self.fetchrow(
            "SELECT c.deadline, c.clock, c.supervisor_org_id, o.path AS supervisor_path"
            f" FROM {climber.table} x JOIN chase_steps c"
            f" ON {waiting_sql(climber.item_type, 'x', 'c')}"
            " JOIN org_units o ON o.id = c.supervisor_org_id WHERE x.id = $1",
            entity_id,
        )
        return found

    async def mark_supervised(
        self, entity_id: uuid.UUID, deadline: datetime, by: uuid.UUID, now: datetime
    ) -> None:
        await self.execute(
            "UPDATE chase_steps SET supervised_at = $3, supervised_by = $4"
            " WHERE entity_id = $1 AND deadline = $2 AND step = 'supervision'",
            entity_id,
            deadline,
            now,
            by,
        )

    async def put_policy(
        self, root_org_id: uuid.UUID, steps: dict[str, int], by: uuid.UUID, now: datetime
    ) -> None:
        columns = list(steps)
        names = ", ".join(columns)
        values = ", ".join(f"${n}" for n in range(4, 4 + len(columns)))
        updates = ", ".join(f"{c} = EXCLUDED.{c}" for c in (*columns, "updated_by", "updated_at"))
        await self.execute(
            f"INSERT INTO chasing_policies (root_org_id, updated_by, updated_at, {names})"
            f" VALUES ($1, $2, $3, {values})"
            f" ON CONFLICT (root_org_id) DO UPDATE SET {updates}",
            root_org_id,
            by,
            now,
            *steps.values(),
        )
