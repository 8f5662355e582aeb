"""The portal's pages: login and logout, the home page by role, and the open calls (征集中的项目)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from litestar import Request, Response, Router, get, post
from litestar.di import Provide
from litestar.params import FromPath, FromQuery
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.response import Redirect, Template
from litestar.static_files import create_static_files_router
from litestar.template.config import TemplateConfig
from pydantic import ValidationError

from app.auth import passwords
from app.auth.principal import ANY_USER, PUBLIC, CurrentPrincipal, provide_principal
from app.auth.schemas import LoginRequest
from app.errors import DomainError
from app.paging import Paging
from app.portal.after_applying import AFTER_APPLYING_PAGES
from app.portal.application_form import APPLICATION_FORM_PAGES, call_page, start_choices
from app.portal.application_submit import APPLICATION_SUBMIT_PAGES
from app.portal.call_rules import time_left
from app.portal.camp_checkin import CHECKIN_PAGES
from app.portal.camps import CAMP_PAGES
from app.portal.community import COMMUNITY_PAGES
from app.portal.demands import DEMAND_PAGES
from app.portal.errors import PORTAL_EXCEPTION_HANDLERS
from app.portal.experts import EXPERT_PAGES
from app.portal.fields import next_offset
from app.portal.frame import beijing, enforce_page_permission, leave_notice, page_opt, render, signed_in
from app.portal.offers import OFFER_PAGES
from app.portal.orders import ORDER_PAGES
from app.portal.organisations import ORGANISATION_PAGES
from app.portal.password_reset import PASSWORD_RESET_PAGES
from app.portal.report_forms import REPORT_PAGES
from app.portal.reviews import REVIEW_PAGES
from app.portal.session import SESSION_COOKIE, cookie_options, log_in, session_max_age
from app.portal.support_plans import SUPPORT_PLAN_PAGES
from programmes.catalogue import service as catalogue

HERE = Path(__file__).resolve().parent


def _template_globals(engine: JinjaTemplateEngine) -> None:
    # What every template may call without each page passing it.
    engine.engine.globals["beijing"] = beijing


PORTAL_TEMPLATES = TemplateConfig(
    directory=HERE / "templates", engine=JinjaTemplateEngine, engine_callback=_template_globals
)
HOME = "/portal/"


def _safe_next(target: object) -> str:
    # Only back into the portal: an open redirect to another site would lend it the login page's trust.
    if isinstance(target, str) and target.startswith("/portal/") and not target.startswith("//"):
        return target
    return HOME


@get("/login", opt=page_opt(PUBLIC))
async def login_page(request: Request[Any, Any, Any], next_page: FromQuery[str] = "") -> Template | Redirect:
    if signed_in(request) is not None:
        return Redirect(_safe_next(next_page), status_code=303)
    return render(request, "login.html", title="登录", next_page=_safe_next(next_page), username="")


@post("/login", opt=page_opt(PUBLIC), status_code=303)
async def login_submit(request: Request[Any, Any, Any]) -> Response[Any]:
    form = await request.form()
    username, target = str(form.get("username", "")), _safe_next(form.get("next_page"))
    try:
        credentials = LoginRequest.model_validate({"username": username, "password": str(form.get("password", ""))})
        session = await log_in(request, credentials.username, credentials.password)
    except ValidationError:
        return _login_again(request, 422, "请填写用户名和密码", username, target)
    except DomainError as error:
        return _login_again(request, error.status, error.detail, username, target, error.headers)
    response = Redirect(target, status_code=303)
    response.set_cookie(SESSION_COOKIE, session, **cookie_options(max_age=session_max_age()))
    leave_notice(response, "登录成功")
    return response


def _login_again(
    request: Request[Any, Any, Any],
    status: int,
    message: str,
    username: str,
    target: str,
    headers: dict[str, str] | None = None,
) -> Template:
    response = render(
        request, "login.html", status=status, title="登录", error=message, username=username, next_page=target
    )
    response.headers.update(headers or {})
    return response


@post("/logout", opt=page_opt(ANY_USER), status_code=303)
async def logout(principal: CurrentPrincipal) -> Redirect:
    # The API's logout: the account's token version moves on, so every session and refresh token of it ends.
    await passwords.logout(principal)
    response = Redirect("/portal/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/portal")
    leave_notice(response, "您已退出登录")
    return response


@get("/", opt=page_opt(ANY_USER))
async def home(request: Request[Any, Any, Any], principal: CurrentPrincipal) -> Template:
    return render(request, "home.html", title="首页", role=principal.role.value)


@get("/calls", opt=page_opt(PUBLIC))
async def calls(request: Request[Any, Any, Any], paging: Paging) -> Template:
    page = await catalogue.open_rounds(paging)  # the service of GET /calls
    return render(
        request,
        "calls.html",
        title="征集中的项目",
        calls=page.items,
        time_left=time_left,
        total=page.total,
        next_offset=next_offset(paging, page.has_more),
        limit=paging.limit,
    )


@get("/calls/{round_id:int}", opt=page_opt(PUBLIC))
async def call_detail(request: Request[Any, Any, Any], round_id: FromPath[int]) -> Template:
    call = await catalogue.open_call(round_id)  # the service of GET /calls/{id}: 404 once it is not open
    return await call_page(request, call, await start_choices(signed_in(request)))  # with 「开始申报」


PORTAL_PAGES = [login_page, login_submit, logout, home, calls, call_detail]
PORTAL_PAGES += REVIEW_PAGES  # 评审专家: app.portal.reviews
PORTAL_PAGES += EXPERT_PAGES  # 评审专家：回避、附件、路演现场评分、导师辅导记录 (app.portal.experts)
PORTAL_PAGES += ORGANISATION_PAGES  # 申报单位: app.portal.organisations
PORTAL_PAGES += OFFER_PAGES + DEMAND_PAGES + ORDER_PAGES  # 聚力计划, the organisation's side: offers, demands, orders
PORTAL_PAGES += APPLICATION_FORM_PAGES + APPLICATION_SUBMIT_PAGES  # 申报表: app.portal.application_form, _submit
PORTAL_PAGES += REPORT_PAGES  # 中期/结项报告: app.portal.report_forms
PORTAL_PAGES += PASSWORD_RESET_PAGES  # 忘记密码: app.portal.password_reset
PORTAL_PAGES += COMMUNITY_PAGES  # 社区（街道/居委）的聚力计划: app.portal.community
PORTAL_PAGES += CAMP_PAGES + CHECKIN_PAGES + SUPPORT_PLAN_PAGES  # 训练营报名与签到, 沪社星耀扶持计划 (只读)
PORTAL_PAGES += AFTER_APPLYING_PAGES  # 申报之后: attachments, notifications, feedback, agreements, bank accounts

PORTAL_STATIC = create_static_files_router(
    path="/portal/static", directories=[HERE / "static"], opt={"permission": PUBLIC}, include_in_schema=False
)


def portal_router(pages: Sequence[Any] = tuple(PORTAL_PAGES)) -> Router:
    """The pages under /portal with the portal's guard, principal and error pages (tests add pages of their own)."""
    return Router(
        path="/portal",
        route_handlers=list(pages),
        # The API's bearer guard has nothing to check here: pages sign people in by the session cookie, and
        # enforce_page_permission applies each page's declared permission instead.
        opt={"permission": PUBLIC},
        guards=[enforce_page_permission],
        dependencies={"principal": Provide(provide_principal)},
        exception_handlers=PORTAL_EXCEPTION_HANDLERS,
        include_in_schema=False,
    )
