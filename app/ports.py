"""Ports: what app core needs from the rooms above it, without importing them.

App core imports no domain module (the import-linter contracts in pyproject.toml). Where a core use case must reach
a room, it calls a port declared here, and the room fills the port at import time from a module its
``piccolo_app.py`` loads — so every process that can reach a table (web, worker, command line, tests) has it. An
unfilled port raises ``PortNotFilled`` naming itself: a forgotten registration fails loudly instead of skipping a
step. (Listeners that may be many, such as the facts-changed follow-ups, are a list in their own module:
``app.organisations.facts.listen``.)
"""

from __future__ import annotations

from collections.abc import Awaitable
from typing import Generic, Protocol, TypeVar

T = TypeVar("T")


class PortNotFilled(RuntimeError):
    pass


class Port(Generic[T]):
    """One implementation, filled once by the room that provides it."""

    def __init__(self, name: str, provider: str) -> None:
        self.name = name
        self.provider = provider  # who is expected to fill it: named in the error
        self._impl: T | None = None

    def fill(self, impl: T) -> T:
        self._impl = impl
        return impl

    def __call__(self) -> T:
        if self._impl is None:
            raise PortNotFilled(f"port {self.name!r} is not filled: {self.provider} was not loaded")
        return self._impl


class UserNotifier(Protocol):
    """One in-app notification (e-mailed later), written in the caller's transaction; False when ``dedupe_key`` was
    already used. ``email_body`` replaces ``body`` in the e-mail only and is erased once sent."""

    def __call__(
        self, user_id: int, kind: str, title: str, body: str, dedupe_key: str, email_body: str | None = None
    ) -> Awaitable[bool]: ...


# The password reset e-mails its code as a notification (app/auth/passwords.py).
user_notifier: Port[UserNotifier] = Port("user_notifier", "programmes.listeners (programmes/piccolo_app.py)")
