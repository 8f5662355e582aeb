"""The real app under granian and a headless Chromium, as pytest fixtures (``server``, ``browser``) for the admin
and docs browser tests."""

from __future__ import annotations

import asyncio
import os
import socket
import sys
import tempfile
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any, BinaryIO

import httpx
import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ROOT = Path(__file__).resolve().parents[2]
STARTUP_SECONDS = 300  # a loaded 2-core machine has taken 87 s just to import the app


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _log_file() -> BinaryIO:
    return tempfile.TemporaryFile()


def _read_log(log: BinaryIO) -> str:
    log.seek(0)
    return log.read().decode(errors="replace")[-5000:]


def _chromium_missing() -> bool:
    return not CHROMIUM.exists()


@pytest.fixture
async def server(request: pytest.FixtureRequest, db: None) -> AsyncIterator[str]:
    """The real app (``app.site.asgi:app``) under granian, on this run's test database and queue.

    Asks for ``db`` so the server is gone before the tables are emptied.
    """
    port = _free_port()
    env = {
        **os.environ,
        "SEEDBED_DATABASE_URL": os.environ["SEEDBED_DATABASE_URL"],
        "SEEDBED_REDIS_URL": os.environ["SEEDBED_REDIS_URL"],
        "SEEDBED_DB_POOL_MAX": "4",
        # The portal's tests never open /admin: building it only on a first request saves ~10 s of start-up each.
        "SEEDBED_ADMIN_LAZY": "true" if "portal" in request.node.path.parts else "false",
    }
    command = ["-m", "granian", "--interface", "asgi", "--host", "127.0.0.1", "--port", str(port), "app.site.asgi:app"]
    with _log_file() as log:
        process = await asyncio.create_subprocess_exec(
            sys.executable, *command, cwd=ROOT, env=env, stdout=log, stderr=asyncio.subprocess.STDOUT
        )
        base = f"http://127.0.0.1:{port}"
        try:
            # Importing the app alone takes over 30 s when several test runs share the 2-core machine.
            deadline = time.monotonic() + STARTUP_SECONDS
            async with httpx.AsyncClient(base_url=base) as http:
                while True:
                    assert process.returncode is None, _read_log(log)
                    try:
                        if (await http.get("/health/live")).status_code == 200:
                            break
                    except httpx.TransportError:
                        pass
                    late = f"granian did not answer /health/live in {STARTUP_SECONDS} s\n"
                    assert time.monotonic() < deadline, late + _read_log(log)
                    await asyncio.sleep(0.1)
            yield base
        finally:
            if process.returncode is None:
                process.terminate()
                try:
                    await asyncio.wait_for(process.wait(), timeout=10)
                except TimeoutError:
                    process.kill()
                    await process.wait()


@pytest.fixture
async def browser() -> AsyncIterator[Any]:
    if _chromium_missing():
        pytest.skip("Debian chromium is not installed at /usr/bin/chromium (apt-get install -y chromium)")
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        instance = await playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        try:
            yield instance
        finally:
            await instance.close()
