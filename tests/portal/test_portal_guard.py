"""The portal's guard on pages that later sessions add: it fails closed without a declared permission and refuses a
signed-in user of another role with a Chinese 403 page (checked on a small app with the portal's router settings)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from litestar import Litestar, Request, get
from litestar.di import Provide
from litestar.response import Template

from app.auth.principal import EXPERTS
from app.auth.tables import Role
from app.paging import provide_paging
from app.portal.errors import FORBIDDEN
from app.portal.frame import page_opt, render
from app.portal.routes import PORTAL_PAGES, PORTAL_TEMPLATES, portal_router
from tests import factories
from tests.factories.portal import signed_in


@get("/experts-only", opt=page_opt(EXPERTS))
async def experts_only(request: Request[Any, Any, Any]) -> Template:
    return render(request, "error.html", title="专家页面", message="专家可见")


@get("/undeclared")
async def undeclared(request: Request[Any, Any, Any]) -> Template:
    return render(request, "error.html", title="未声明", message="不应显示")


@pytest.fixture
async def guarded(db: None) -> AsyncIterator[httpx.AsyncClient]:
    app = Litestar(
        route_handlers=[portal_router([*PORTAL_PAGES, experts_only, undeclared])],
        template_config=PORTAL_TEMPLATES,
        dependencies={"paging": Provide(provide_paging)},
    )
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        yield http


async def test_a_page_without_a_declared_permission_answers_403_to_everyone(guarded: httpx.AsyncClient) -> None:
    response = await guarded.get("/portal/undeclared")
    assert response.status_code == 403 and FORBIDDEN in response.text and "不应显示" not in response.text


async def test_a_page_refuses_other_roles_and_opens_for_its_own(guarded: httpx.AsyncClient) -> None:
    applicant, expert = await factories.user(Role.applicant), await factories.user(Role.expert)

    assert (await guarded.get("/portal/experts-only")).status_code == 303  # not signed in: to the login page
    await signed_in(guarded, applicant.principal.username)
    refused = await guarded.get("/portal/experts-only")
    assert refused.status_code == 403 and FORBIDDEN in refused.text and "专家可见" not in refused.text

    guarded.cookies.clear()
    await signed_in(guarded, expert.principal.username)
    assert "专家可见" in (await guarded.get("/portal/experts-only")).text
