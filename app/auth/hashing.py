"""Password hashing and login checks that never block the event loop.

PBKDF2 at Piccolo's 600k rounds costs ~0.3 s of CPU. Run inside the event loop, every login stalls every other
request of the process for that long (measured on issue 18: ``/health/live`` p50 2.6 ms → 185 ms while 4 clients
logged in). Here each hash runs in a thread of a small pool of its own (``hashlib.pbkdf2_hmac`` releases the GIL),
``SEEDBED_PASSWORD_HASH_THREADS`` threads (default: one per core), so a login rush queues for the CPU instead of
taking all of it; those threads run at a lower CPU priority, so when the CPU is short the event loops (this
process's and the other workers') win it and a login waits a little longer rather than every request.

An unknown username costs one full hash too, so response times do not tell which usernames exist.
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import os
import secrets
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from typing import Any

from piccolo.apps.user.tables import BaseUser
from piccolo.columns import Column

from app.settings import get_settings

# Niceness of the hashing threads (Linux applies it per thread): weighs ~1/10 of a normal thread for the scheduler.
HASH_THREAD_NICENESS = 10
_pool: ThreadPoolExecutor | None = None


def hash_threads() -> int:
    """How many hashes may run at once: the setting, or one per core when it is 0."""
    return get_settings().password_hash_threads or os.cpu_count() or 1


def _lower_priority() -> None:
    # Best effort: where per-thread priorities do not exist the hashes simply run at normal priority.
    with contextlib.suppress(AttributeError, OSError):
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), HASH_THREAD_NICENESS)


def _hash_pool() -> ThreadPoolExecutor:
    # Not loop-bound (unlike a semaphore): one pool serves every event loop of the process.
    global _pool
    if _pool is None:
        _pool = ThreadPoolExecutor(hash_threads(), thread_name_prefix="password-hash", initializer=_lower_priority)
    return _pool


async def hash_password(password: str, salt: str = "", iterations: int | None = None) -> str:
    """Piccolo's stored form (``pbkdf2_sha256$<rounds>$<salt>$<hex>``), computed in the hashing pool."""
    loop = asyncio.get_running_loop()
    return await loop.run_in_executor(_hash_pool(), BaseUser.hash_password, password, salt, iterations)


async def password_matches(password: str, stored: str) -> bool:
    """Whether ``password`` hashes to ``stored`` with the salt and round count recorded in it."""
    _, iterations, salt, _ = BaseUser.split_stored_password(stored)
    return hmac.compare_digest(await hash_password(password, salt, int(iterations)), stored)


async def login(username: str, password: str) -> int | None:
    """Piccolo's ``BaseUser.login`` without blocking: the user id when the password matches, else None.

    Also like Piccolo: ``last_login`` is set, and a hash stored with another round count is upgraded to the
    current one.
    """
    if len(username) > (BaseUser.username.length or len(username)) or len(password) > BaseUser._max_password_length:
        return None
    row = await BaseUser.select(BaseUser.id, BaseUser.password).where(BaseUser.username == username).first()
    if row is None:
        # The same work as a wrong password, so the answer's timing does not reveal whether the account exists.
        await password_matches(password, _dummy_stored_password())
        return None
    stored = str(row["password"])
    if not await password_matches(password, stored):
        return None
    values: dict[Column | str, Any] = {BaseUser.last_login: datetime.now()}
    if int(BaseUser.split_stored_password(stored)[1]) != BaseUser._pbkdf2_iteration_count:
        values[BaseUser.password] = await hash_password(password)
    await BaseUser.update(values).where(BaseUser.id == row["id"])
    return int(row["id"])


def _dummy_stored_password() -> str:
    # Any well-formed stored hash at the current round count; its digest never matches a real password's.
    return f"pbkdf2_sha256${BaseUser._pbkdf2_iteration_count}${secrets.token_hex(16)}${'0' * 64}"


async def new_user(username: str, password: str, **columns: object) -> BaseUser:
    """``BaseUser.create_user`` with the hash computed off the event loop (Piccolo's checks, then one INSERT).

    Raises ValueError for a password Piccolo refuses (too short, too long, already hashed).
    """
    if not username:
        raise ValueError("A username must be provided.")
    BaseUser._validate_password(password=password)
    # An already-hashed value is stored as given (Piccolo hashes only plain passwords in the constructor).
    hashed = await hash_password(password)
    user = BaseUser(username=username, password=hashed, **columns)  # type: ignore[no-untyped-call]  # Piccolo's
    await user.save()
    return user
