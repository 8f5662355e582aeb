"""申报单位's 中期/结项报告: the reports its agreements ask for (the service of GET /reports/mine), and one report's
form rendered by the same renderer as the application form (app.portal.forms), saved (PUT /reports/{id}) and
submitted (POST /reports/{id}/submit). The expense lines and attachments already saved are kept as they are: this
page edits the answers only."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from litestar import Request, Response, get, post
from litestar.params import FromPath
from litestar.response import Redirect, Template
from markupsafe import Markup
from pydantic import ValidationError

from app.auth.principal import APPLICANTS, CurrentPrincipal
from app.errors import DomainError
from app.paging import Paging
from app.portal.fields import next_offset, pydantic_errors
from app.portal.forms import error_map, parse_form, render_form
from app.portal.frame import leave_notice, page_opt, render
from programmes.answers_layout import render_answers
from programmes.reports import service as reports
from programmes.reports.schemas import ReportDraft, ReportRead
from programmes.reports.service import report_name
from programmes.workflows.agreements import PROGRESS_REPORT

ACTION = "__action"


@get("/reports", opt=page_opt(APPLICANTS))
async def my_reports(request: Request[Any, Any, Any], principal: CurrentPrincipal, paging: Paging) -> Template:
    page = await reports.list_mine(principal, paging)
    rows = [
        {"report": r, "name": report_name(r.kind, r.sequence), "status": PROGRESS_REPORT.states.get(r.status, "")}
        for r in page.items
    ]
    return render(
        request,
        "reports/list.html",
        title="项目报告",
        rows=rows,
        total=page.total,
        next_offset=next_offset(paging, page.has_more),
        limit=paging.limit,
    )


def _report_page(
    request: Request[Any, Any, Any],
    report: ReportRead,
    answers: Mapping[str, Any],
    errors: Mapping[str, str] | None = None,
    status: int = 200,
) -> Template:
    editable = PROGRESS_REPORT.has(report.status, "applicant_edits")
    shown = (
        render_form(report.form_schema, answers, errors)
        if editable
        else render_answers(report.form_schema, dict(answers))
    )
    return render(
        request,
        "reports/detail.html",
        status=status,
        title=report_name(report.kind, report.sequence),
        report=report,
        name=report_name(report.kind, report.sequence),
        status_text=PROGRESS_REPORT.states.get(report.status, ""),
        editable=editable,
        form_html=Markup(shown),  # noqa: S704 — both renderers escape every answer and label
        action_field=ACTION,
    )


@get("/reports/{report_id:int}", opt=page_opt(APPLICANTS))
async def report_page(
    request: Request[Any, Any, Any], principal: CurrentPrincipal, report_id: FromPath[int]
) -> Template:
    report = await reports.read_report_for(principal, report_id)  # another organisation's: the 404 page
    return _report_page(request, report, report.answers)


@post("/reports/{report_id:int}", opt=page_opt(APPLICANTS), status_code=303)
async def report_submit(
    request: Request[Any, Any, Any], principal: CurrentPrincipal, report_id: FromPath[int]
) -> Response[Any]:
    report = await reports.read_report_for(principal, report_id)
    form = await request.form()
    answers = parse_form(report.form_schema, form.multi_items())
    try:
        draft = ReportDraft.model_validate(
            {
                "answers": answers,
                "attachment_ids": report.attachment_ids,  # kept: this page edits the answers only
                "expenses": [e.model_dump(exclude={"id"}) for e in report.expenses],
            }
        )
        if answers != report.answers or form.get(ACTION) != "submit":
            # The service of PUT /reports/{id}; 「提交报告」 on what is already saved writes nothing before submitting.
            await reports.save_draft(principal, report_id, draft)
        if form.get(ACTION) == "submit":
            await reports.submit(principal, report_id)  # checks everything; 422 per field, nothing changes
    except ValidationError as exc:
        return _report_page(request, report, answers, pydantic_errors(exc, ()), 422)
    except DomainError as error:
        if error.status == 404:
            raise
        errors = error_map(error.errors) if error.errors else {"": error.detail}
        saved = await reports.read_report_for(principal, report_id)
        return _report_page(request, saved, answers, errors, error.status)
    response = Redirect(f"/portal/reports/{report_id}", status_code=303)
    leave_notice(response, "报告已提交" if form.get(ACTION) == "submit" else "报告草稿已保存")
    return response


REPORT_PAGES = [my_reports, report_page, report_submit]
