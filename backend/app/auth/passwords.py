"""Argon2id hashing (pwdlib), off the event loop and with a cap on concurrent work."""

from functools import lru_cache

import anyio
from pwdlib import PasswordHash

from app.core.config import get_settings

MIN_PASSWORD_LENGTH = 8


@lru_cache
def _hasher() -> PasswordHash:
    return PasswordHash.recommended()


@lru_cache
def _limiter() -> anyio.CapacityLimiter:
    return anyio.CapacityLimiter(get_settings().password_hash_concurrency)


@lru_cache
def _dummy_hash() -> str:
    # Verifying against this for unknown usernames keeps timing the same as a real check.
    return _hasher().hash("not-a-real-password")


def hash_password_sync(password: str) -> str:
    return _hasher().hash(password)


async def hash_password(password: str) -> str:
    return await anyio.to_thread.run_sync(hash_password_sync, password, limiter=_limiter())


async def verify_password(password: str, password_hash: str | None) -> bool:
    target = password_hash or _dummy_hash()

    def check() -> bool:
        return _hasher().verify(password, target)

    ok = await anyio.to_thread.run_sync(check, limiter=_limiter())
    return ok and password_hash is not None
