"""`seedbed run` serves with one web server process per core unless SEEDBED_WEB_WORKERS says otherwise."""

from __future__ import annotations

import os

import pytest

from app.settings import Settings
from app.site.runner import server_command, web_workers


def _workers_flag(command: list[str]) -> int:
    return int(command[command.index("--workers") + 1])


def test_as_many_workers_as_cores_by_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SEEDBED_WEB_WORKERS", raising=False)
    settings = Settings()
    assert settings.web_workers == 0
    assert web_workers(settings) == (os.cpu_count() or 1)
    assert _workers_flag(server_command(settings)) == (os.cpu_count() or 1)


def test_the_setting_overrides_the_core_count(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SEEDBED_WEB_WORKERS", "3")
    command = server_command(Settings())
    assert _workers_flag(command) == 3
    assert command[0] == "granian" and command[-1] == "app.site.asgi:app"
