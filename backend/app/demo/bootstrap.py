"""First root unit and its admin, for a real deployment."""

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from app.access.roles import Role
from app.audit.service import record
from app.auth.passwords import MIN_PASSWORD_LENGTH, hash_password
from app.grants.models import Grant
from app.orgs.models import OrgKind, OrgUnit
from app.orgs.service import insert_org
from app.users.models import User


async def bootstrap(
    session: AsyncSession,
    *,
    root_name: str,
    root_code: str,
    username: str,
    display_name: str,
    password: str,
) -> None:
    if (await session.execute(sa.select(sa.func.count()).select_from(OrgUnit))).scalar_one():
        raise SystemExit("This database already has org units; bootstrap is for an empty one.")
    if len(password) < MIN_PASSWORD_LENGTH:
        raise SystemExit(f"The admin password needs at least {MIN_PASSWORD_LENGTH} characters.")
    root = await insert_org(
        session, name=root_name, kind=OrgKind.prefecture, parent=None, code=root_code or None
    )
    user = User(
        username=username.strip().lower(),
        display_name=display_name,
        password_hash=await hash_password(password),
    )
    session.add(user)
    await session.flush()
    grant = Grant(user_id=user.id, org_id=root.id, role=Role.admin.value)
    session.add(grant)
    await session.flush()
    await record(
        session,
        action="grant.create",
        entity_type="grant",
        entity_id=grant.id,
        org_path=root.path,
        after={"user_id": str(user.id), "org_id": str(root.id), "role": "admin", "bootstrap": True},
    )
