"""Unknown or read-only fields in create and update bodies give 422 and change nothing."""

import secrets
import uuid
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from sqlmodel import col

from app.access.roles import Role
from app.audit.models import AuditEntry
from app.core.db import sessionmaker
from app.grants.models import Grant
from app.orgs.models import OrgKind, OrgUnit
from app.orgs.service import insert_org
from app.users.models import User
from tests.support import make_user, token_for

NOW = "2030-01-01T00:00:00+00:00"


@dataclass
class Realm:
    """A tree of its own (prefecture > county > street > community) with a county admin,
    so nothing here disturbs the shared world."""

    county: OrgUnit
    street: OrgUnit
    community: OrgUnit
    other: OrgUnit  # a second prefecture, outside the admin's scope
    admin: User
    admin_headers: dict[str, str]
    officer: User
    grant: Grant


@pytest.fixture(scope="module")
async def realm(client: httpx.AsyncClient) -> Realm:
    tag = secrets.token_hex(4)
    async with sessionmaker()() as session:
        prefecture = await insert_org(
            session, name=f"MA-P-{tag}", kind=OrgKind.prefecture, parent=None
        )
        county = await insert_org(
            session, name=f"MA-C-{tag}", kind=OrgKind.county, parent=prefecture
        )
        street = await insert_org(session, name=f"MA-S-{tag}", kind=OrgKind.street, parent=county)
        community = await insert_org(
            session, name=f"MA-M-{tag}", kind=OrgKind.community, parent=street
        )
        other = await insert_org(session, name=f"MA-Q-{tag}", kind=OrgKind.prefecture, parent=None)
        admin = await make_user(session, f"ma.admin.{tag}", password_hash="-")
        officer = await make_user(session, f"ma.officer.{tag}", password_hash="-")
        session.add(Grant(user_id=admin.id, org_id=county.id, role=Role.admin.value))
        grant = Grant(user_id=officer.id, org_id=community.id, role=Role.officer.value)
        session.add(grant)
        token = await token_for(session, admin)
        await session.commit()
    return Realm(
        county=county,
        street=street,
        community=community,
        other=other,
        admin=admin,
        admin_headers={"Authorization": f"Bearer {token}"},
        officer=officer,
        grant=grant,
    )


async def row_of(model: Any, key: Any) -> dict[str, Any]:
    """Every column of one row, straight from the database."""
    async with sessionmaker()() as session:
        found = (
            await session.execute(sa.select(model.__table__).where(model.__table__.c.id == key))
        ).one()
    return dict(found._mapping)


async def count(query: Any) -> int:
    async with sessionmaker()() as session:
        n: int = (await session.execute(query)).scalar_one()
    return n


async def audit_rows() -> int:
    return await count(sa.select(sa.func.count()).select_from(AuditEntry))


def assert_rejected(response: httpx.Response, field: str) -> None:
    assert response.status_code == 422, (field, response.text)
    assert response.headers["content-type"] == "application/problem+json"
    errors = response.json().get("errors") or []
    assert any(err["loc"][-1] == field for err in errors), (field, errors)


ORG_CREATE_EXTRAS: dict[str, Any] = {
    "id": str(uuid.uuid4()),
    "key": 1,
    "path": [1],
    "tier": "prefecture",
    "created_by": str(uuid.uuid4()),
    "created_at": NOW,
    "updated_at": NOW,
    "children": [],
    "ID": str(uuid.uuid4()),
}


async def test_org_create_refuses_read_only_fields(client: httpx.AsyncClient, realm: Realm) -> None:
    audits = await audit_rows()
    for field, value in ORG_CREATE_EXTRAS.items():
        name = f"ma-org-{secrets.token_hex(4)}"
        body = {"name": name, "kind": "community", "parent_id": str(realm.street.id), field: value}
        response = await client.post("/api/v1/orgs", json=body, headers=realm.admin_headers)
        assert_rejected(response, field)
        assert await count(sa.select(sa.func.count()).where(col(OrgUnit.name) == name)) == 0
    assert await audit_rows() == audits
    # Control: the same body without the extra field is accepted.
    body = {"name": f"ma-org-{secrets.token_hex(4)}", "kind": "community"}
    response = await client.post(
        "/api/v1/orgs",
        json={**body, "parent_id": str(realm.street.id)},
        headers=realm.admin_headers,
    )
    assert response.status_code == 201, response.text
    assert response.json()["tier"] == "community"


ORG_UPDATE_EXTRAS: dict[str, Any] = {
    "id": str(uuid.uuid4()),
    "key": 1,
    "path": [1],
    "tier": "prefecture",
    "kind": "prefecture",
    "created_by": str(uuid.uuid4()),
    "created_at": NOW,
    "updated_at": NOW,
    "children": [],
}


