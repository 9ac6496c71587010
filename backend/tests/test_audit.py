"""The audit log: append-only in the database, complete for mutations and sign-ins,
readable only by admins and leaders, and only within their scope."""

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from sqlalchemy.exc import DBAPIError
from sqlmodel import col

from app.access.roles import Role
from app.audit.models import AuditEntry
from app.auth.models import RefreshToken
from app.core.db import sessionmaker
from app.grants.models import Grant
from app.orgs.models import OrgKind, OrgUnit
from app.orgs.service import insert_org
from app.users.models import User
from tests.support import PASSWORD, World, make_user, token_for


@dataclass
class Realm:
    """County C with streets A and B (communities MA, MB): a tree of its own."""

    county: OrgUnit
    a: OrgUnit
    b: OrgUnit
    ma: OrgUnit
    mb: OrgUnit
    users: dict[str, User]
    headers: dict[str, dict[str, str]]


@pytest.fixture(scope="module")
async def realm(world: World) -> Realm:
    tag = secrets.token_hex(4)
    password_hash = world.actor(Role.officer).user.password_hash  # PASSWORD, already hashed
    async with sessionmaker()() as session:
        prefecture = await insert_org(
            session, name=f"AU-P-{tag}", kind=OrgKind.prefecture, parent=None
        )
        county = await insert_org(
            session, name=f"AU-C-{tag}", kind=OrgKind.county, parent=prefecture
        )
        a = await insert_org(session, name=f"AU-A-{tag}", kind=OrgKind.street, parent=county)
        b = await insert_org(session, name=f"AU-B-{tag}", kind=OrgKind.street, parent=county)
        ma = await insert_org(session, name=f"AU-MA-{tag}", kind=OrgKind.community, parent=a)
        mb = await insert_org(session, name=f"AU-MB-{tag}", kind=OrgKind.community, parent=b)
        placements = {
            "county.admin": (county, Role.admin),
            "a.admin": (a, Role.admin),
            "b.admin": (b, Role.admin),
            "a.leader": (a, Role.leader),
            "a.officer": (a, Role.officer),
            "a.observer": (a, Role.observer),
            "a.liaison": (a, Role.liaison),
            "ma.officer": (ma, Role.officer),
        }
        users: dict[str, User] = {}
        headers: dict[str, dict[str, str]] = {}
        for label, (org, role) in placements.items():
            user = await make_user(session, f"au.{label}.{tag}", password_hash=password_hash)
            session.add(Grant(user_id=user.id, org_id=org.id, role=role.value))
            users[label] = user
            headers[label] = {"Authorization": f"Bearer {await token_for(session, user)}"}
        await session.commit()
    return Realm(county=county, a=a, b=b, ma=ma, mb=mb, users=users, headers=headers)


def rid() -> str:
    return f"audit-{secrets.token_hex(8)}"


async def entries(**where: Any) -> list[AuditEntry]:
    query = sa.select(AuditEntry).order_by(col(AuditEntry.id))
    for name, value in where.items():
        query = query.where(getattr(AuditEntry, name) == value)
    async with sessionmaker()() as session:
        return list((await session.execute(query)).scalars().all())


async def only_entry(**where: Any) -> AuditEntry:
    found = await entries(**where)
    assert len(found) == 1, [(e.action, e.entity_type, e.entity_id) for e in found]
    return found[0]


async def audit_count() -> int:
    async with sessionmaker()() as session:
        n: int = (
            await session.execute(sa.select(sa.func.count()).select_from(AuditEntry))
        ).scalar_one()
    return n


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE audit_log SET action = 'tampered' WHERE id = (SELECT max(id) FROM audit_log)",
        "UPDATE audit_log SET before = NULL, after = NULL",
        "DELETE FROM audit_log WHERE id = (SELECT min(id) FROM audit_log)",
        "DELETE FROM audit_log",
        "TRUNCATE audit_log",
        "TRUNCATE audit_log RESTART IDENTITY CASCADE",
    ],
)
async def test_audit_log_is_append_only(realm: Realm, statement: str) -> None:
    """The application's own connection cannot change or remove entries."""
    total = await audit_count()
    assert total > 0  # the row triggers need rows to fire on
    newest = (await entries())[-1]
    async with sessionmaker()() as session:
        with pytest.raises(DBAPIError, match="append-only"):
            await session.execute(sa.text(statement))
        await session.rollback()
    assert await audit_count() == total
    after = await only_entry(id=newest.id)
    assert (after.action, after.before, after.after) == (newest.action, newest.before, newest.after)


