"""The portal's pages: every route declares its permission; the open calls (the service of GET /calls) in Beijing
time with a link each, without login; errors as Chinese pages, 404 uniform."""

from __future__ import annotations

from datetime import timedelta

import httpx
from litestar import Litestar

from app.auth.principal import Permission
from app.auth.tables import Role
from app.portal.errors import NOT_FOUND
from app.portal.frame import PAGE_PERMISSION
from app.timezone import shown
from tests import factories
from tests.factories.portal import signed_in


def test_every_portal_page_declares_its_permission(app: Litestar) -> None:
    pages = [
        (route.path, handler)
        for route in app.routes
        if route.path.startswith("/portal") and not route.path.startswith("/portal/static")
        for handler in getattr(route, "route_handlers", [])
        if handler.http_methods != {"OPTIONS"}  # Litestar's own CORS preflight answer, no page
    ]
    assert len(pages) >= 6
    undeclared = [path for path, handler in pages if not isinstance(handler.opt.get(PAGE_PERMISSION), Permission)]
    assert undeclared == []


async def test_the_open_calls_show_without_login_in_beijing_time_with_a_link_each(client: httpx.AsyncClient) -> None:
    officer = await factories.user(Role.officer)
    soon = await factories.contest_round(officer, closes_in=timedelta(days=2))
    later = await factories.contest_round(officer, closes_in=timedelta(days=9))

    page = await client.get("/portal/calls")

    assert page.status_code == 200
    assert '<html lang="zh-CN">' in page.text and 'name="viewport"' in page.text
    assert 'href="#main"' in page.text  # the skip link
    for call in (soon, later):
        closes = shown(call["closes_at"]).strftime("%Y-%m-%d %H:%M")
        assert f'href="/portal/calls/{call["id"]}"' in page.text
        assert closes in page.text
    assert page.text.index(f"/portal/calls/{soon['id']}") < page.text.index(f"/portal/calls/{later['id']}")
    assert "Z<" not in page.text and "共 2 项" in page.text

    detail = await client.get(f"/portal/calls/{soon['id']}")
    assert detail.status_code == 200 and soon["name"] in detail.text and "申报截止" in detail.text


async def test_the_calls_page_pages_with_a_next_link(client: httpx.AsyncClient) -> None:
    officer = await factories.user(Role.officer)
    for days in (2, 3):
        await factories.contest_round(officer, closes_in=timedelta(days=days))
    first = await client.get("/portal/calls?limit=1")
    assert first.text.count('class="card"') == 1 and "/portal/calls?offset=1&amp;limit=1" in first.text
    too_many = await client.get("/portal/calls?limit=9999")  # over the maximum: a page, not JSON
    assert too_many.status_code == 400 and "请求的参数不正确" in too_many.text


async def test_a_missing_call_and_an_unknown_address_get_the_uniform_404_page(
    client: httpx.AsyncClient,
) -> None:
    for path in ("/portal/calls/999999", "/portal/no-such-page", "/portal/calls/x"):
        response = await client.get(path)
        assert response.status_code == 404, path
        assert response.headers["content-type"].startswith("text/html")
        assert NOT_FOUND in response.text


async def test_the_home_page_speaks_to_each_role(client: httpx.AsyncClient) -> None:
    expected = {Role.applicant: "申报单位", Role.expert: "评审专家", Role.community: "社区", Role.officer: "管理后台"}
    for role, text in expected.items():
        user = await factories.user(role)
        client.cookies.clear()
        await signed_in(client, user.principal.username)
        home = await client.get("/portal/")
        assert home.status_code == 200 and text in home.text, role


async def test_the_stylesheet_is_served_from_the_repository(client: httpx.AsyncClient) -> None:
    css = await client.get("/portal/static/portal.css")
    assert css.status_code == 200 and "text/css" in css.headers["content-type"]
    page = await client.get("/portal/calls")
    assert "http://" not in page.text.replace('href="http://testserver', "") and "https://" not in page.text
