"""The case library as a community uses it (案例库与复制推广): published cases, one case, and replicating it into a
draft demand of the caller's community — the services of GET /matching/cases, GET /matching/cases/{id} and POST
/matching/cases/{id}/replicate. A draft or withdrawn case is the 404, as in the API."""

from __future__ import annotations

from typing import Any

from litestar import Request, get, post
from litestar.params import FromPath
from litestar.response import Redirect, Template
from pydantic import ValidationError

from app.auth.principal import COMMUNITIES, CurrentPrincipal
from app.errors import DomainError
from app.paging import Paging
from app.portal.community_forms import tag_labels
from app.portal.fields import FieldErrors, domain_errors, next_offset, pydantic_errors
from app.portal.frame import leave_notice, page_opt, render
from app.reference import DISTRICT_NAMES_ZH, District
from programmes.matching import cases, replication
from programmes.matching.schemas_case import CaseReplicate

REPLICATE_FIELDS = ("title", "period_start", "period_end", "expected_beneficiaries")


def district_zh(code: str) -> str:
    try:
        return DISTRICT_NAMES_ZH[District(code)]
    except (ValueError, KeyError):
        return code or "—"


@get("/community/cases", opt=page_opt(COMMUNITIES))
async def case_list(request: Request[Any, Any, Any], paging: Paging) -> Template:
    page = await cases.library(paging)  # the service of GET /matching/cases
    return render(
        request,
        "community/cases.html",
        title="案例库",
        cases=page.items,
        total=page.total,
        next_offset=next_offset(paging, page.has_more),
        limit=paging.limit,
        district_zh=district_zh,
    )


async def _case_page(
    request: Request[Any, Any, Any],
    case_id: int,
    *,
    entered: dict[str, str] | None = None,
    errors: FieldErrors | None = None,
    status: int = 200,
) -> Template:
    case = await cases.read_public(None, case_id)  # as the public sees it: published only, no personal data
    labels = await tag_labels()
    return render(
        request,
        "community/case.html",
        status=status,
        title=case.title,
        case=case,
        tag_names=[labels.get(code, code) for code in case.tags],
        district=district_zh(case.district),
        entered=entered or dict.fromkeys(REPLICATE_FIELDS, ""),
        errors=errors or {},
    )


@get("/community/cases/{case_id:int}", opt=page_opt(COMMUNITIES))
async def case_detail(request: Request[Any, Any, Any], case_id: FromPath[int]) -> Template:
    return await _case_page(request, case_id)


@post("/community/cases/{case_id:int}/replicate", opt=page_opt(COMMUNITIES), status_code=303)
async def case_replicate(
    request: Request[Any, Any, Any], principal: CurrentPrincipal, case_id: FromPath[int]
) -> Template | Redirect:
    form = await request.form()
    entered = {name: str(form.get(name, "")).strip() for name in REPLICATE_FIELDS}
    body: dict[str, Any] = {name: value for name, value in entered.items() if value}  # empty: the case's own
    if body.get("expected_beneficiaries", "").isdigit() and len(body["expected_beneficiaries"]) < 10:
        body["expected_beneficiaries"] = int(body["expected_beneficiaries"])
    try:
        data = CaseReplicate.model_validate(body)
        made = await replication.replicate(principal, case_id, data)  # POST /matching/cases/{id}/replicate
    except ValidationError as exc:
        errors = pydantic_errors(exc, REPLICATE_FIELDS)
        return await _case_page(request, case_id, entered=entered, errors=errors, status=422)
    except DomainError as error:
        if error.status == 404:
            raise
        errors = domain_errors(error, REPLICATE_FIELDS)
        return await _case_page(request, case_id, entered=entered, errors=errors, status=error.status)
    response = Redirect(f"/portal/community/demands/{made.id}", status_code=303)
    leave_notice(response, "已按案例新建需求草稿：请补充联系人等信息，确认后提交审核")
    return response


CASE_PAGES = [case_list, case_detail, case_replicate]
