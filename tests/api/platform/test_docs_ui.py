"""The API's front door: ``GET /`` and the Swagger UI at /schema, which must work with no network but this server."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest

from tests.factories.browser import ROOT, browser, server  # noqa: F401  (pytest fixtures, reused)

SCREENSHOT = ROOT / ".seedbed" / "test" / "docs-ui.png"
CONTENT_TYPES = {".js": "text/javascript", ".css": "text/css", ".png": "image/png"}


def _referenced_urls(html: str) -> list[str]:
    return re.findall(r"""(?:src|href)\s*=\s*["']([^"']+)["']""", html)


async def test_swagger_page_loads_only_same_origin_assets(client: httpx.AsyncClient) -> None:
    for page in ("/schema", "/schema/swagger"):
        response = await client.get(page)
        assert response.status_code == 200
        head = response.text.split("<body", 1)[0]
        urls = _referenced_urls(head)
        assert len(urls) == 4, urls  # favicon, stylesheet, bundle, standalone preset
        for url in urls:
            parts = urlsplit(url)
            assert not parts.scheme and not parts.netloc and url.startswith("/schema/assets/"), url
            asset = await client.get(url)
            assert asset.status_code == 200, url
            expected = CONTENT_TYPES[url[url.rfind(".") :]]
            assert asset.headers["content-type"].startswith(expected), (url, asset.headers["content-type"])
            assert len(asset.content) > 1000, url
        assert not re.search(r"jsdelivr|unpkg|cdn\.", head), head


async def test_scalar_is_not_offered(client: httpx.AsyncClient) -> None:
    # Scalar's files exist on no package index we can pin, so it would render blank on an intranet.
    assert (await client.get("/schema/scalar")).status_code == 404


async def test_assets_outside_the_swagger_dist_are_not_served(client: httpx.AsyncClient) -> None:
    assert (await client.get("/schema/assets/../core.py")).status_code == 404
    assert (await client.get("/schema/assets/no-such-file.js")).status_code == 404


async def test_root_is_a_public_index_whose_links_answer(client: httpx.AsyncClient) -> None:
    response = await client.get("/")
    assert response.status_code == 200
    index = response.json()
    assert index["name"] == "Seedbed API" and re.fullmatch(r"\d+\.\d+\.\d+.*", index["version"])
    openapi = (await client.get(index["links"]["openapi"])).json()
    assert openapi["info"]["version"] == index["version"]
    for name, link in index["links"].items():
        assert link.startswith("/"), (name, link)
        if name != "admin":  # the admin answers with its own login page; its route is tested in tests/admin
            assert (await client.get(link)).status_code == 200, (name, link)


@pytest.mark.browser
async def test_swagger_ui_renders_the_operations_with_the_network_blocked(server: str, browser: Any) -> None:  # noqa: F811
    from playwright.async_api import Route, expect

    async with httpx.AsyncClient(base_url=server) as http:
        operations = sum(
            1
            for methods in (await http.get("/schema/openapi.json")).json()["paths"].values()
            for method in methods
            if method in {"get", "post", "put", "patch", "delete"}
        )
    blocked: list[str] = []

    async def only_this_server(route: Route) -> None:
        if urlsplit(route.request.url).hostname in {"127.0.0.1", "localhost"}:
            await route.continue_()
        else:  # an intranet: nothing else answers
            blocked.append(route.request.url)
            await route.abort()

    context = await browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 1600})
    await context.route("**/*", only_this_server)
    page = await context.new_page()
    page.set_default_timeout(20_000)
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    try:
        await page.goto(f"{server}/schema/swagger")
        await expect(page.locator(".information-container .title")).to_contain_text("Seedbed API")
        await expect(page.locator(".opblock-summary-path", has_text=re.compile(r"^/auth/login$"))).to_be_visible()
        await expect(page.locator(".opblock")).to_have_count(operations)
        await expect(page.locator("button.authorize")).to_be_visible()
        SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
        await page.screenshot(path=str(SCREENSHOT))
    finally:
        await context.close()
    assert operations > 50  # the whole API, not an empty document
    assert blocked == []
    assert errors == []