async def login(client: httpx.AsyncClient, username: str, password: str, request_id: str) -> Any:
    return await client.post(
        "/api/v1/auth/token",
        data={"username": username, "password": password},
        headers={"X-Request-ID": request_id},
    )


async def test_logins_are_recorded(client: httpx.AsyncClient, realm: Realm) -> None:
    user = realm.users["ma.officer"]
    ok_id, bad_id, ghost_id = rid(), rid(), rid()

    ok = await login(client, user.username, PASSWORD, ok_id)
    assert ok.status_code == 200, ok.text
    assert ok.headers["x-request-id"] == ok_id
    entry = await only_entry(request_id=ok_id)
    assert (entry.action, entry.entity_type, entry.actor_id) == ("auth.login", "session", user.id)
    assert entry.client_addr == "10.9.8.7"

    bad = await login(client, user.username, "wrong password", bad_id)
    assert bad.status_code == 401
    assert bad.headers["x-request-id"] == bad_id
    entry = await only_entry(request_id=bad_id)
    assert (entry.action, entry.entity_type, entry.entity_id) == (
        "auth.login_failed",
        "user",
        str(user.id),
    )
    assert entry.after == {"username": user.username}

    ghost = f"au.ghost.{secrets.token_hex(4)}"
    assert (await login(client, ghost, "wrong password", ghost_id)).status_code == 401
    entry = await only_entry(request_id=ghost_id)
    assert (entry.action, entry.entity_id, entry.after) == (
        "auth.login_failed",
        None,
        {"username": ghost},
    )

    for e in await entries(actor_id=user.id) + await entries(entity_id=str(user.id)):
        assert "wrong password" not in str(e.after) and PASSWORD not in str(e.after)


async def test_generated_request_id_is_the_recorded_one(
    client: httpx.AsyncClient, realm: Realm
) -> None:
    response = await client.patch(
        f"/api/v1/orgs/{realm.mb.id}",
        json={"code": f"au-{secrets.token_hex(4)}"},
        headers=realm.headers["county.admin"],
    )
    assert response.status_code == 200, response.text
    entry = await only_entry(request_id=response.headers["x-request-id"])
    assert (entry.action, entry.entity_id) == ("org.update", str(realm.mb.id))


async def test_org_mutations_are_recorded(client: httpx.AsyncClient, realm: Realm) -> None:
    admin = realm.users["county.admin"]
    create_id, update_id = rid(), rid()
    name = f"au-new-{secrets.token_hex(4)}"
    created = await client.post(
        "/api/v1/orgs",
        json={"name": name, "kind": "community", "parent_id": str(realm.a.id)},
        headers={**realm.headers["county.admin"], "X-Request-ID": create_id},
    )
    assert created.status_code == 201, created.text
    assert created.headers["x-request-id"] == create_id
    org_id = created.json()["id"]
    entry = await only_entry(request_id=create_id)
    assert (entry.action, entry.entity_type, entry.entity_id, entry.actor_id) == (
        "org.create",
        "org",
        org_id,
        admin.id,
    )
    assert entry.before is None
    assert entry.after is not None
    assert entry.after["name"] == name
    assert entry.after["parent_id"] == str(realm.a.id)
    assert entry.after["tier"] == "community"
    assert entry.org_path is not None and entry.org_path[: len(realm.a.path)] == realm.a.path

    renamed = await client.patch(
        f"/api/v1/orgs/{org_id}",
        json={"name": name + "-2"},
        headers={**realm.headers["county.admin"], "X-Request-ID": update_id},
    )
    assert renamed.status_code == 200, renamed.text
    entry = await only_entry(request_id=update_id)
    assert (entry.action, entry.entity_id, entry.actor_id) == ("org.update", org_id, admin.id)
    assert entry.before is not None and entry.after is not None
    assert (entry.before["name"], entry.after["name"]) == (name, name + "-2")


