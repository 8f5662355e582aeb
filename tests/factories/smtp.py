"""A fake SMTP server standing in for the mail provider; the fixtures using it live in tests/api/conftest.py."""

from __future__ import annotations

import asyncio


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
