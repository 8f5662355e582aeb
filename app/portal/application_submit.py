"""申报单位 submitting and withdrawing: the summary of the answers by the form's labels (programmes.answers_layout)
with 「确认提交」 (the service of POST /applications/{id}/submit, which screens eligibility), and 撤回 with a
reason after a confirmation (the service of POST /applications/{id}/withdraw)."""

from __future__ import annotations

from typing import Any

from litestar import Request, Response, get, post
from litestar.params import FromPath
from litestar.response import Redirect, Template
from markupsafe import Markup
from pydantic import ValidationError

from app.auth.principal import APPLICANTS, CurrentPrincipal
from app.errors import DomainError
from app.portal.application_form import edit_page, editable, form_schema
from app.portal.fields import FieldErrors, pydantic_errors
from app.portal.forms import error_map
from app.portal.frame import leave_notice, page_opt, render
from programmes.answers_layout import render_answers
from programmes.applications import service as applications
from programmes.applications.schemas import ApplicationRead, ApplicationWithdraw
from programmes.forms import answer_errors


@get("/applications/{application_id:int}/summary", opt=page_opt(APPLICANTS))
async def summary(
    request: Request[Any, Any, Any], principal: CurrentPrincipal, application_id: FromPath[int]
) -> Template:
    application = await editable(principal, application_id)
    schema = await form_schema(application.round_id)
    # The validator the submit service runs: a problem shows here first, with the way back to its field.
    problems = error_map(answer_errors(schema, application.answers))
    return render(
        request,
        "applications/summary.html",
        title=f"确认提交 · {application.title}",
        application=application,
        answers_html=Markup(render_answers(schema, application.answers)),  # noqa: S704 — render_answers escapes
        problems=problems,
    )


@post("/applications/{application_id:int}/submit", opt=page_opt(APPLICANTS), status_code=303)
async def submit(
    request: Request[Any, Any, Any], principal: CurrentPrincipal, application_id: FromPath[int]
) -> Response[Any]:
    try:
        submitted = await applications.submit(principal, application_id)  # validates, freezes, screens
    except DomainError as error:
        if error.code != "form_answers_invalid":
            raise
        # Changed since the summary (another tab): back to the form with each problem under its field.
        application = await applications.read_for(principal, application_id)
        schema = await form_schema(application.round_id)
        return edit_page(
            request, application, schema, application.answers, errors=error_map(error.errors), status=error.status
        )
    response = Redirect(f"/portal/applications/{application_id}", status_code=303)
    leave_notice(response, f"申报已提交：{submitted.title}")
    return response


def _withdraw_page(
    request: Request[Any, Any, Any], application: ApplicationRead, reason: str, errors: FieldErrors, status: int = 200
) -> Template:
    return render(
        request,
        "applications/withdraw.html",
        status=status,
        title=f"撤回申报 · {application.title}",
        application=application,
        reason=reason,
        errors=errors,
    )


@get("/applications/{application_id:int}/withdraw", opt=page_opt(APPLICANTS))
async def withdraw_page(
    request: Request[Any, Any, Any], principal: CurrentPrincipal, application_id: FromPath[int]
) -> Template:
    application = await applications.read_for(principal, application_id)
    return _withdraw_page(request, application, "", {})


@post("/applications/{application_id:int}/withdraw", opt=page_opt(APPLICANTS), status_code=303)
async def withdraw_submit(
    request: Request[Any, Any, Any], principal: CurrentPrincipal, application_id: FromPath[int]
) -> Response[Any]:
    form = await request.form()
    reason = str(form.get("reason", "")).strip()
    try:
        data = ApplicationWithdraw.model_validate({"reason": reason})
        await applications.withdraw(principal, application_id, data.reason)  # the engine decides if it may
    except ValidationError as exc:
        application = await applications.read_for(principal, application_id)
        return _withdraw_page(request, application, reason, pydantic_errors(exc, ("reason",)), 422)
    except DomainError as error:
        if error.status == 404:
            raise
        application = await applications.read_for(principal, application_id)
        return _withdraw_page(request, application, reason, {"": error.detail}, error.status)
    response = Redirect(f"/portal/applications/{application_id}", status_code=303)
    leave_notice(response, "申报已撤回")
    return response


APPLICATION_SUBMIT_PAGES = [summary, submit, withdraw_page, withdraw_submit]
