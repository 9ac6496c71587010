"""Statements on auth_sessions, refresh_tokens and login_throttle: the caller's session
and grants, read in plain SQL on every request; the rest through the session, inside the
sign-in, refresh and sign-out transactions."""

import uuid
from collections.abc import Sequence
from datetime import datetime, timedelta

import asyncpg
import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert
from sqlmodel import col

from app.auth.models import AuthSession, LoginThrottle, RefreshToken
from app.core.repository import Repository
from app.users.models import User


class AuthRepository(Repository):
    # ---------------------------------------------------------------- reads (plain SQL)

    async def caller(self, user_id: uuid.UUID, session_id: uuid.UUID) -> list[asyncpg.Record]:
        """The user behind an access token, their sign-in session, and one row per grant
        (with the unit's path); none when either is gone."""
        rows: list[asyncpg.Record] = await self.fetch(
            "SELECT u.id, u.username, u.display_name, u.is_active, s.revoked_at,"
            " g.id AS grant_id, g.org_id, g.role, o.path"
            " FROM users u JOIN auth_sessions s ON s.user_id = u.id"
            " LEFT JOIN grants g ON g.user_id = u.id LEFT JOIN org_units o ON o.id = g.org_id"
            " WHERE u.id = $1 AND s.id = $2",
            user_id,
            session_id,
        )
        return rows

    # ---------------------------------------------------------------- login_throttle

    async def lock_sign_in(self, key: str) -> None:
        """Serialise sign-ins under `key` until the transaction ends."""
        await self.session.execute(
            sa.select(sa.func.pg_advisory_xact_lock(sa.func.hashtextextended(key, 0)))
        )

    async def throttles(self, keys: Sequence[str]) -> list[LoginThrottle]:
        return list(
            (
                await self.session.execute(
                    sa.select(LoginThrottle).where(col(LoginThrottle.key).in_(list(keys)))
                )
            ).scalars()
        )

    async def count_failures(self, keys: Sequence[str], now: datetime, window: timedelta) -> None:
        """One more failure under each of `keys`; a window that began `window` or longer
        before `now` starts again at `now`."""
        expired = col(LoginThrottle.window_started_at) < now - window
        for key in keys:
            stmt = insert(LoginThrottle).values(key=key, failures=1, window_started_at=now)
            await self.session.execute(
                stmt.on_conflict_do_update(
                    index_elements=[col(LoginThrottle.key)],
                    set_={
                        "failures": sa.case((expired, 1), else_=col(LoginThrottle.failures) + 1),
                        "window_started_at": sa.case(
                            (expired, now), else_=col(LoginThrottle.window_started_at)
                        ),
                    },
                )
            )

    async def clear_throttle(self, key: str) -> None:
        await self.session.execute(sa.delete(LoginThrottle).where(col(LoginThrottle.key) == key))

    # ---------------------------------------------------------------- auth_sessions

    async def open_session(self, user_id: uuid.UUID, client_addr: str) -> AuthSession:
        auth_session = AuthSession(user_id=user_id, client_addr=client_addr)
        self.session.add(auth_session)
        await self.session.flush()
        return auth_session

    async def auth_session(self, session_id: uuid.UUID) -> AuthSession | None:
        return await self.session.get(AuthSession, session_id)

    async def live_sessions(self, user_id: uuid.UUID) -> list[AuthSession]:
        return list(
            (
                await self.session.execute(
                    sa.select(AuthSession).where(
                        col(AuthSession.user_id) == user_id,
                        col(AuthSession.revoked_at).is_(None),
                    )
                )
            ).scalars()
        )

    def revoke(self, auth_session: AuthSession, reason: str, at: datetime) -> None:
        """Written with the session's next flush (at the latest, its commit)."""
        auth_session.revoked_at = at
        auth_session.revoke_reason = reason

    # ---------------------------------------------------------------- refresh_tokens

    def add_refresh_token(
        self, token_hash: str, session_id: uuid.UUID, expires_at: datetime
    ) -> None:
        """Inserted with the session's next flush (at the latest, its commit)."""
        self.session.add(
            RefreshToken(token_hash=token_hash, session_id=session_id, expires_at=expires_at)
        )

    async def refresh_token(self, token_hash: str) -> RefreshToken | None:
        return await self.session.get(RefreshToken, token_hash)

    async def lock_refresh_token(
        self, token_hash: str
    ) -> tuple[RefreshToken, AuthSession, bool] | None:
        """The token (locked until the transaction ends), its session, and whether the
        session's user is active."""
        row = (
            await self.session.execute(
                sa.select(RefreshToken, AuthSession, col(User.is_active))
                .join(AuthSession, col(AuthSession.id) == col(RefreshToken.session_id))
                .join(User, col(User.id) == col(AuthSession.user_id))
                .where(col(RefreshToken.token_hash) == token_hash)
                .with_for_update(of=RefreshToken)
            )
        ).one_or_none()
        return None if row is None else (row[0], row[1], row[2])

    def mark_rotated(self, token: RefreshToken, at: datetime) -> None:
        """Written with the session's next flush (at the latest, its commit)."""
        token.rotated_at = at
