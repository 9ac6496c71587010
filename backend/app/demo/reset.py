import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.db import metadata
from app.models import import_all_models

# The audit log is append-only by design (the database refuses to truncate it); the
# calendar is reference data, seeded by migration and entered by admins, not demo data.
KEEP = {"alembic_version", "audit_log", "calendar_days", "stats_zone"}


async def reset_database(session: AsyncSession) -> None:
    """Empty every table but those in KEEP.

    Users are deleted rather than truncated: truncating them would cascade to the kept
    calendar (its days name the admin who entered them), so those names are cleared first.
    """
    import_all_models()
    names = ", ".join(
        f'"{t.name}"' for t in metadata.sorted_tables if t.name not in {*KEEP, "users"}
    )
    await session.execute(sa.text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    await session.execute(sa.text("UPDATE calendar_days SET updated_by = NULL"))
    await session.execute(sa.text("DELETE FROM users"))
