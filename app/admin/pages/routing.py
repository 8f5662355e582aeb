"""The admin pages' route table: each page module declares its paths and handlers; ``app.admin.pages`` serves them.

A page module adds a ``PageRoute`` to its own list (e.g. ``SCREENING_ROUTES``) and that list to ``ROUTE_LISTS`` in
``app.admin.pages.__init__``; nothing else changes. Every handler gets the request already checked: an admin session
of a staff principal, an id within range and, for a POST, a parsed form whose CSRF token matched.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from starlette.responses import Response

from app.auth.principal import Principal


@dataclass(frozen=True, slots=True)
class PageRequest:
    """What a handler may read: the ASGI scope (CSRF field, headers), the officer, the path id, query and form."""

    scope: dict[str, Any]
    principal: Principal
    object_id: int
    params: dict[str, str]
    form: dict[str, list[str]] = field(default_factory=dict)


Handler = Callable[[PageRequest], Awaitable[Response]]


@dataclass(frozen=True, slots=True)
class PageRoute:
    """One path under /admin/: ``pattern`` may hold ``(?P<id>[0-9]{1,10})``; ``post`` is None for read-only pages."""

    pattern: str
    get: Handler | None
    post: Handler | None = None

    def compiled(self) -> re.Pattern[str]:
        # Anchored: the mount may or may not leave ``/admin`` in the path, and adds a trailing slash.
        return re.compile(rf"^(?:/admin)?{self.pattern}/?$")
