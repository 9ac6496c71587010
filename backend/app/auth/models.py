import uuid
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from app.core.models import timestamp, uuid_pk


class AuthSession(SQLModel, table=True):
    """One sign-in: the family of refresh tokens rotated from it."""

    __tablename__ = "auth_sessions"

    id: uuid.UUID = uuid_pk()
    user_id: uuid.UUID = Field(foreign_key="users.id", index=True, ondelete="CASCADE")
    client_addr: str = Field(default="", max_length=64)
    created_at: datetime = timestamp()
    revoked_at: datetime | None = timestamp(nullable=True)
    revoke_reason: str | None = Field(default=None, max_length=40)


class RefreshToken(SQLModel, table=True):
    __tablename__ = "refresh_tokens"

    token_hash: str = Field(primary_key=True, max_length=64)
    session_id: uuid.UUID = Field(foreign_key="auth_sessions.id", index=True, ondelete="CASCADE")
    created_at: datetime = timestamp()
    expires_at: datetime = Field(sa_column=sa.Column(sa.DateTime(timezone=True), nullable=False))
    rotated_at: datetime | None = timestamp(nullable=True)


class LoginThrottle(SQLModel, table=True):
    """Failed sign-ins per username and per client address, shared by every worker."""

    __tablename__ = "login_throttle"

    key: str = Field(primary_key=True, max_length=200)
    failures: int = Field(default=0)
    window_started_at: datetime = timestamp()
