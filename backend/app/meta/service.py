"""Facts about this installation (app_meta)."""

from typing import Any

import asyncpg
from sqlalchemy.ext.asyncio import AsyncSession

from app.meta.repository import MetaRepository

DEMO_KEY = "demo_data"


async def get_value(connection: asyncpg.Connection, key: str) -> Any:
    return await MetaRepository(connection).value(key)


async def set_value(session: AsyncSession, key: str, value: Any) -> None:
    await (await MetaRepository.writing(session)).put(key, value)


async def is_demo(connection: asyncpg.Connection) -> bool:
    return bool(await get_value(connection, DEMO_KEY))
