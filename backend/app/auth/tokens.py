"""Access tokens (JWT, HS256). The only module that imports python-jose.

python-jose trusts a token's `alg` unless told otherwise, so the header is checked
before decoding and `algorithms` names exactly one algorithm. JWE is never used.
"""

import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache

from jose import JWTError, jwt

from app.core.config import get_settings

ALGORITHM = "HS256"
_REQUIRED = ("exp", "iat", "sub", "aud", "iss")


class InvalidToken(Exception):
    pass


@dataclass(frozen=True)
class AccessClaims:
    user_id: uuid.UUID
    session_id: uuid.UUID


def create_access_token(user_id: uuid.UUID, session_id: uuid.UUID) -> tuple[str, int]:
    settings = get_settings()
    lifetime = settings.access_token_minutes * 60
    now = datetime.now(UTC)
    claims = {
        "sub": str(user_id),
        "sid": str(session_id),
        "iss": settings.jwt_issuer,
        "aud": settings.jwt_audience,
        "iat": int(now.timestamp()),
        "exp": int((now + timedelta(seconds=lifetime)).timestamp()),
        "jti": uuid.uuid4().hex,
    }
    token = jwt.encode(claims, settings.signing_secret(), algorithm=ALGORITHM)
    return token, lifetime


def decode_access_token(token: str) -> AccessClaims:
    settings = get_settings()
    claims, expires = _verified(
        token, settings.signing_secret(), settings.jwt_audience, settings.jwt_issuer
    )
    if expires <= time.time():
        raise InvalidToken("Signature has expired.")
    return claims


# Verifying the signature costs more than the rest of a small request; a token's bytes
# decide the outcome, so valid tokens are remembered (expiry is still checked on every
# use above; invalid ones raise and are not cached).
@lru_cache(maxsize=4096)
def _verified(token: str, secret: str, audience: str, issuer: str) -> tuple[AccessClaims, int]:
    try:
        header = jwt.get_unverified_header(token)
        if header.get("alg") != ALGORITHM or header.get("typ", "JWT") != "JWT":
            raise InvalidToken("unexpected algorithm")
        claims = jwt.decode(
            token,
            secret,
            algorithms=[ALGORITHM],
            audience=audience,
            issuer=issuer,
            options={f"require_{claim}": True for claim in _REQUIRED},
        )
        return (
            AccessClaims(user_id=uuid.UUID(claims["sub"]), session_id=uuid.UUID(claims["sid"])),
            int(claims["exp"]),
        )
    except (JWTError, KeyError, ValueError, TypeError, AttributeError) as exc:
        raise InvalidToken(str(exc)) from exc
