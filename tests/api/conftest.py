"""A small world for API tests: two districts' worth of programmes, people and objects in every slice state."""

from __future__ import annotations

from tests.factories.smtp import smtp, smtp_settings  # noqa: F401 — pytest fixtures
from tests.factories.world import world  # noqa: F401 — pytest fixtures