async def test_user_mutations_and_revocations_are_recorded(
    client: httpx.AsyncClient, realm: Realm
) -> None:
    admin = realm.users["county.admin"]
    headers = realm.headers["county.admin"]
    create_id, update_id = rid(), rid()
    username = f"au.made.{secrets.token_hex(4)}"
    created = await client.post(
        "/api/v1/users",
        json={"username": username, "display_name": "Made", "password": "made password"},
        headers={**headers, "X-Request-ID": create_id},
    )
    assert created.status_code == 201, created.text
    user_id = created.json()["id"]
    entry = await only_entry(request_id=create_id)
    assert (entry.action, entry.entity_type, entry.entity_id, entry.actor_id) == (
        "user.create",
        "user",
        user_id,
        admin.id,
    )
    assert entry.after is not None and entry.after["username"] == username
    assert entry.before is None

    async with sessionmaker()() as session:
        made = await session.get(User, user_id)
        assert made is not None
        assert "made password" not in str(entry.after)
        assert made.password_hash not in str(entry.after)
        await token_for(session, made)  # a live session, to be ended by deactivation
        await session.commit()

    updated = await client.patch(
        f"/api/v1/users/{user_id}",
        json={"display_name": "Made Again", "is_active": False},
        headers={**headers, "X-Request-ID": update_id},
    )
    assert updated.status_code == 200, updated.text
    recorded = await entries(request_id=update_id)
    assert [e.action for e in recorded] == ["user.update", "auth.revoke"]
    update, revoke = recorded
    assert (update.entity_id, update.actor_id) == (user_id, admin.id)
    assert update.before is not None and update.after is not None
    assert (update.before["display_name"], update.after["display_name"]) == ("Made", "Made Again")
    assert (update.before["is_active"], update.after["is_active"]) == (True, False)
    assert (revoke.entity_type, revoke.actor_id) == ("session", admin.id)
    assert revoke.after == {"reason": "deactivated", "user_id": user_id}


async def test_grant_mutations_are_recorded(client: httpx.AsyncClient, realm: Realm) -> None:
    admin = realm.users["a.admin"]
    headers = realm.headers["a.admin"]
    target = realm.users["ma.officer"]
    create_id, delete_id = rid(), rid()
    created = await client.post(
        "/api/v1/grants",
        json={"user_id": str(target.id), "org_id": str(realm.ma.id), "role": "observer"},
        headers={**headers, "X-Request-ID": create_id},
    )
    assert created.status_code == 201, created.text
    grant_id = created.json()["id"]
    snapshot = {"id": grant_id, "user_id": str(target.id), "org_id": str(realm.ma.id)}
    entry = await only_entry(request_id=create_id)
    assert (entry.action, entry.entity_type, entry.entity_id, entry.actor_id) == (
        "grant.create",
        "grant",
        grant_id,
        admin.id,
    )
    assert (entry.before, entry.after) == (None, {**snapshot, "role": "observer"})

    deleted = await client.delete(
        f"/api/v1/grants/{grant_id}", headers={**headers, "X-Request-ID": delete_id}
    )
    assert deleted.status_code == 204, deleted.text
    assert deleted.headers["x-request-id"] == delete_id
    entry = await only_entry(request_id=delete_id)
    assert (entry.action, entry.entity_id, entry.actor_id) == ("grant.delete", grant_id, admin.id)
    assert (entry.before, entry.after) == ({**snapshot, "role": "observer"}, None)


