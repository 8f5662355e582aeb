"""A small world for API tests: two districts' worth of programmes, people and objects in every slice state."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator

import pytest

from tests.factories.smtp import FakeSMTP
from tests.factories.world import world  # noqa: F401 — pytest fixtures


@pytest.fixture
async def smtp() -> AsyncIterator[FakeSMTP]:
    fake = FakeSMTP()
    server = await asyncio.start_server(fake.handle, "127.0.0.1", 0)
    fake.port = server.sockets[0].getsockname()[1]
    yield fake
    server.close()
    await server.wait_closed()


@pytest.fixture
def smtp_settings(smtp: FakeSMTP) -> Iterator[None]:
    from app.settings import get_settings

    settings = get_settings()
    saved = (settings.smtp_host, settings.smtp_port, settings.smtp_starttls)
    settings.smtp_host, settings.smtp_port, settings.smtp_starttls = "127.0.0.1", smtp.port, False
    yield
    settings.smtp_host, settings.smtp_port, settings.smtp_starttls = saved
