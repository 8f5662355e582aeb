"""After the award (申报单位): the organisation's 资助协议 with their payment plans, signing one (the API's sign step,
after ticking a confirmation), and its 收款账户 — listed with their verification state, a new one asked for. Each
through the service its API route calls, so the checks (the payee signs, the account name matches the registered
name, 8–32 digits, one pending request at a time) are the API's and so are their Chinese messages."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from litestar import Request, Response, get, post
from litestar.params import FromPath
from litestar.response import Redirect, Template
from pydantic import ValidationError

from app.auth.principal import APPLICANTS, CurrentPrincipal
from app.errors import DomainError
from app.money import yuan
from app.organisations.membership import member_organisation_ids
from app.organisations.tables import Organisation
from app.paging import PageParams, Paging
from app.portal.fields import FieldErrors, domain_errors, form_values, next_offset, pydantic_errors
from app.portal.frame import leave_notice, page_opt, render
from programmes.agreements import service as agreements
from programmes.agreements.schemas import AgreementRead, AgreementSign
from programmes.agreements.service import CATEGORY_ZH
from programmes.exports.money import masked_account
from programmes.payees import service as payees
from programmes.payees.schemas import BankAccountCreate
from programmes.tables import Application
from programmes.workflows.agreements import AGREEMENT, BANK_ACCOUNT, PROGRESS_REPORT, AgreementStatus
from programmes.workflows.disbursement import TRANCHE

SIGN_FIELDS = ("signer_name", "confirm")
ACCOUNT_FIELDS = ("account_name", "bank_name", "account_number")
REPORT_KINDS_ZH = {"milestone": "第 {n} 期中期报告", "final": "结项报告"}


async def _titles(application_ids: Iterable[int]) -> dict[int, str]:
    """The projects' titles for a page of agreements, in one query."""
    ids = sorted(set(application_ids))
    if not ids:
        return {}
    rows = await Application.select(Application.id, Application.title).where(Application.id.is_in(ids))
    return {int(r["id"]): r["title"] or "（未命名申报）" for r in rows}


def _total_fen(agreement: AgreementRead) -> int:
    return sum(t.amount_fen for t in agreement.tranches)


@get("/agreements", opt=page_opt(APPLICANTS))
async def my_agreements(request: Request[Any, Any, Any], principal: CurrentPrincipal, paging: Paging) -> Template:
    page = await agreements.list_agreements(principal, paging)  # the service of GET /agreements
    titles = await _titles(a.application_id for a in page.items)
    rows = [
        {
            "agreement": a,
            "title": titles.get(a.application_id, "—"),
            "status": AGREEMENT.states.get(a.status, a.status),
            "total": yuan(_total_fen(a)),
        }
        for a in page.items
    ]
    return render(
        request,
        "after/agreements.html",
        title="资助协议",
        rows=rows,
        total=page.total,
        next_offset=next_offset(paging, page.has_more),
        limit=paging.limit,
    )


async def _agreement_page(
    request: Request[Any, Any, Any],
    principal: CurrentPrincipal,
    agreement_id: int,
    values: dict[str, str] | None = None,
    errors: FieldErrors | None = None,
    status: int = 200,
) -> Template:
    agreement = await agreements.read_agreement_for(principal, agreement_id)  # GET /agreements/{id}; others' → 404
    title = (await _titles([agreement.application_id])).get(agreement.application_id, "—")
    return render(
        request,
        "after/agreement.html",
        status=status,
        title=f"资助协议：{title}",
        agreement=agreement,
        project=title,
        status_text=AGREEMENT.states.get(agreement.status, agreement.status),
        total=yuan(_total_fen(agreement)),
        tranches=[
            {"t": t, "amount": yuan(t.amount_fen), "status": TRANCHE.states.get(t.status, t.status)}
            for t in agreement.tranches
        ],
        reports=[
            {
                "name": REPORT_KINDS_ZH.get(r.kind, r.kind).format(n=r.sequence),
                "due_on": r.due_on,
                "status": PROGRESS_REPORT.states.get(r.status, r.status),
            }
            for r in agreement.reports
        ],
        budget=[(CATEGORY_ZH.get(c, c), yuan(int(a))) for c, a in agreement.budget_plan.items()],
        # Display only: whether to offer the signing form; the workflow decides whether signing is allowed.
        signable=agreement.status == AgreementStatus.draft,
        values=values or {"signer_name": ""},
        errors=errors or {},
    )


@get("/agreements/{agreement_id:int}", opt=page_opt(APPLICANTS))
async def agreement_page(
    request: Request[Any, Any, Any], principal: CurrentPrincipal, agreement_id: FromPath[int]
) -> Template:
    return await _agreement_page(request, principal, agreement_id)


