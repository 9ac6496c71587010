"""Settings from the environment and `.env` (pydantic-settings)."""

import secrets
from functools import lru_cache
from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

MIN_SECRET_BYTES = 32


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore")

    environment: Literal["development", "production", "test"] = "development"
    database_url: str | None = None
    data_dir: Path = Path(".data")
    secret_key: str | None = None
    access_token_minutes: int = 15
    refresh_token_days: int = 14
    refresh_grace_seconds: int = 30
    cors_origins: list[str] = Field(default_factory=list)
    max_body_bytes: int = 1024 * 1024
    login_failures_per_user: int = 5
    login_failures_per_address: int = 30
    login_window_seconds: int = 900
    password_hash_concurrency: int = 2
    jwt_issuer: str = "liandong"
    jwt_audience: str = "liandong-api"
    # Every calendar rule (working days, cut-offs, cron schedules) reads the clock here.
    time_zone: str = "Asia/Shanghai"
    # `liandong serve` runs a job worker in each server process unless this is off (run
    # `liandong worker` processes instead).
    run_worker: bool = True
    spa_dir: Path | None = None  # defaults to frontend/dist of this checkout
    # Connections per worker process. The session pool (writes, most reads) keeps
    # `db_pool_size` open and opens up to `db_pool_overflow` more for a burst; the read
    # pool (grants on every request, work-item lists and reads) grows to
    # `db_read_pool_size`, enough for the requests one worker has in flight at once.
    db_pool_size: int = Field(default=10, ge=1)
    db_pool_overflow: int = Field(default=10, ge=0)
    db_read_pool_size: int = Field(default=20, ge=1)
    # A list page slower than this is asked again with its scope gathered first (see
    # app/workitems/repository.py); a page takes a few milliseconds normally.
    list_scope_first_after_ms: int = Field(default=500, ge=1)

    @field_validator("time_zone")
    @classmethod
    def _known_time_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as error:
            raise ValueError(f"TIME_ZONE {value!r} is not a known IANA time zone") from error
        return value

    @model_validator(mode="after")
    def _production_needs_a_real_secret(self) -> "Settings":
        too_short = not self.secret_key or len(self.secret_key.encode()) < MIN_SECRET_BYTES
        if self.environment == "production" and too_short:
            raise ValueError(
                f"SECRET_KEY must be set to at least {MIN_SECRET_BYTES} bytes in production"
            )
        return self

    @property
    def is_production(self) -> bool:
        return self.environment == "production"

    def signing_secret(self) -> str:
        """The JWT/HMAC secret: configured, or generated once and kept in DATA_DIR."""
        if self.secret_key:
            return self.secret_key
        secret_file = self.data_dir / "secret_key"
        if not secret_file.exists():
            self.data_dir.mkdir(parents=True, exist_ok=True)
            secret_file.write_text(secrets.token_urlsafe(48))
            secret_file.chmod(0o600)
        self.secret_key = secret_file.read_text().strip()
        return self.secret_key

    def async_database_url(self) -> str:
        if not self.database_url:
            raise RuntimeError("DATABASE_URL is not set and no embedded database was started")
        return to_asyncpg_url(self.database_url)


def to_asyncpg_url(url: str) -> str:
    for prefix in ("postgresql+asyncpg://", "postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+asyncpg://" + url[len(prefix) :]
    raise ValueError(f"not a PostgreSQL URL: {url.split('@')[-1]}")


@lru_cache
def get_settings() -> Settings:
    return Settings()
