"""The ladder's tests: a frozen local clock, sweeps at a moment, and what an item went
through (its timeline's chasing events, the notices its units received)."""

import uuid
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import httpx

from app.access.roles import Role
from app.chasing.service import sweep
from app.core.db import sessionmaker
from tests.support import World

SHANGHAI = ZoneInfo("Asia/Shanghai")
# The ladder's fixed dates (calendar of 2026): National Day runs 1-7 October, Saturday
# 10 October is an adjusted working day. A deadline on Wednesday 30 September 18:00 has
# its reminder on the 29th, its chasing notice on 8 October (the first working day
# after), its circular on the 10th (the third) and supervision on the 13th (the fifth).
DUE = datetime(2026, 9, 30, 18, 0, tzinfo=SHANGHAI)
# When the tests' items were issued (a sweep chases only what existed by its moment).
ISSUED = datetime(2026, 9, 1, 9, 0, tzinfo=SHANGHAI)
REMINDER, NOTICE, CIRCULAR, SUPERVISION = (
    datetime(2026, 9, 29, 0, 0, tzinfo=SHANGHAI),
    datetime(2026, 10, 8, 0, 0, tzinfo=SHANGHAI),
    datetime(2026, 10, 10, 0, 0, tzinfo=SHANGHAI),
    datetime(2026, 10, 13, 0, 0, tzinfo=SHANGHAI),
)


def local(month: int, day: int, hour: int = 9, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=SHANGHAI)


async def sweep_at(now: datetime) -> None:
    async with sessionmaker()() as session:
        await sweep(session, now)
        await session.commit()


async def chase_events(
    client: httpx.AsyncClient, world: World, plural: str, item_id: uuid.UUID
) -> list[dict[str, Any]]:
    """The item's chasing events, oldest first (read by a leader of county C1)."""
    response = await client.get(
        f"/api/v1/{plural}/{item_id}/events",
        params={"limit": 200},
        headers=world.actor(Role.leader, "C1").headers,
    )
    assert response.status_code == 200, response.text
    return [
        e
        for e in response.json()["items"]
        if e["action"].startswith("chase_") or e["action"] == "supervise"
    ]


def actions(events: list[dict[str, Any]]) -> list[str]:
    return [e["action"] for e in events]


async def notices(
    client: httpx.AsyncClient, world: World, role: Role, unit: str, item_id: uuid.UUID
) -> list[dict[str, Any]]:
    """The notifications about the item that the person of `role` at `unit` received."""
    response = await client.get(
        "/api/v1/notifications", params={"limit": 200}, headers=world.actor(role, unit).headers
    )
    assert response.status_code == 200, response.text
    return [n for n in response.json()["items"] if n["entity_id"] == str(item_id)]


async def notice_kinds(
    client: httpx.AsyncClient, world: World, role: Role, unit: str, item_id: uuid.UUID
) -> set[str]:
    return {n["kind"] for n in await notices(client, world, role, unit, item_id)}