@post("/agreements/{agreement_id:int}/sign", opt=page_opt(APPLICANTS), status_code=303)
async def agreement_sign(
    request: Request[Any, Any, Any], principal: CurrentPrincipal, agreement_id: FromPath[int]
) -> Response[Any]:
    form = await request.form()
    values = form_values(form, SIGN_FIELDS)
    if values["confirm"] != "yes":
        # The page's own confirmation before the API's step: signing binds the organisation.
        errors = {"confirm": "请先勾选确认已阅读并同意协议条款"}
        return await _agreement_page(request, principal, agreement_id, values, errors, 422)
    try:
        data = AgreementSign.model_validate({"signer_name": values["signer_name"]})
        await agreements.sign(principal, agreement_id, data.signer_name)  # POST /agreements/{id}/sign
    except ValidationError as exc:
        return await _agreement_page(request, principal, agreement_id, values, pydantic_errors(exc, SIGN_FIELDS), 422)
    except DomainError as error:
        if error.status == 404:
            raise
        errors = domain_errors(error, SIGN_FIELDS)
        return await _agreement_page(request, principal, agreement_id, values, errors, error.status)
    response = Redirect(f"/portal/agreements/{agreement_id}", status_code=303)
    leave_notice(response, "协议已签署，待主管部门会签")
    return response


@get("/bank-accounts", opt=page_opt(APPLICANTS))
async def my_bank_accounts(request: Request[Any, Any, Any], principal: CurrentPrincipal) -> Template | Redirect:
    """The accounts of the caller's organisation; a member of several picks one first."""
    ids = await member_organisation_ids(principal.user_id)
    if len(ids) == 1:
        return Redirect(f"/portal/organisations/{ids[0]}/bank-accounts", status_code=303)
    organisations = (
        await Organisation.select(Organisation.id, Organisation.name).where(Organisation.id.is_in(ids)) if ids else []
    )
    return render(request, "after/organisations.html", title="收款账户", organisations=organisations)


async def _accounts_page(
    request: Request[Any, Any, Any],
    principal: CurrentPrincipal,
    organisation_id: int,
    paging: PageParams,
    values: dict[str, str] | None = None,
    errors: FieldErrors | None = None,
    status: int = 200,
) -> Template:
    page = await payees.list_for(principal, organisation_id, paging)  # GET …/bank-accounts; others' → the 404
    org = await Organisation.select(Organisation.name).where(Organisation.id == organisation_id).first()
    name = org["name"] if org else ""
    return render(
        request,
        "after/bank_accounts.html",
        status=status,
        title="收款账户",
        organisation_id=organisation_id,
        organisation_name=name,
        accounts=[
            {"a": a, "number": masked_account(a.account_number), "status": BANK_ACCOUNT.states[a.status]}
            for a in page.items
        ],
        total=page.total,
        next_offset=next_offset(paging, page.has_more),
        limit=paging.limit,
        # What a new request starts from: the registered name is the only one the service accepts.
        values=values or {"account_name": name, "bank_name": "", "account_number": ""},
        errors=errors or {},
    )


@get("/organisations/{organisation_id:int}/bank-accounts", opt=page_opt(APPLICANTS))
async def bank_accounts_page(
    request: Request[Any, Any, Any], principal: CurrentPrincipal, organisation_id: FromPath[int], paging: Paging
) -> Template:
    return await _accounts_page(request, principal, organisation_id, paging)


@post("/organisations/{organisation_id:int}/bank-accounts", opt=page_opt(APPLICANTS), status_code=303)
async def bank_account_submit(
    request: Request[Any, Any, Any], principal: CurrentPrincipal, organisation_id: FromPath[int]
) -> Response[Any]:
    values = form_values(await request.form(), ACCOUNT_FIELDS)
    try:
        data = BankAccountCreate.model_validate(values)
        await payees.submit(principal, organisation_id, data)  # POST /organisations/{id}/bank-accounts
    except ValidationError as exc:
        errors = pydantic_errors(exc, ACCOUNT_FIELDS)
        return await _accounts_page(request, principal, organisation_id, PageParams(), values, errors, 422)
    except DomainError as error:
        if error.status == 404:
            raise
        errors = domain_errors(error, ACCOUNT_FIELDS)
        return await _accounts_page(request, principal, organisation_id, PageParams(), values, errors, error.status)
    response = Redirect(f"/portal/organisations/{organisation_id}/bank-accounts", status_code=303)
    leave_notice(response, "账户已提交，待主管部门核验")
    return response


AFTER_AWARD_PAGES = [
    my_agreements,
    agreement_page,
    agreement_sign,
    my_bank_accounts,
    bank_accounts_page,
    bank_account_submit,
]
