"""Logins hash passwords off the event loop, a bounded number at a time, and unknown usernames cost a hash too.

Times are compared as ratios measured in the same test (never against a fixed number): a ticker coroutine measures
how late the event loop wakes it while logins run, against the time one hash takes on this machine right now.
When the hash ran inside the loop, the ticker was late by at least one whole hash.
"""

from __future__ import annotations

import asyncio
import statistics
import threading
import time
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from piccolo.apps.user.tables import BaseUser

from app.auth import hashing
from app.auth.service import login
from app.auth.tables import Role
from app.errors import DomainError
from tests import factories

# Enough rounds that one hash (~0.15 s here, more on a busy machine) dwarfs the scheduling noise of a shared
# machine; Piccolo's 600k would only slow the test down.
ROUNDS = 300_000
LOGINS = 12
TICK = 0.002


@pytest.fixture
def realistic_rounds(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(BaseUser, "_pbkdf2_iteration_count", ROUNDS)


def _one_hash_seconds() -> float:
    timings = []
    for _ in range(3):
        started = time.perf_counter()
        BaseUser.hash_password("password-123", "salt", ROUNDS)
        timings.append(time.perf_counter() - started)
    return statistics.median(timings)


class Ticker:
    """Sleeps ``TICK`` over and over and records how much later than asked the loop woke it."""

    def __init__(self) -> None:
        self.lags: list[float] = []
        self.running = True

    async def run(self) -> None:
        while self.running:
            started = time.perf_counter()
            await asyncio.sleep(TICK)
            self.lags.append(time.perf_counter() - started - TICK)


def _count_concurrent_hashes(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Wraps Piccolo's hash function (the real one still runs) to record the most hashes running at once."""
    real: Callable[..., str] = BaseUser.hash_password
    lock = threading.Lock()
    state = [0, 0]  # running now, most at once

    def counting(password: str, salt: str = "", iterations: int | None = None) -> str:
        with lock:
            state[0] += 1
            state[1] = max(state[1], state[0])
        try:
            return real(password, salt, iterations)
        finally:
            with lock:
                state[0] -= 1

    monkeypatch.setattr(BaseUser, "hash_password", counting)
    return state


async def test_logins_leave_the_event_loop_free(
    client: httpx.AsyncClient, realistic_rounds: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    user = await factories.user(Role.applicant)
    one_hash = _one_hash_seconds()
    concurrency = _count_concurrent_hashes(monkeypatch)
    attempts = [
        (user.principal.username, "password-123", 200),
        (user.principal.username, "wrong-password", 401),
        ("nobody-by-this-name", "password-123", 401),
    ] * (LOGINS // 3)

    async def attempt(username: str, password: str) -> int:
        response = await client.post("/auth/login", json={"username": username, "password": password})
        return response.status_code

    ticker = Ticker()
    ticking = asyncio.create_task(ticker.run())
    await asyncio.sleep(0.05)  # the ticker's first lags: an idle loop
    started = time.perf_counter()
    statuses = await asyncio.gather(*(attempt(name, password) for name, password, _ in attempts))
    elapsed = time.perf_counter() - started
    ticker.running = False
    await ticking

    assert statuses == [expected for *_, expected in attempts]
    # Every attempt hashed once (unknown usernames included), never more at once than the limiter allows.
    assert concurrency[1] <= hashing.hash_threads()
    lags = sorted(ticker.lags)
    worst, p95 = lags[-1], lags[int(len(lags) * 0.95)]
    report = (
        f"one hash {one_hash * 1000:.0f} ms; loop lag p95 {p95 * 1000:.1f} ms, worst {worst * 1000:.1f} ms "
        f"over {len(lags)} ticks; {LOGINS} logins in {elapsed:.2f} s"
    )
    print(report)
    # A hash inside the loop makes the ticker late by a whole hash, every time one runs.
    assert p95 < one_hash / 4, report
    assert worst < one_hash * 0.75, report
    # The logins really ran meanwhile: the hashes took most of that time, in parallel up to the limiter's size.
    assert elapsed > one_hash * LOGINS / max(hashing.hash_threads(), 1) / 3, report


async def _seconds_to_fail(username: str, password: str) -> float:
    started = time.perf_counter()
    with pytest.raises(DomainError):
        await login(username, password)
    return time.perf_counter() - started


async def test_an_unknown_username_costs_what_a_wrong_password_costs(db: None, realistic_rounds: None) -> None:
    user = await factories.user(Role.applicant)
    wrong_password: list[float] = []
    unknown_user: list[float] = []
    for _ in range(3):  # alternating, so a busy moment on the machine hits both alike
        wrong_password.append(await _seconds_to_fail(user.principal.username, "wrong-password"))
        unknown_user.append(await _seconds_to_fail("nobody-by-this-name", "wrong-password"))
    ratio = statistics.median(unknown_user) / statistics.median(wrong_password)
    assert 0.6 < ratio < 1.6, (unknown_user, wrong_password)


async def test_a_login_upgrades_a_hash_stored_with_fewer_rounds(db: None, monkeypatch: pytest.MonkeyPatch) -> None:
    user = await factories.user(Role.applicant)  # hashed at the test suite's 1,000 rounds
    monkeypatch.setattr(BaseUser, "_pbkdf2_iteration_count", 2_000)
    await login(user.principal.username, "password-123")

    row: dict[str, Any] | None = (
        await BaseUser.select(BaseUser.password, BaseUser.last_login).where(BaseUser.id == user.id).first()
    )
    assert row is not None
    assert BaseUser.split_stored_password(row["password"])[1] == "2000"
    assert row["last_login"] is not None
    await login(user.principal.username, "password-123")  # still the same password
