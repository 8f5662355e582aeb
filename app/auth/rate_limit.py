"""Attempt limits on the routes that hash a password: per client address and per username, counted in Redis.

A route opts in with ``opt={"rate_limit": "<rule>"}``; the limits come from settings (``SEEDBED_RATE_LIMIT_*``).
The open-data routes (一公开) use a per-address rule only: they have no body and no account.

Why not Litestar's ``RateLimitConfig`` as it ships: its identifier callable is synchronous and runs before the body
is read, so it cannot key on the username in a JSON body; its key is the same for every route it guards; its
read-modify-write is serialised by a lock inside one process only, so granian's worker processes would each admit
the full limit; and its 429 carries ``RateLimit-*`` headers but no ``Retry-After``. Extending it would replace all of
that, so this is a fixed-window counter on the Redis that API processes already share (``SET NX EX`` + ``INCR`` in
one MULTI: exact across processes). Redis unreachable → requests pass (logged): login stays available.
"""

from __future__ import annotations

import hashlib
import logging
import time
from dataclasses import dataclass
from typing import Any

from litestar.connection import Request
from litestar.enums import ScopeType
from litestar.middleware.base import ASGIMiddleware
from litestar.serialization import decode_json
from litestar.types import ASGIApp, Receive, Scope, Send
from redis.exceptions import RedisError

from app.errors import DomainError, FieldError
from app.settings import Settings, get_settings

log = logging.getLogger(__name__)

UNIT_SECONDS = {"second": 1, "minute": 60, "hour": 3600, "day": 86400}
# After a failed connection, skip counting this long: arq's pool takes seconds to give up, and every login would wait.
REDIS_RETRY_SECONDS = 15.0
_redis_down_until = 0.0


@dataclass(frozen=True)
class Rule:
    identity_field: str | None  # the JSON body field that names the account; None: per address only
    ip_setting: str
    identity_setting: str = ""


RULES = {
    "login": Rule("username", "rate_limit_login_per_ip", "rate_limit_login_per_username"),
    "register": Rule("username", "rate_limit_register_per_ip", "rate_limit_register_per_username"),
    "password_reset": Rule("account", "rate_limit_reset_per_ip", "rate_limit_reset_per_account"),
    "open_data": Rule(None, "rate_limit_open_data_per_ip"),  # 一公开: public reads, per address
}


def parse_limit(text: str) -> tuple[int, int]:
    """``"10/minute"`` → (10, 60). Settings validate the shape (RATE_LIMIT_PATTERN)."""
    count, _, unit = text.partition("/")
    return int(count), UNIT_SECONDS[unit]


def _namespace(settings: Settings) -> str:
    # The queue name is per deployment (and per test run), so two of them sharing a Redis never share counts.
    return f"{settings.queue_name}:rate"


def client_address(scope: Scope, settings: Settings) -> str:
    """The caller's address; behind a trusted reverse proxy, the last address it appended to X-Forwarded-For."""
    client = scope.get("client")
    peer = client[0] if client else "unknown"
    trusted = {p.strip() for p in settings.rate_limit_trusted_proxies.split(",") if p.strip()}
    if peer in trusted:
        for name, value in scope.get("headers", []):
            if name == b"x-forwarded-for":
                hops = [hop.strip() for hop in value.decode("latin-1").split(",") if hop.strip()]
                if hops:
                    return hops[-1]
    return peer


async def _identity(request: Request[Any, Any, Any], field_name: str) -> str | None:
    body = await request.body()  # cached in the scope: the handler reads the same bytes
    try:
        data = decode_json(body)
    except Exception:  # malformed or too deeply nested: the handler rejects it without hashing anything
        return None
    value = data.get(field_name) if isinstance(data, dict) else None
    return value.strip().lower() if isinstance(value, str) and value.strip() else None


def _key(namespace: str, rule: str, kind: str, identity: str) -> str:
    digest = hashlib.sha256(identity.encode()).hexdigest()[:32]  # bounded, and no raw usernames in Redis
    return f"{namespace}:{rule}:{kind}:{digest}"


