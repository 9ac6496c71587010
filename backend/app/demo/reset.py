import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.db import metadata
from app.models import import_all_models

# Append-only by design; a demo reset is the one place that starts the log afresh.
KEEP = {"alembic_version", "audit_log"}


async def reset_database(session: AsyncSession) -> None:
    """Empty every table but the audit log (which the database refuses to truncate)."""
    import_all_models()
    names = ", ".join(f'"{t.name}"' for t in metadata.sorted_tables if t.name not in KEEP)
    await session.execute(sa.text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
