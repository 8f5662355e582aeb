"""SEEDBED_ADMIN_LAZY: the admin is built by its first request, not at start-up, and then serves as usual."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from app.settings import get_settings


@pytest.fixture
def lazy_admin(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("SEEDBED_ADMIN_LAZY", "true")
    get_settings.cache_clear()
    yield
    monkeypatch.delenv("SEEDBED_ADMIN_LAZY")
    get_settings.cache_clear()  # the next test reads the environment without the variable


async def test_a_lazy_admin_is_built_by_its_first_request(lazy_admin: None, monkeypatch: pytest.MonkeyPatch) -> None:
    import app.admin as admin_package
    from app.site.asgi import create_app

    builds: list[int] = []
    real = admin_package.build_admin

    def counted() -> object:
        builds.append(1)
        return real()

    monkeypatch.setattr(admin_package, "build_admin", counted)
    app = create_app(manage_pool=False)
    assert builds == []  # not at start-up
    transport = httpx.ASGITransport(app=app)  # type: ignore[arg-type]
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        first = await client.get("/admin/")
        again = await client.get("/admin/")
    assert first.status_code == again.status_code == 200
    assert builds == [1]  # once, by the first request
