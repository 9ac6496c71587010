"""Forged, tampered and stale access tokens all get 401 problem+json on GET /me."""

import base64
import hashlib
import hmac
import json
import secrets
import time
import uuid
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from app.access.roles import Role
from app.auth.tokens import create_access_token
from app.core.config import get_settings
from app.core.db import sessionmaker
from app.grants.models import Grant
from app.users.models import User
from tests.support import PASSWORD, World, make_user, token_for

ME = "/api/v1/me"


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def unb64(part: str) -> bytes:
    return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))


def encode_json(value: dict[str, Any]) -> str:
    return b64(json.dumps(value, separators=(",", ":")).encode())


def hmac_sign(key: bytes, digest: Callable[[], Any] = hashlib.sha256) -> Callable[[bytes], bytes]:
    return lambda signing_input: hmac.new(key, signing_input, digest).digest()


def forge(header: dict[str, Any], claims: dict[str, Any], sign: Callable[[bytes], bytes]) -> str:
    signing_input = f"{encode_json(header)}.{encode_json(claims)}"
    return f"{signing_input}.{b64(sign(signing_input.encode()))}"


def secret() -> bytes:
    return get_settings().signing_secret().encode()


HS256 = {"alg": "HS256", "typ": "JWT"}


def claims_of(token: str) -> dict[str, Any]:
    payload: dict[str, Any] = json.loads(unb64(token.split(".")[1]))
    return payload


def good_claims(world: World) -> dict[str, Any]:
    """Claims of a live session, freshly timed: what the server itself would issue."""
    base = claims_of(world.actor(Role.officer).token)
    now = int(time.time())
    return {**base, "iat": now, "exp": now + 600, "jti": uuid.uuid4().hex}


async def get_me(client: httpx.AsyncClient, token: str) -> httpx.Response:
    return await client.get(ME, headers={"Authorization": f"Bearer {token}"})


async def assert_rejected(client: httpx.AsyncClient, token: str) -> None:
    response = await get_me(client, token)
    assert response.status_code == 401, (token, response.text)
    assert response.headers["content-type"] == "application/problem+json"
    assert response.headers["www-authenticate"] == "Bearer"
    body = response.json()
    assert body["status"] == 401
    assert {"type", "title", "status", "detail"} <= body.keys()
    assert "Traceback" not in response.text


@pytest.fixture(scope="module")
def rsa_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


async def test_control_a_correctly_signed_token_is_accepted(
    client: httpx.AsyncClient, world: World
) -> None:
    """The forging helpers are right: with the real secret and claims the server says yes."""
    token = forge(HS256, good_claims(world), hmac_sign(secret()))
    response = await get_me(client, token)
    assert response.status_code == 200, response.text
    assert response.json()["id"] == str(world.actor(Role.officer).user.id)


@pytest.mark.parametrize(
    "header",
    [
        {"alg": "none", "typ": "JWT"},
        {"alg": "None", "typ": "JWT"},
        {"alg": "NONE", "typ": "JWT"},
        {"alg": "nOnE"},
        {"typ": "JWT"},
    ],
    ids=["none", "None", "NONE", "nOnE", "no-alg"],
)
@pytest.mark.parametrize("signed", [False, True], ids=["unsigned", "with-signature"])
async def test_alg_none_is_rejected(
    client: httpx.AsyncClient, world: World, header: dict[str, Any], signed: bool
) -> None:
    claims = good_claims(world)
    unsigned = f"{encode_json(header)}.{encode_json(claims)}."
    token = forge(header, claims, hmac_sign(secret())) if signed else unsigned
    await assert_rejected(client, token)


async def test_tampered_payload_is_rejected(client: httpx.AsyncClient, world: World) -> None:
    real = world.actor(Role.officer).token
    head, _, sig = real.split(".")
    claims = claims_of(real)
    # Become the S11 admin while keeping the officer's signature.
    claims["sub"] = str(world.actor(Role.admin).user.id)
    await assert_rejected(client, f"{head}.{encode_json(claims)}.{sig}")
    # Stretch the expiry only.
    claims = claims_of(real)
    claims["exp"] += 3600
    await assert_rejected(client, f"{head}.{encode_json(claims)}.{sig}")


async def test_tampered_header_is_rejected(client: httpx.AsyncClient, world: World) -> None:
    real = world.actor(Role.officer).token
    _, payload, sig = real.split(".")
    header = encode_json({"alg": "HS256", "typ": "JWT", "kid": "other"})
    await assert_rejected(client, f"{header}.{payload}.{sig}")