async def test_token_revocations_are_recorded(client: httpx.AsyncClient, realm: Realm) -> None:
    user = realm.users["ma.officer"]
    # Logout.
    async with sessionmaker()() as session:
        token = await token_for(session, user)
        await session.commit()
    logout_id = rid()
    out = await client.post(
        "/api/v1/auth/logout",
        headers={"Authorization": f"Bearer {token}", "X-Request-ID": logout_id},
    )
    assert out.status_code == 204, out.text
    entry = await only_entry(request_id=logout_id)
    assert (entry.action, entry.entity_type, entry.actor_id) == ("auth.revoke", "session", user.id)
    assert entry.after == {"reason": "logout", "user_id": str(user.id)}

    # Reuse of a rotated refresh token.
    pair = (await login(client, user.username, PASSWORD, rid())).json()
    rotated = await client.post(
        "/api/v1/auth/refresh", json={"refresh_token": pair["refresh_token"]}
    )
    assert rotated.status_code == 200, rotated.text
    async with sessionmaker()() as session:
        await session.execute(
            sa.update(RefreshToken)
            .where(
                col(RefreshToken.token_hash)
                == hashlib.sha256(pair["refresh_token"].encode()).hexdigest()
            )
            .values(rotated_at=col(RefreshToken.rotated_at) - timedelta(minutes=5))
        )
        await session.commit()
    reuse_id = rid()
    reuse = await client.post(
        "/api/v1/auth/refresh",
        json={"refresh_token": pair["refresh_token"]},
        headers={"X-Request-ID": reuse_id},
    )
    assert reuse.status_code == 401, reuse.text
    entry = await only_entry(request_id=reuse_id)
    assert (entry.action, entry.entity_type) == ("auth.revoke", "session")
    assert entry.after == {"reason": "refresh-reuse", "user_id": str(user.id)}


async def all_entries(
    client: httpx.AsyncClient, headers: dict[str, str], **params: Any
) -> list[Any]:
    items: list[Any] = []
    cursor = None
    while True:
        query = {**params, "limit": 200, **({"cursor": cursor} if cursor else {})}
        response = await client.get("/api/v1/audit", headers=headers, params=query)
        assert response.status_code == 200, response.text
        items.extend(response.json()["items"])
        cursor = response.json()["next_cursor"]
        if cursor is None:
            return items


@pytest.mark.parametrize("label", ["a.officer", "a.observer", "a.liaison"])
async def test_audit_is_for_admins_and_leaders_only(
    client: httpx.AsyncClient, realm: Realm, label: str
) -> None:
    response = await client.get("/api/v1/audit", headers=realm.headers[label])
    assert response.status_code == 403, response.text
    assert response.headers["content-type"] == "application/problem+json"


async def test_audit_shows_only_entries_in_scope(client: httpx.AsyncClient, realm: Realm) -> None:
    # One fresh unit in each street, made by the county admin.
    made: dict[str, str] = {}
    for label, street in (("a", realm.a), ("b", realm.b)):
        response = await client.post(
            "/api/v1/orgs",
            json={
                "name": f"au-scope-{label}-{secrets.token_hex(3)}",
                "kind": "community",
                "parent_id": str(street.id),
            },
            headers=realm.headers["county.admin"],
        )
        assert response.status_code == 201, response.text
        made[label] = response.json()["id"]

    async def sees(caller: str, org_id: str) -> bool:
        found = await all_entries(client, realm.headers[caller], entity_id=org_id)
        assert all(e["entity_id"] == org_id for e in found)
        return any(e["action"] == "org.create" for e in found)

    assert await sees("county.admin", made["a"]) and await sees("county.admin", made["b"])
    assert await sees("a.admin", made["a"]) and not await sees("a.admin", made["b"])
    assert await sees("a.leader", made["a"]) and not await sees("a.leader", made["b"])
    assert await sees("b.admin", made["b"]) and not await sees("b.admin", made["a"])

    # Every entry a street admin can read lies in that street's subtree, and it can read
    # every such entry.
    visible = {e["id"] for e in await all_entries(client, realm.headers["a.admin"])}
    async with sessionmaker()() as session:
        rows = (
            await session.execute(
                sa.select(col(AuditEntry.id), col(AuditEntry.org_path)).where(
                    col(AuditEntry.org_path).is_not(None)
                )
            )
        ).all()
    in_a = {i for i, path in rows if path and path[: len(realm.a.path)] == realm.a.path}
    assert visible == in_a
    assert visible
