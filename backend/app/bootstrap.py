"""First root unit and its admin, for a real deployment (`liandong bootstrap`)."""

from sqlalchemy.ext.asyncio import AsyncSession

from app.access.roles import Role
from app.auth.passwords import MIN_PASSWORD_LENGTH, hash_password
from app.grants.models import Grant
from app.grants.repository import GrantRepository
from app.grants.service import AUDITED as GRANT_AUDIT
from app.orgs.models import OrgKind
from app.orgs.repository import OrgRepository
from app.orgs.service import insert_org
from app.users.models import User
from app.users.repository import UserRepository


async def bootstrap(
    session: AsyncSession,
    *,
    root_name: str,
    root_code: str,
    username: str,
    display_name: str,
    password: str,
) -> None:
    if await (await OrgRepository.writing(session)).any_exist():
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
    await (await UserRepository.writing(session)).insert(user)
    grant = Grant(user_id=user.id, org_id=root.id, role=Role.admin.value)
    await (await GrantRepository.writing(session)).insert(grant)
    after = {"user_id": str(user.id), "org_id": str(root.id), "role": "admin", "bootstrap": True}
    await GRANT_AUDIT.entry(session, "grant.create", grant.id, org_path=root.path, after=after)