async def test_tampered_signature_is_rejected(client: httpx.AsyncClient, world: World) -> None:
    real = world.actor(Role.officer).token
    head, payload, sig = real.split(".")
    raw = bytearray(unb64(sig))
    raw[0] ^= 0x01  # one bit of the first byte: unambiguous, unlike the base64 tail
    await assert_rejected(client, f"{head}.{payload}.{b64(bytes(raw))}")
    await assert_rejected(client, f"{head}.{payload}.")
    await assert_rejected(client, f"{head}.{payload}")
    wrong_key = hmac_sign(secrets.token_bytes(32))
    await assert_rejected(client, forge(HS256, good_claims(world), wrong_key))


async def test_expired_token_is_rejected(client: httpx.AsyncClient, world: World) -> None:
    claims = good_claims(world)
    claims["iat"] = int(time.time()) - 1000
    claims["exp"] = claims["iat"] + 900
    await assert_rejected(client, forge(HS256, claims, hmac_sign(secret())))
    claims["exp"] = int(time.time()) - 1
    await assert_rejected(client, forge(HS256, claims, hmac_sign(secret())))


@pytest.mark.parametrize("missing", ["exp", "sub", "aud", "iss", "iat", "sid"])
async def test_missing_claim_is_rejected(
    client: httpx.AsyncClient, world: World, missing: str
) -> None:
    claims = good_claims(world)
    del claims[missing]
    await assert_rejected(client, forge(HS256, claims, hmac_sign(secret())))


@pytest.mark.parametrize(
    ("claim", "value"),
    [
        ("aud", "someone-else"),
        ("aud", ["someone-else"]),
        ("aud", ""),
        ("iss", "not-liandong"),
        ("iss", ""),
        ("sub", "not-a-uuid"),
        ("sub", 12345),
        ("sid", "not-a-uuid"),
        ("exp", "tomorrow"),
        ("iat", "now"),
    ],
)
async def test_wrong_claim_is_rejected(
    client: httpx.AsyncClient, world: World, claim: str, value: Any
) -> None:
    claims = good_claims(world)
    claims[claim] = value
    await assert_rejected(client, forge(HS256, claims, hmac_sign(secret())))


async def test_subject_of_another_users_session_is_rejected(
    client: httpx.AsyncClient, world: World
) -> None:
    """A genuine signature does not let one user's session stand for another user."""
    claims = good_claims(world)
    claims["sub"] = str(world.actor(Role.admin).user.id)
    await assert_rejected(client, forge(HS256, claims, hmac_sign(secret())))
    claims = good_claims(world)
    claims["sid"] = str(uuid.uuid4())
    await assert_rejected(client, forge(HS256, claims, hmac_sign(secret())))


@pytest.mark.parametrize("encoding", ["pem", "der", "pem-pkcs1", "openssh"])
@pytest.mark.parametrize("alg", ["HS256", "RS256"])
async def test_rsa_public_key_as_hmac_secret_is_rejected(
    client: httpx.AsyncClient,
    world: World,
    rsa_key: rsa.RSAPrivateKey,
    encoding: str,
    alg: str,
) -> None:
    public = rsa_key.public_key()
    formats = {
        "pem": (serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo),
        "der": (serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo),
        "pem-pkcs1": (serialization.Encoding.PEM, serialization.PublicFormat.PKCS1),
        "openssh": (serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH),
    }
    key_bytes = public.public_bytes(*formats[encoding])
    token = forge({"alg": alg, "typ": "JWT"}, good_claims(world), hmac_sign(key_bytes))
    await assert_rejected(client, token)


async def test_embedded_jwk_is_not_trusted(client: httpx.AsyncClient, world: World) -> None:
    attacker_key = secrets.token_bytes(32)
    header = {"alg": "HS256", "typ": "JWT", "jwk": {"kty": "oct", "k": b64(attacker_key)}}
    await assert_rejected(client, forge(header, good_claims(world), hmac_sign(attacker_key)))


async def test_unexpected_algorithms_are_rejected(
    client: httpx.AsyncClient, world: World, rsa_key: rsa.RSAPrivateKey
) -> None:
    claims = good_claims(world)
    # HS512 and HS384 with the real secret: a correct signature, but not our algorithm.
    for alg, digest in (("HS512", hashlib.sha512), ("HS384", hashlib.sha384)):
        token = forge({"alg": alg, "typ": "JWT"}, claims, hmac_sign(secret(), digest))
        await assert_rejected(client, token)

    def rs256(signing_input: bytes) -> bytes:
        return rsa_key.sign(signing_input, padding.PKCS1v15(), hashes.SHA256())

    await assert_rejected(client, forge({"alg": "RS256", "typ": "JWT"}, claims, rs256))
    # Our algorithm name in another case is not our algorithm either.
    await assert_rejected(
        client, forge({"alg": "hs256", "typ": "JWT"}, claims, hmac_sign(secret()))
    )
    # A token dressed as something other than a JWT.
    await assert_rejected(
        client, forge({"alg": "HS256", "typ": "JWE"}, claims, hmac_sign(secret()))
    )


