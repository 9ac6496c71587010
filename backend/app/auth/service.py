"""Sign-in, refresh-token rotation with reuse detection, sign-out, throttling."""

import base64
import hashlib
import hmac
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

import asyncpg
from sqlalchemy.ext.asyncio import AsyncSession

from app.access.roles import ROLE_PERMISSIONS
from app.access.scope import Principal
from app.audit.service import Audited
from app.auth.models import AuthSession, LoginThrottle
from app.auth.passwords import verify_password
from app.auth.repository import AuthRepository
from app.auth.schemas import Me, MeGrant
from app.auth.tokens import create_access_token
from app.core.config import get_settings
from app.core.errors import TooManyRequests, Unauthorized
from app.core.models import utcnow
from app.meta.service import is_demo
from app.orgs.repository import OrgRepository
from app.users.repository import UserRepository

REFRESH_PREFIX = "rt_"
SIGN_IN = Audited("user")  # failed sign-ins, by the user they named
SESSION = Audited("session")


@dataclass(frozen=True)
class IssuedTokens:
    access_token: str
    expires_in: int
    refresh_token: str
    session_id: uuid.UUID


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _successor_of(token: str) -> str:
    """The token a rotation yields, derived from its predecessor.

    Deterministic, so a retry inside the grace window (a phone that lost the answer)
    gets the very same new token without us storing any token in clear.
    """
    secret = get_settings().signing_secret().encode()
    digest = hmac.new(secret, b"rotate:" + token.encode(), hashlib.sha256).digest()
    return REFRESH_PREFIX + base64.urlsafe_b64encode(digest).decode().rstrip("=")


def _expiry() -> datetime:
    return utcnow() + timedelta(days=get_settings().refresh_token_days)


def _check_throttle(throttles: list[LoginThrottle]) -> None:
    settings = get_settings()
    window = timedelta(seconds=settings.login_window_seconds)
    now = utcnow()
    for row in throttles:
        limit = (
            settings.login_failures_per_user
            if row.key.startswith("user:")
            else settings.login_failures_per_address
        )
        ends = row.window_started_at + window
        if row.failures >= limit and ends > now:
            raise TooManyRequests(
                "Too many failed sign-ins; try again later.",
                retry_after=int((ends - now).total_seconds()) + 1,
            )


async def login(
    session: AsyncSession, username: str, password: str, client_addr: str
) -> IssuedTokens:
    username = username.strip().lower()
    keys = [f"user:{username}"] + ([f"addr:{client_addr}"] if client_addr else [])
    repo = await AuthRepository.writing(session)
    # One sign-in per username at a time (until this transaction ends), or concurrent
    # guesses would all pass the check before any of their failures is counted.
    await repo.lock_sign_in(keys[0])
    _check_throttle(await repo.throttles(keys))
    user = await (await UserRepository.writing(session)).by_username(username)
    ok = await verify_password(password, user.password_hash if user else None)
    if not ok or user is None or not user.is_active:
        window = timedelta(seconds=get_settings().login_window_seconds)
        await repo.count_failures(keys, utcnow(), window)
        after = {"username": username[:64]}
        await SIGN_IN.entry(session, "auth.login_failed", user.id if user else None, after=after)
        await session.commit()  # the failure must be counted even though we answer 401
        raise Unauthorized("Wrong username or password.")
    await repo.clear_throttle(keys[0])
    auth_session = await repo.open_session(user.id, client_addr[:64])
    refresh = REFRESH_PREFIX + secrets.token_urlsafe(32)
    repo.add_refresh_token(_hash(refresh), auth_session.id, _expiry())
    await SESSION.entry(session, "auth.login", auth_session.id, actor_id=user.id)
    access, expires_in = create_access_token(user.id, auth_session.id)
    return IssuedTokens(access, expires_in, refresh, auth_session.id)


async def refresh(session: AsyncSession, token: str) -> IssuedTokens:
    now = utcnow()
    repo = await AuthRepository.writing(session)
    found = await repo.lock_refresh_token(_hash(token))
    if found is None:
        raise Unauthorized("The refresh token is not valid.")
    stored, auth_session, user_active = found
    if auth_session.revoked_at is not None or not user_active or stored.expires_at <= now:
        raise Unauthorized("The session has ended; sign in again.")
    successor = _successor_of(token)
    if stored.rotated_at is None:
        repo.mark_rotated(stored, now)
        repo.add_refresh_token(_hash(successor), auth_session.id, _expiry())
    else:
        grace = timedelta(seconds=get_settings().refresh_grace_seconds)
        next_row = await repo.refresh_token(_hash(successor))
        if now - stored.rotated_at > grace or next_row is None or next_row.rotated_at is not None:
            await _revoke(session, auth_session, "refresh-reuse", actor_id=auth_session.user_id)
            await session.commit()  # the revocation stands even though we answer 401
            raise Unauthorized("This refresh token was already used; the session is revoked.")
    access, expires_in = create_access_token(auth_session.user_id, auth_session.id)
    return IssuedTokens(access, expires_in, successor, auth_session.id)


async def _revoke(
    session: AsyncSession, auth_session: AuthSession, reason: str, actor_id: uuid.UUID | None
) -> None:
    if auth_session.revoked_at is not None:
        return
    (await AuthRepository.writing(session)).revoke(auth_session, reason, utcnow())
    after = {"reason": reason, "user_id": str(auth_session.user_id)}
    await SESSION.entry(session, "auth.revoke", auth_session.id, actor_id=actor_id, after=after)


async def logout(session: AsyncSession, user_id: uuid.UUID, session_id: uuid.UUID) -> None:
    auth_session = await (await AuthRepository.writing(session)).auth_session(session_id)
    if auth_session is not None and auth_session.user_id == user_id:
        await _revoke(session, auth_session, "logout", actor_id=user_id)


async def logout_by_refresh_token(session: AsyncSession, token: str) -> None:
    """End the session a refresh token belongs to (unknown tokens end nothing)."""
    repo = await AuthRepository.writing(session)
    stored = await repo.refresh_token(_hash(token))
    if stored is None:
        return
    auth_session = await repo.auth_session(stored.session_id)
    if auth_session is not None:
        await _revoke(session, auth_session, "logout", actor_id=auth_session.user_id)


async def revoke_user_sessions(
    session: AsyncSession, user_id: uuid.UUID, *, reason: str, actor_id: uuid.UUID
) -> None:
    for auth_session in await (await AuthRepository.writing(session)).live_sessions(user_id):
        await _revoke(session, auth_session, reason, actor_id=actor_id)


async def me(connection: asyncpg.Connection, principal: Principal) -> Me:
    """Who the caller is, with each grant's unit and what its role allows there."""
    orgs = await OrgRepository(connection).names([g.org_id for g in principal.grants])
    return Me(
        id=principal.user_id,
        username=principal.username,
        display_name=principal.display_name,
        grants=[
            MeGrant(
                id=g.grant_id,
                org_id=g.org_id,
                role=g.role,
                org_name=orgs[g.org_id]["name"],
                org_kind=orgs[g.org_id]["kind"],
                permissions=sorted(ROLE_PERMISSIONS[g.role]),
            )
            for g in principal.grants
        ],
        demo_mode=await is_demo(connection),
    )
