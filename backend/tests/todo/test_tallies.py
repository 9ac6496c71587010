"""The to-do's tallies (app/todo/models.py) say what the rows say: after inserts, updates
from several connections and deletes, each (kind, acting unit, other party's unit) holds
the number of items in the kind's state of TODO_STATES (the definition the partial
indexes and the lists use); todo_compact() and todo_rebuild() keep every sum."""

import asyncio
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from sqlmodel import col

from app.core.db import sessionmaker
from app.issues.models import TODO_STATES as ISSUE_STATES
from app.issues.models import Issue
from app.tasks.models import TODO_STATES as TASK_STATES
from app.tasks.models import Task
from tests.support import World
from tests.workitems.helpers import insert_issue, insert_task

Tallies = dict[tuple[str, str, str], int]
PARTIES = {
    "tasks": ("assignee_org_id", "issuer_org_id"),
    "issues": ("handler_org_id", "reporter_org_id"),
}


async def tallied() -> Tallies:
    """The tallies summed over slots, without those that add up to zero."""
    async with sessionmaker()() as session:
        rows = await session.execute(
            sa.text(
                "SELECT kind, acting_org_id, other_org_id, sum(n) FROM todo_tallies"
                " GROUP BY 1, 2, 3 HAVING sum(n) <> 0"
            )
        )
        return {(k, str(a), str(o)): int(n) for k, a, o, n in rows}


async def counted_from_rows() -> Tallies:
    """The same, counted from the items with the states as the application states them."""
    found: Tallies = {}
    async with sessionmaker()() as session:
        for table, states in (("tasks", TASK_STATES), ("issues", ISSUE_STATES)):
            for kind, (acting, state) in states.items():
                other = next(p for p in PARTIES[table] if p != acting)
                rows = await session.execute(
                    sa.text(
                        f"SELECT {acting}, {other}, count(*) FROM {table}"
                        f" WHERE {state.format(t='')} GROUP BY 1, 2"
                    )
                )
                found |= {(kind.value, str(a), str(o)): int(n) for a, o, n in rows}
    return found


async def call(function: str) -> None:
    async with sessionmaker()() as session:
        await session.execute(sa.text(f"SELECT {function}()"))
        await session.commit()


async def test_tallies_follow_every_write_and_survive_compaction_and_rebuild(
    world: World,
) -> None:
    for status in ("issued", "accepted", "in_progress", "submitted", "done", "cancelled"):
        await insert_task(world, "C2", "S22", status=status)
        await insert_task(world, "S22", "M221", status=status)
    await insert_task(world, "C2", "S21", status="returned_by_issuer")
    await insert_task(world, "C2", "S21", status="returned_by_assignee")
    await insert_task(world, "S21", "M211", status="accepted", extension=True)
    for status in ("open", "acknowledged", "resolved", "closed"):
        await insert_issue(world, "M221", "S22", status=status)
        await insert_issue(world, "M211", status=status)
    assert await tallied() == await counted_from_rows()
    assert {kind for kind, _, _ in await tallied()} == {
        *(k.value for k in TASK_STATES),
        *(k.value for k in ISSUE_STATES),
    }

    # Updates from several connections land in several slots.
    async def move(label: str, status: str) -> None:
        async with sessionmaker()() as session:
            await session.execute(
                sa.update(Task)
                .where(col(Task.assignee_org_id) == world.unit(label).id)
                .where(col(Task.status) == "issued")
                .values(status=status)
            )
            await asyncio.sleep(0.05)  # hold the connection so the others open their own
            await session.commit()

    await asyncio.gather(move("S22", "accepted"), move("M221", "submitted"))
    async with sessionmaker()() as session:
        # An escalation: the handler changes, the reporter stays.
        await session.execute(
            sa.update(Issue)
            .where(col(Issue.handler_org_id) == world.unit("M211").id)
            .where(col(Issue.status) == "open")
            .values(handler_org_id=world.unit("S21").id, handler_path=list(world.unit("S21").path))
        )
        # A note changes no tallied column; a resolution does.
        await session.execute(sa.update(Task).values(version=Task.version + 1))
        await session.execute(
            sa.update(Issue)
            .where(col(Issue.status) == "acknowledged")
            .values(status="resolved", resolved_at=datetime.now(UTC) - timedelta(hours=1))
        )
        await session.execute(sa.delete(Task).where(col(Task.status) == "cancelled"))
        await session.commit()
    maintained = await tallied()
    assert maintained == await counted_from_rows()

    await call("todo_compact")
    assert await tallied() == maintained
    async with sessionmaker()() as session:
        slots = (await session.execute(sa.text("SELECT DISTINCT slot FROM todo_tallies"))).all()
        zeros = await session.scalar(sa.text("SELECT count(*) FROM todo_tallies WHERE n = 0"))
    assert slots == [(0,)] and zeros == 0

    await call("todo_rebuild")
    assert await tallied() == maintained
