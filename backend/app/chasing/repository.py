"""Every statement on chasing_policies and chase_steps, and the sweep's reads of the
items it chases."""

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import asyncpg

from app.chasing.models import Clock, Step
from app.core.repository import Repository
from app.orgs.models import TIER_KINDS
from app.tasks.models import DUE_STATUSES, TaskStatus
from app.workitems.models import ItemType

_TIER_KIND_VALUES = sorted(k.value for k in TIER_KINDS)


@dataclass(frozen=True)
class Clocked:
    """Items chased against one clock: which (`status`, on alias x), their deadline, and
    "the deadline is before {0}" in a form the sweep's partial indexes serve."""

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
    return f"x.status IN ({','.join(repr(s) for s in sorted(statuses))})"


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
            "x.due_at",
            "x.due_at < {0}",
        ),
        # Unsigned: chased from its acceptance limit (or its due date, when that is sooner).
        Clocked(
            Clock.acceptance,
            "x.status = 'issued'",
            "least(x.accept_due_at, x.due_at)",
            "(x.accept_due_at < {0} OR x.due_at < {0})",
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
        Clocked(Clock.due, "x.status IN ('acknowledged','open')", "x.due_at", "x.due_at < {0}"),
    ),
)
CLIMBERS = {climber.item_type: climber for climber in (TASKS, ISSUES)}


class ChaseRepository(Repository):
    # ---------------------------------------------------------------- reads (plain SQL)

    async def policies(self) -> list[asyncpg.Record]:
        """Every stored policy, with its root's key."""
        rows: list[asyncpg.Record] = await (await self.connection()).fetch(
            "SELECT p.*, o.key AS root_key FROM chasing_policies p"
            " JOIN org_units o ON o.id = p.root_org_id ORDER BY o.key"
        )
        return rows

    async def policy(self, root_org_id: uuid.UUID) -> asyncpg.Record | None:
        row: asyncpg.Record | None = await (await self.connection()).fetchrow(
            "SELECT * FROM chasing_policies WHERE root_org_id = $1", root_org_id
        )
        return row

    # ---------------------------------------------------------------- inside a write

    async def lock_sweep(self) -> None:
        """One sweep at a time, until this transaction ends: a second one then finds
        every step the first recorded."""
        await (await self.connection()).execute(
            "SELECT pg_advisory_xact_lock(hashtext('chasing_sweep'))"
        )

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
        rows: list[asyncpg.Record] = await (await self.connection()).fetch(
            f"WITH due AS (SELECT x.id, x.title, {clocked.deadline} AS deadline,"
            f" x.{first_org} AS first_org_id, x.{acting_org} AS acting_org_id,"
            f" x.{first_path} AS first_path, x.{acting_path} AS acting_path,"
            f" (SELECT parent_id FROM org_units WHERE id = x.{acting_org}) AS acting_parent_id,"
            f" {supervisor} AS supervisor_org_id"
            f" FROM {climber.table} x WHERE {clocked.status} AND {clocked.before.format('$2')}"
            f" AND {in_roots if included else f'NOT {in_roots}'} AND x.created_at <= $7"
            " AND NOT EXISTS (SELECT 1 FROM chase_steps c WHERE c.entity_id = x.id"
            f" AND c.step = $3 AND c.deadline = {clocked.deadline})),"
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
        self, entity_id: uuid.UUID, deadline: datetime
    ) -> uuid.UUID | None:
        """The unit that must issue the item's 督办单 for `deadline`, while none is issued."""
        found: uuid.UUID | None = await (await self.connection()).fetchval(
            "SELECT supervisor_org_id FROM chase_steps WHERE entity_id = $1 AND deadline = $2"
            " AND step = 'supervision' AND supervised_at IS NULL",
            entity_id,
            deadline,
        )
        return found

    async def mark_supervised(
        self, entity_id: uuid.UUID, deadline: datetime, by: uuid.UUID, now: datetime
    ) -> None:
        await (await self.connection()).execute(
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
        await (await self.connection()).execute(
            f"INSERT INTO chasing_policies (root_org_id, updated_by, updated_at, {names})"
            f" VALUES ($1, $2, $3, {values})"
            f" ON CONFLICT (root_org_id) DO UPDATE SET {updates}",
            root_org_id,
            by,
            now,
            *steps.values(),
        )
