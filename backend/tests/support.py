"""Building blocks for tests: an org tree, users with grants, tokens, reference scopes."""

import uuid
from dataclasses import dataclass, field
from typing import Any

import httpx
import sqlalchemy as sa
from sqlmodel import col

from app.access.roles import Role
from app.auth.models import AuthSession
from app.auth.passwords import hash_password
from app.auth.tokens import create_access_token
from app.core.db import sessionmaker
from app.grants.models import Grant
from app.orgs.models import OrgKind, OrgUnit
from app.orgs.service import insert_org
from app.users.models import User

TEST_SECRET = "test-secret-" + "x" * 40
PASSWORD = "correct horse battery"
ROLES = [Role.admin, Role.leader, Role.officer, Role.observer, Role.liaison]

# Where a target stands relative to the caller's grant (at street S11).
POSITIONS = ["self", "descendant", "ancestor", "sibling", "cousin", "unrelated"]
CALLER_UNIT = "S11"
POSITION_UNIT = {
    "self": "S11",
    "descendant": "M111",
    "ancestor": "C1",
    "sibling": "S12",
    "cousin": "S21",
    "unrelated": "X",
}


@dataclass
class Actor:
    user: User
    role: Role
    unit: str
    token: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


@dataclass
class World:
    """Prefecture P: counties C1, C2; each with streets S?1, S?2 (communities M??1, M??2),
    a department D?, a task force T? (group G?) and an enterprise E?. Prefecture Q holds
    county X: unrelated to everything under P."""

    units: dict[str, OrgUnit] = field(default_factory=dict)
    actors: dict[tuple[Role, str], Actor] = field(default_factory=dict)

    def unit(self, label: str) -> OrgUnit:
        return self.units[label]

    def actor(self, role: Role, unit: str = CALLER_UNIT) -> Actor:
        return self.actors[(role, unit)]


async def make_user(
    session: Any, username: str, *, created_by: uuid.UUID | None = None, password_hash: str
) -> User:
    user = User(
        username=username,
        display_name=username,
        password_hash=password_hash,
        created_by=created_by,
    )
    session.add(user)
    await session.flush()
    return user


async def token_for(session: Any, user: User) -> str:
    auth_session = AuthSession(user_id=user.id)
    session.add(auth_session)
    await session.flush()
    return create_access_token(user.id, auth_session.id)[0]


async def build_world() -> World:
    world = World()
    tag = uuid.uuid4().hex[:6]
    password_hash = await hash_password(PASSWORD)
    async with sessionmaker()() as session:

        async def add(label: str, kind: OrgKind, parent: str | None) -> None:
            world.units[label] = await insert_org(
                session,
                name=f"{label}-{tag}",
                kind=kind,
                parent=world.units[parent] if parent else None,
            )

        await add("P", OrgKind.prefecture, None)
        for c in ("1", "2"):
            await add(f"C{c}", OrgKind.county, "P")
            await add(f"D{c}", OrgKind.department, f"C{c}")
            await add(f"T{c}", OrgKind.taskforce, f"C{c}")
            await add(f"G{c}", OrgKind.group, f"T{c}")
            await add(f"E{c}", OrgKind.enterprise, f"C{c}")
            for s in ("1", "2"):
                await add(f"S{c}{s}", OrgKind.street, f"C{c}")
                for m in ("1", "2"):
                    await add(f"M{c}{s}{m}", OrgKind.community, f"S{c}{s}")
        await add("Q", OrgKind.prefecture, None)
        await add("X", OrgKind.county, "Q")
        for label in world.units:
            for role in ROLES:
                user = await make_user(
                    session, f"{role.value}.{label.lower()}.{tag}", password_hash=password_hash
                )
                session.add(Grant(user_id=user.id, org_id=world.units[label].id, role=role.value))
                world.actors[(role, label)] = Actor(
                    user=user, role=role, unit=label, token=await token_for(session, user)
                )
        await session.commit()
    return world


async def all_pages(
    client: httpx.AsyncClient, url: str, headers: dict[str, str], **params: Any
) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    cursor = None
    while True:
        query = {**params, "limit": 200, **({"cursor": cursor} if cursor else {})}
        response = await client.get(url, headers=headers, params=query)
        assert response.status_code == 200, response.text
        body = response.json()
        items.extend(body["items"])
        cursor = body["next_cursor"]
        if cursor is None:
            return items


async def reference_subtree_ids(root_ids: list[uuid.UUID]) -> set[uuid.UUID]:
    """Units under any of root_ids, computed in Python from parent links only."""
    async with sessionmaker()() as session:
        rows = (await session.execute(sa.select(col(OrgUnit.id), col(OrgUnit.parent_id)))).all()
    children: dict[uuid.UUID | None, list[uuid.UUID]] = {}
    for org_id, parent_id in rows:
        children.setdefault(parent_id, []).append(org_id)
    found: set[uuid.UUID] = set()
    stack = list(root_ids)
    while stack:
        current = stack.pop()
        if current not in found:
            found.add(current)
            stack.extend(children.get(current, []))
    return found