@pytest.mark.parametrize(
    "token",
    [
        "garbage",
        "a.b.c",
        "..",
        "....",
        "eyJhbGciOiJIUzI1NiJ9",
        "eyJhbGciOiJIUzI1NiJ9.e30.",
        "%%%.%%%.%%%",
        "eyJ9.eyJ9.eyJ9",
        b64(b"[1,2,3]") + "." + b64(b"{}") + ".sig",
        b64(b'"HS256"') + "." + b64(b"[]") + ".sig",
        "x" * 5000,
    ],
)
async def test_garbage_is_rejected(client: httpx.AsyncClient, token: str) -> None:
    await assert_rejected(client, token)


async def test_no_or_malformed_authorization_is_rejected(client: httpx.AsyncClient) -> None:
    for headers in ({}, {"Authorization": "Bearer"}, {"Authorization": "Basic dXNlcjpwYXNz"}):
        response = await client.get(ME, headers=headers)
        assert response.status_code == 401, (headers, response.text)
        assert response.headers["content-type"] == "application/problem+json"


async def _own_user(world: World, unit: str = "M111") -> User:
    """A fresh officer at `unit` (under the S11 admin), so sessions can be ended safely."""
    async with sessionmaker()() as session:
        user = await make_user(
            session,
            f"tok.{secrets.token_hex(4)}",
            password_hash=world.actor(Role.officer).user.password_hash,
        )
        session.add(Grant(user_id=user.id, org_id=world.unit(unit).id, role=Role.officer.value))
        await session.commit()
    return user


async def _session_token(user: User) -> str:
    async with sessionmaker()() as session:
        token = await token_for(session, user)
        await session.commit()
    return token


async def test_token_of_a_revoked_session_is_rejected(
    client: httpx.AsyncClient, world: World
) -> None:
    user = await _own_user(world)
    token, other = await _session_token(user), await _session_token(user)
    assert (await get_me(client, token)).status_code == 200
    logout = await client.post("/api/v1/auth/logout", headers={"Authorization": f"Bearer {token}"})
    assert logout.status_code == 204, logout.text
    await assert_rejected(client, token)
    # A freshly minted token for the revoked session is no better.
    sid = uuid.UUID(claims_of(token)["sid"])
    await assert_rejected(client, create_access_token(user.id, sid)[0])
    # Only that session ended.
    assert (await get_me(client, other)).status_code == 200


async def test_deactivation_ends_every_session_at_once(
    client: httpx.AsyncClient, world: World
) -> None:
    user = await _own_user(world)
    login = await client.post(
        "/api/v1/auth/token", data={"username": user.username, "password": PASSWORD}
    )
    assert login.status_code == 200, login.text
    access, refresh = login.json()["access_token"], login.json()["refresh_token"]
    minted = await _session_token(user)
    for token in (access, minted):
        assert (await get_me(client, token)).status_code == 200

    admin = world.actor(Role.admin, "S11").headers
    url = f"/api/v1/users/{user.id}"
    response = await client.patch(url, json={"is_active": False}, headers=admin)
    assert response.status_code == 200, response.text
    assert response.json()["is_active"] is False

    for token in (access, minted):
        await assert_rejected(client, token)
    # A token for the same session minted after deactivation is refused too.
    await assert_rejected(
        client, create_access_token(user.id, uuid.UUID(claims_of(access)["sid"]))[0]
    )
    again = await client.post("/api/v1/auth/refresh", json={"refresh_token": refresh})
    assert again.status_code == 401, again.text
    assert again.headers["content-type"] == "application/problem+json"
    relogin = await client.post(
        "/api/v1/auth/token", data={"username": user.username, "password": PASSWORD}
    )
    assert relogin.status_code == 401, relogin.text

    # Reactivation does not bring the ended sessions back.
    response = await client.patch(url, json={"is_active": True}, headers=admin)
    assert response.status_code == 200, response.text
    for token in (access, minted):
        await assert_rejected(client, token)
    again = await client.post("/api/v1/auth/refresh", json={"refresh_token": refresh})
    assert again.status_code == 401, again.text