async def test_org_update_refuses_read_only_fields(client: httpx.AsyncClient, realm: Realm) -> None:
    url = f"/api/v1/orgs/{realm.community.id}"
    before = await row_of(OrgUnit, realm.community.id)
    audits = await audit_rows()
    extras = {
        **ORG_UPDATE_EXTRAS,
        # Moving a unit (into another tree even) is not an update of its fields.
        "parent_id": str(realm.other.id),
    }
    for field, value in extras.items():
        for body in ({field: value}, {"name": "renamed", field: value}):
            response = await client.patch(url, json=body, headers=realm.admin_headers)
            assert_rejected(response, field)
    response = await client.patch(url, json={"name": None}, headers=realm.admin_headers)
    assert response.status_code == 422, response.text
    assert await row_of(OrgUnit, realm.community.id) == before
    assert await audit_rows() == audits


USER_CREATE_EXTRAS: dict[str, Any] = {
    "id": str(uuid.uuid4()),
    "password_hash": "$argon2id$v=19$m=65536,t=3,p=4$forged$forged",
    "created_by": str(uuid.uuid4()),
    "created_at": NOW,
    "updated_at": NOW,
    "grants": [{"org_id": str(uuid.uuid4()), "role": "admin"}],
    "role": "admin",
    "is_superuser": True,
}


async def test_user_create_refuses_read_only_fields(
    client: httpx.AsyncClient, realm: Realm
) -> None:
    audits = await audit_rows()
    for field, value in USER_CREATE_EXTRAS.items():
        username = f"ma.new.{secrets.token_hex(4)}"
        body = {
            "username": username,
            "display_name": "New",
            "password": "a long password",
            field: value,
        }
        response = await client.post("/api/v1/users", json=body, headers=realm.admin_headers)
        assert_rejected(response, field)
        assert await count(sa.select(sa.func.count()).where(col(User.username) == username)) == 0
    assert await audit_rows() == audits
    # Control: accepted without the extra field.
    body = {"username": f"ma.new.{secrets.token_hex(4)}", "display_name": "New"}
    response = await client.post(
        "/api/v1/users", json={**body, "password": "a long password"}, headers=realm.admin_headers
    )
    assert response.status_code == 201, response.text


USER_UPDATE_EXTRAS: dict[str, Any] = {
    "id": str(uuid.uuid4()),
    "username": "ma.hijacked",
    "password_hash": "$argon2id$v=19$m=65536,t=3,p=4$forged$forged",
    "created_by": str(uuid.uuid4()),
    "created_at": NOW,
    "updated_at": NOW,
    "grants": [],
    "role": "admin",
}


async def test_user_update_refuses_read_only_fields(
    client: httpx.AsyncClient, realm: Realm
) -> None:
    url = f"/api/v1/users/{realm.officer.id}"
    before = await row_of(User, realm.officer.id)
    audits = await audit_rows()
    for field, value in USER_UPDATE_EXTRAS.items():
        for body in ({field: value}, {"display_name": "Changed", field: value}):
            response = await client.patch(url, json=body, headers=realm.admin_headers)
            assert_rejected(response, field)
    for nulled in ("display_name", "is_active"):
        response = await client.patch(url, json={nulled: None}, headers=realm.admin_headers)
        assert response.status_code == 422, response.text
    assert await row_of(User, realm.officer.id) == before
    assert await audit_rows() == audits


GRANT_CREATE_EXTRAS: dict[str, Any] = {
    "id": str(uuid.uuid4()),
    "is_active": True,
    "created_by": str(uuid.uuid4()),
    "created_at": NOW,
    "path": [1],
    "expires_at": NOW,
}


async def test_grant_create_refuses_read_only_fields(
    client: httpx.AsyncClient, realm: Realm
) -> None:
    def grants_of_officer() -> Any:
        return sa.select(sa.func.count()).where(col(Grant.user_id) == realm.officer.id)

    held = await count(grants_of_officer())
    audits = await audit_rows()
    base = {"user_id": str(realm.officer.id), "org_id": str(realm.street.id), "role": "observer"}
    for field, value in GRANT_CREATE_EXTRAS.items():
        response = await client.post(
            "/api/v1/grants", json={**base, field: value}, headers=realm.admin_headers
        )
        assert_rejected(response, field)
    assert await count(grants_of_officer()) == held
    assert await audit_rows() == audits
    # Control: accepted without the extra field.
    response = await client.post("/api/v1/grants", json=base, headers=realm.admin_headers)
    assert response.status_code == 201, response.text
    assert await count(grants_of_officer()) == held + 1


async def test_grants_cannot_be_edited_in_place(client: httpx.AsyncClient, realm: Realm) -> None:
    """A grant is created or deleted, never changed: no route accepts new user/org/role."""
    url = f"/api/v1/grants/{realm.grant.id}"
    before = await row_of(Grant, realm.grant.id)
    for body in (
        {"role": "admin"},
        {"user_id": str(realm.admin.id)},
        {"org_id": str(realm.county.id)},
        {"is_active": False},
    ):
        for method in ("PATCH", "PUT"):
            response = await client.request(method, url, json=body, headers=realm.admin_headers)
            assert response.status_code == 405, response.text
            assert response.headers["content-type"] == "application/problem+json"
    assert await row_of(Grant, realm.grant.id) == before
