"""A fake SMTP server standing in for the mail provider, and its fixtures (``smtp``, ``smtp_settings``): imported by
tests/api/conftest.py and by the portal's tests that read e-mail."""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator, Iterator
from email import message_from_bytes
from email.policy import default

import pytest

from app.notifications.email import send_pending_emails


class FakeSMTP:
    """Just enough SMTP for smtplib: records each message's raw data."""

    def __init__(self) -> None:
        self.messages: list[bytes] = []
        self.port = 0

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writer.write(b"220 fake ESMTP\r\n")
        while line := await reader.readline():
            command = line.decode().strip().upper()
            if command.startswith(("EHLO", "HELO")):
                writer.write(b"250 fake\r\n")
            elif command.startswith(("MAIL", "RCPT", "RSET", "NOOP")):
                writer.write(b"250 OK\r\n")
            elif command == "DATA":
                writer.write(b"354 go ahead\r\n")
                await writer.drain()
                data = await reader.readuntil(b"\r\n.\r\n")
                self.messages.append(data[:-5])
                writer.write(b"250 queued\r\n")
            elif command == "QUIT":
                writer.write(b"221 bye\r\n")
                await writer.drain()
                break
            else:
                writer.write(b"502 not implemented\r\n")
            await writer.drain()
        writer.close()


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


ADDRESS = "zhao.lei@example.org"  # the reset tests' account address


async def reset_code(smtp: FakeSMTP) -> str:
    """Deliver pending e-mail and read the code out of the one reset message."""
    assert await send_pending_emails() == 1
    [raw] = smtp.messages
    message = message_from_bytes(raw, policy=default)
    assert message["To"] == ADDRESS and "密码重置" in message["Subject"]
    text = message.get_content()
    found = re.search(r"重置码：\s+(\S+)", text)
    assert found, text
    return found.group(1)
