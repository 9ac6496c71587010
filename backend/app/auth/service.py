"""Sign-in, refresh-token rotation with reuse detection, sign-out, throttling."""

import base64
import hashlib
import hmac
import secrets
import uuid
from dataclasses import dataclass
from datetime import timedelta

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from app.audit.service import record
from app.auth.models import AuthSession, LoginThrottle, RefreshToken
from app.auth.passwords import verify_password
from app.auth.tokens import create_access_token
from app.core.config import get_settings
from app.core.errors import TooManyRequests, Unauthorized
from app.core.models import utcnow
from app.users.models import User

REFRESH_PREFIX = "rt_"


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


def _new_refresh_row(token: str, session_id: uuid.UUID) -> RefreshToken:
    days = get_settings().refresh_token_days
    return RefreshToken(
        token_hash=_hash(token), session_id=session_id, expires_at=utcnow() + timedelta(days=days)
    )


async def _check_throttle(session: AsyncSession, keys: list[str]) -> None:
    settings = get_settings()
    window = timedelta(seconds=settings.login_window_seconds)
    now = utcnow()
    rows = (
        await session.execute(sa.select(LoginThrottle).where(col(LoginThrottle.key).in_(keys)))
    ).scalars()
    for row in rows:
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


async def _count_failure(session: AsyncSession, keys: list[str]) -> None:
    window = timedelta(seconds=get_settings().login_window_seconds)
    now = utcnow()
    for key in keys:
        stmt = insert(LoginThrottle).values(key=key, failures=1, window_started_at=now)
        expired = col(LoginThrottle.window_started_at) < now - window
        stmt = stmt.on_conflict_do_update(
            index_elements=[col(LoginThrottle.key)],
            set_={
                "failures": sa.case((expired, 1), else_=col(LoginThrottle.failures) + 1),
                "window_started_at": sa.case(
                    (expired, now), else_=col(LoginThrottle.window_started_at)
                ),
            },
        )
        await session.execute(stmt)


async def login(
    session: AsyncSession, username: str, password: str, client_addr: str
) -> IssuedTokens:
    username = username.strip().lower()
    keys = [f"user:{username}"] + ([f"addr:{client_addr}"] if client_addr else [])
    # One sign-in per username at a time (until this transaction ends), or concurrent
    # guesses would all pass the check before any of their failures is counted.
    await session.execute(
        sa.select(sa.func.pg_advisory_xact_lock(sa.func.hashtextextended(keys[0], 0)))
    )
    await _check_throttle(session, keys)
    user = (
        await session.execute(sa.select(User).where(col(User.username) == username))
    ).scalar_one_or_none()
    ok = await verify_password(password, user.password_hash if user else None)
    if not ok or user is None or not user.is_active:
        await _count_failure(session, keys)
        await record(
            session,
            action="auth.login_failed",
            entity_type="user",
            entity_id=user.id if user else None,
            after={"username": username[:64]},
        )
        await session.commit()  # the failure must be counted even though we answer 401
        raise Unauthorized("Wrong username or password.")
    await session.execute(sa.delete(LoginThrottle).where(col(LoginThrottle.key) == keys[0]))
    auth_session = AuthSession(user_id=user.id, client_addr=client_addr[:64])
    session.add(auth_session)
    await session.flush()
    refresh = REFRESH_PREFIX + secrets.token_urlsafe(32)
    session.add(_new_refresh_row(refresh, auth_session.id))
    await record(
        session,
        action="auth.login",
        entity_type="session",
        entity_id=auth_session.id,
        actor_id=user.id,
    )
    access, expires_in = create_access_token(user.id, auth_session.id)
    return IssuedTokens(access, expires_in, refresh, auth_session.id)


async def refresh(session: AsyncSession, token: str) -> IssuedTokens:
    now = utcnow()
    row = (
        await session.execute(
            sa.select(RefreshToken, AuthSession, col(User.is_active))
            .join(AuthSession, col(AuthSession.id) == col(RefreshToken.session_id))
            .join(User, col(User.id) == col(AuthSession.user_id))
            .where(col(RefreshToken.token_hash) == _hash(token))
            .with_for_update(of=RefreshToken)
        )
    ).one_or_none()
    if row is None:
        raise Unauthorized("The refresh token is not valid.")
    stored, auth_session, user_active = row
    if auth_session.revoked_at is not None or not user_active or stored.expires_at <= now:
        raise Unauthorized("The session has ended; sign in again.")
    successor = _successor_of(token)
    if stored.rotated_at is None:
        stored.rotated_at = now
        session.add(_new_refresh_row(successor, auth_session.id))
    else:
        grace = timedelta(seconds=get_settings().refresh_grace_seconds)
        next_row = await session.get(RefreshToken, _hash(successor))
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
    auth_session.revoked_at = utcnow()
    auth_session.revoke_reason = reason
    await record(
        session,
        action="auth.revoke",
        entity_type="session",
        entity_id=auth_session.id,
        actor_id=actor_id,
        after={"reason": reason, "user_id": str(auth_session.user_id)},
    )


async def logout(session: AsyncSession, user_id: uuid.UUID, session_id: uuid.UUID) -> None:
    auth_session = await session.get(AuthSession, session_id)
    if auth_session is not None and auth_session.user_id == user_id:
        await _revoke(session, auth_session, "logout", actor_id=user_id)


async def logout_by_refresh_token(session: AsyncSession, token: str) -> None:
    """End the session a refresh token belongs to (unknown tokens end nothing)."""
    stored = await session.get(RefreshToken, _hash(token))
    if stored is None:
        return
    auth_session = await session.get(AuthSession, stored.session_id)
    if auth_session is not None:
        await _revoke(session, auth_session, "logout", actor_id=auth_session.user_id)


async def revoke_user_sessions(
    session: AsyncSession, user_id: uuid.UUID, *, reason: str, actor_id: uuid.UUID
) -> None:
    live = (
        await session.execute(
            sa.select(AuthSession).where(
                col(AuthSession.user_id) == user_id,
                col(AuthSession.revoked_at).is_(None),
            )
        )
    ).scalars()
    for auth_session in live:
        await _revoke(session, auth_session, reason, actor_id=actor_id)