async def _count(keys: list[tuple[str, int, int]]) -> list[tuple[int, int]]:
    """Add one attempt to each (key, limit, window); returns (attempts so far, seconds left) per key."""
    from app.queue import get_queue

    global _redis_down_until
    if time.monotonic() < _redis_down_until:
        return []
    try:
        # arq's create_pool raises redis' ConnectionError (not an OSError) when Redis is down.
        redis = await get_queue()
        if redis is None:
            raise RedisError("no queue pool")
        pipe = redis.pipeline(transaction=True)
        for key, _, window in keys:
            pipe.set(key, 0, ex=window, nx=True)  # the window starts at the first attempt
            pipe.incr(key)
            pipe.ttl(key)
        results = await pipe.execute()
    except (RedisError, OSError):
        log.warning("rate limit not applied for %ss: Redis unavailable", REDIS_RETRY_SECONDS, exc_info=True)
        _redis_down_until = time.monotonic() + REDIS_RETRY_SECONDS
        return []
    return [(int(results[3 * i + 1]), max(int(results[3 * i + 2]), 1)) for i in range(len(keys))]


async def check(scope: Scope, receive: Receive, rule_name: str) -> None:
    """Count this attempt; raise 429 ``too_many_requests`` with Retry-After once either limit is exceeded."""
    settings = get_settings()
    rule = RULES[rule_name]
    namespace = _namespace(settings)
    keys: list[tuple[str, int, int]] = []
    fields: list[str] = []
    count, window = parse_limit(getattr(settings, rule.ip_setting))
    keys.append((_key(namespace, rule_name, "ip", client_address(scope, settings)), count, window))
    fields.append("")
    identity = await _identity(Request(scope, receive), rule.identity_field) if rule.identity_field else None
    if identity is not None and rule.identity_field:
        count, window = parse_limit(getattr(settings, rule.identity_setting))
        keys.append((_key(namespace, rule_name, "id", identity), count, window))
        fields.append(rule.identity_field)
    over = [
        (left, field_name)
        for (_, limit, _), (attempts, left), field_name in zip(keys, await _count(keys), fields, strict=False)
        if attempts > limit
    ]
    if not over:
        return
    retry_after = max(left for left, _ in over)
    detail = f"尝试次数过多，请 {_wait_zh(retry_after)}后再试"
    errors = [FieldError(name, "too_many_requests", detail) for _, name in over if name]
    raise DomainError("too_many_requests", detail, 429, errors, headers={"Retry-After": str(retry_after)})


async def check_identities(rule_name: str, limits: list[tuple[str, str, str]]) -> None:
    """Count one attempt under each (kind, identity, limit such as ``"10/minute"``) of ``rule_name``: for routes
    whose identity is the signed-in account rather than a body field (the roadshow's public vote). Same counters,
    same 429 with Retry-After, same pass-through when Redis is down."""
    namespace = _namespace(get_settings())
    keys = [(_key(namespace, rule_name, kind, identity), *parse_limit(text)) for kind, identity, text in limits]
    over = [left for (_, limit, _), (attempts, left) in zip(keys, await _count(keys), strict=False) if attempts > limit]
    if over:
        retry_after = max(over)
        detail = f"操作过于频繁，请 {_wait_zh(retry_after)}后再试"
        raise DomainError("too_many_requests", detail, 429, headers={"Retry-After": str(retry_after)})


def _wait_zh(seconds: int) -> str:
    if seconds < 120:
        return f"{seconds} 秒"
    return f"{(seconds + 59) // 60} 分钟"


async def reset() -> int:
    """Forget every count of this deployment (tests; operators unlocking after an incident). Returns keys removed."""
    from app.queue import get_queue

    redis = await get_queue()
    if redis is None:
        return 0
    keys = [key async for key in redis.scan_iter(match=f"{_namespace(get_settings())}:*", count=500)]
    if keys:
        await redis.delete(*keys)
    return len(keys)


class RateLimitMiddleware(ASGIMiddleware):
    """App-wide; acts only on routes whose ``opt`` names a rule, so every other route pays nothing."""

    scopes = (ScopeType.HTTP,)

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        rule_name = scope["route_handler"].opt.get("rate_limit")
        if rule_name is not None:
            await check(scope, receive, rule_name)
        await next_app(scope, receive, send)
