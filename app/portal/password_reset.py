"""忘记密码: asking for a reset code by e-mail and setting a new password with it, through the services of
POST /auth/password-reset and POST /auth/password-reset/confirm. Signed in or not, anyone may use them."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from litestar import Request, Response, get, post
from litestar.background_tasks import BackgroundTask
from litestar.params import FromQuery
from litestar.response import Redirect, Template
from pydantic import ValidationError

from app.auth import passwords
from app.auth.account_controller import RESET_ACCEPTED
from app.auth.principal import PUBLIC
from app.auth.rate_limit import check_identities, client_address
from app.auth.schemas import PasswordResetConfirm, PasswordResetRequest
from app.errors import DomainError
from app.portal.fields import FieldErrors, domain_errors, form_values, pydantic_errors
from app.portal.frame import leave_notice, page_opt, render
from app.settings import get_settings

ASK_FIELDS = ("account",)
CONFIRM_FIELDS = ("token", "new_password")
CONFIRM_PAGE = "/portal/password-reset/confirm"


def _ask_page(request: Request[Any, Any, Any], account: str, errors: FieldErrors, status: int = 200) -> Template:
    return render(
        request, "accounts/password_reset.html", status=status, title="忘记密码", account=account, errors=errors
    )


@get("/password-reset", opt=page_opt(PUBLIC))
async def ask_page(request: Request[Any, Any, Any]) -> Template:
    return _ask_page(request, "", {})


@post("/password-reset", opt=page_opt(PUBLIC), status_code=303)
async def ask_submit(request: Request[Any, Any, Any]) -> Response[Any]:
    values = form_values(await request.form(), ASK_FIELDS)
    try:
        # The API's rule "password_reset" in the same Redis keys: per address, and per account as typed (lower-cased)
        # whenever one is given, counted before anything else is looked at, as the API's middleware does.
        await check_identities("password_reset", _limits(request, values["account"]))
        data = PasswordResetRequest.model_validate(values)
    except ValidationError as exc:
        return _ask_page(request, values["account"], pydantic_errors(exc, ASK_FIELDS), 422)
    except DomainError as error:
        page = _ask_page(request, values["account"], domain_errors(error, ASK_FIELDS), error.status)
        page.headers.update(error.headers)
        return page
    # The same answer whether or not the account exists; the lookup and the e-mail run after it is sent (the
    # service of POST /auth/password-reset), so its timing tells nothing either.
    response = Redirect(CONFIRM_PAGE, status_code=303, background=BackgroundTask(passwords.request_reset, data.account))
    leave_notice(response, RESET_ACCEPTED)
    return response


def _limits(request: Request[Any, Any, Any], account: str) -> list[tuple[str, str, str]]:
    settings = get_settings()
    limits = [("ip", client_address(request.scope, settings), settings.rate_limit_reset_per_ip)]
    if account:
        limits.append(("id", account.lower(), settings.rate_limit_reset_per_account))
    return limits


def _confirm_page(
    request: Request[Any, Any, Any], values: Mapping[str, str], errors: FieldErrors, status: int = 200
) -> Template:
    return render(
        request, "accounts/password_reset_confirm.html", status=status, title="重置密码", values=values, errors=errors
    )


@get("/password-reset/confirm", opt=page_opt(PUBLIC))
async def confirm_page(request: Request[Any, Any, Any], token: FromQuery[str] = "") -> Template:
    return _confirm_page(request, {"token": token[:200]}, {})


@post("/password-reset/confirm", opt=page_opt(PUBLIC), status_code=303)
async def confirm_submit(request: Request[Any, Any, Any]) -> Response[Any]:
    values = form_values(await request.form(), CONFIRM_FIELDS)
    shown = {"token": values["token"]}  # the new password is never written back into the page
    try:
        data = PasswordResetConfirm.model_validate(values)
        # The service of POST /auth/password-reset/confirm: the code is used up and the account signed out everywhere.
        await passwords.confirm_reset(data.token, data.new_password)
    except ValidationError as exc:
        return _confirm_page(request, shown, pydantic_errors(exc, CONFIRM_FIELDS), 422)
    except DomainError as error:
        return _confirm_page(request, shown, domain_errors(error, CONFIRM_FIELDS), error.status)
    response = Redirect("/portal/login", status_code=303)
    leave_notice(response, "密码已重置，请用新密码登录；其他设备上的登录已全部退出")
    return response


PASSWORD_RESET_PAGES = [ask_page, ask_submit, confirm_page, confirm_submit]
