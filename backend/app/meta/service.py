from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from app.meta.models import AppMeta

DEMO_KEY = "demo_data"


async def get_value(session: AsyncSession, key: str) -> Any:
    return (
        await session.execute(sa.select(col(AppMeta.value)).where(col(AppMeta.key) == key))
    ).scalar_one_or_none()


async def set_value(session: AsyncSession, key: str, value: Any) -> None:
    stmt = insert(AppMeta).values(key=key, value=value)
    await session.execute(
        stmt.on_conflict_do_update(index_elements=[col(AppMeta.key)], set_={"value": value})
    )


async def is_demo(session: AsyncSession) -> bool:
    return bool(await get_value(session, DEMO_KEY))
