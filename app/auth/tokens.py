"""Short-lived access tokens and longer refresh tokens (HS256 JWT)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import jwt

from app.auth.principal import ALGORITHM
from app.auth.schemas import TokenPair
from app.settings import get_settings


def issue_pair(user_id: int, username: str, role: str, district: str | None, token_version: int = 0) -> TokenPair:
    settings = get_settings()
    now = datetime.now(UTC)
    access_expires = now + timedelta(minutes=settings.access_token_minutes)
    # "ver" is the account's token version: a refresh token older than the account's current one is refused.
    common = {"sub": str(user_id), "iat": now, "ver": token_version}
    access = jwt.encode(
        {**common, "typ": "access", "exp": access_expires, "username": username, "role": role, "district": district},
        settings.jwt_secret,
        algorithm=ALGORITHM,
    )
    refresh = jwt.encode(
        {**common, "typ": "refresh", "exp": now + timedelta(days=settings.refresh_token_days)},
        settings.jwt_secret,
        algorithm=ALGORITHM,
    )
    return TokenPair(access_token=access, refresh_token=refresh, expires_in=settings.access_token_minutes * 60)
