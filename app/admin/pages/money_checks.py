"""The two checks before money can move: ``/admin/money/agreements`` (signed agreements to countersign, or return
to the organisation with a reason) and ``/admin/money/accounts`` (submitted bank accounts to verify or reject with a
reason). Each row carries its own small forms; a POST names the row by the path id.

Actions are the API's services (``countersign``/``return_signature``, ``payees.verify``/``reject``) with the
officer's principal, reasons validated by the API's models. Account numbers are masked as the admin masks them
everywhere (``app.admin.masking``: last four digits only). A refusal (the four-eyes rule, an unverified account)
is shown on the row it concerns, status 4xx, nothing changed.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from pydantic import ValidationError
from starlette.responses import Response

from app.access import staff_filter
from app.admin.masking import mask
from app.admin.pages.html import csrf_field, esc, first, page, redirect, when
from app.admin.pages.money import COUNTERSIGNABLE_STATES, MONEY_URL
from app.admin.pages.money_common import LIST_LIMIT, cells, counted, notice, organisation_names, table
from app.admin.pages.routing import PageRequest, PageRoute
from app.errors import DomainError
from app.money import yuan
from app.validation_messages import pydantic_error
from programmes.agreements.schemas import AgreementReturn
from programmes.agreements.tables import Agreement
from programmes.payees.schemas import BankAccountDecision
from programmes.payees.tables import BankAccount
from programmes.workflows.agreements import AGREEMENT, BANK_ACCOUNT

AGREEMENTS_URL = f"{MONEY_URL}/agreements"
ACCOUNTS_URL = f"{MONEY_URL}/accounts"
DONE_ZH = {
    "award": "资助已确定，资助协议（草稿）已生成，待机构签署",
    "countersign": "已会签",
    "return": "协议已退回机构重新签署",
    "verify": "银行账户已核验，此后拨款汇入该账户",
    "reject": "银行账户已驳回，已通知机构",
}
RowError = tuple[int, str]  # (row id, message) of a refused action


def _row_forms(scope: dict[str, Any], url: str, row_id: int, yes: str, no: str, error: RowError | None) -> str:
    """A row's two actions: the plain one, and the refusal with its reason (the error below, on this row only)."""
    message = error[1] if error and error[0] == row_id else ""
    described = f' aria-invalid="true" aria-describedby="row-err-{row_id}"' if message else ""
    shown_error = f'<p class="error" role="alert" id="row-err-{row_id}">{esc(message)}</p>' if message else ""
    return (
        f'<form method="post" action="{url}/{row_id}">{csrf_field(scope)}'
        '<input type="hidden" name="action" value="yes">'
        f'<button type="submit">{esc(yes)}</button></form>'
        f'<form method="post" action="{url}/{row_id}">{csrf_field(scope)}'
        '<input type="hidden" name="action" value="no">'
        f'<label for="reason-{row_id}">{esc(no)}原因</label>'
        f'<textarea id="reason-{row_id}" name="reason" rows="1"{described}></textarea>'
        f'<button type="submit">{esc(no)}</button></form>{shown_error}'
    )


def _unlisted_error(error: RowError | None, listed: list[int]) -> str:
    """A refusal about a row no longer in the list (already decided) is shown at the top instead."""
    if error is None or error[0] in listed:
        return ""
    return f'<p class="error" role="alert" id="row-err-{error[0]}">{esc(error[1])}</p>'


async def agreements_page(request: PageRequest, error: RowError | None = None, status: int = 200) -> Response:
    where = [
        Agreement.status.is_in(list(COUNTERSIGNABLE_STATES)),
        *staff_filter(request.principal, Agreement.scope_district),
    ]
    total = await Agreement.count().where(*where)
    award: Any = Agreement.award
    rows = (
        await Agreement.select(
            Agreement.id,
            Agreement.status,
            Agreement.payee,
            Agreement.signer_name,
            Agreement.signed_at,
            Agreement.first_countersigned_by.username.as_alias("first_officer"),
            award.amount_fen.as_alias("amount_fen"),
            award.application.title.as_alias("title"),
        )
        .where(*where)
        .order_by(Agreement.id)
        .limit(LIST_LIMIT)
    )
    names = await organisation_names(r["payee"] for r in rows)
    body_rows = [
        cells(
            esc(r["title"]),
            esc(names.get(r["payee"], "")),
            yuan(r["amount_fen"]),
            esc(f"{r['signer_name']}（{when(r['signed_at'])}）"),
            esc(
                AGREEMENT.states.get(r["status"], r["status"])
                + (f"：{r['first_officer']}" if r["first_officer"] else "")
            ),
            _row_forms(request.scope, AGREEMENTS_URL, r["id"], "会签", "退回", error),
        )
        for r in rows
    ]
    listing = table(
        "机构已签署、待会签的资助协议（超过双人复核限额的须两名不同官员先后会签）",
        ["资助项目", "收款单位", "资助金额", "机构签署人（北京时间）", "状态", "操作"],
        body_rows,
    )
    done = notice(DONE_ZH.get(request.params.get("done", ""), "")) + _unlisted_error(error, [r["id"] for r in rows])
    return page("待会签资助协议", f"{done}<section>{counted(total, len(rows))}{listing}</section>", status=status)


async def accounts_page(request: PageRequest, error: RowError | None = None, status: int = 200) -> Response:
    where = [BankAccount.status == BANK_ACCOUNT.initial, *staff_filter(request.principal, BankAccount.scope_district)]
    total = await BankAccount.count().where(*where)
    rows = (
        await BankAccount.select(
            BankAccount.id,
            BankAccount.organisation,
            BankAccount.account_name,
            BankAccount.bank_name,
            BankAccount.account_number,
            BankAccount.created_at,
        )
        .where(*where)
        .order_by(BankAccount.id)
        .limit(LIST_LIMIT)
    )
    names = await organisation_names(r["organisation"] for r in rows)
    body_rows = [
        cells(
            esc(names.get(r["organisation"], "")),
            esc(r["account_name"]),
            esc(r["bank_name"]),
            esc(r["account_number"]),
            when(r["created_at"]),
            _row_forms(request.scope, ACCOUNTS_URL, r["id"], "核验通过", "驳回", error),
        )
        for r in mask(rows)
    ]
    listing = table(
        "待核验的收款账户（户名须与机构名称一致；核验后原账户自动停用）",
        ["机构", "户名", "开户行", "账号（仅显示后四位）", "提交时间（北京时间）", "操作"],
        body_rows,
    )
    done = notice(DONE_ZH.get(request.params.get("done", ""), "")) + _unlisted_error(error, [r["id"] for r in rows])
    return page("待核验银行账户", f"{done}<section>{counted(total, len(rows))}{listing}</section>", status=status)


async def _decide(
    request: PageRequest,
    read_reason: Callable[[str], str],
    yes: Callable[[], Awaitable[Any]],
    no: Callable[[str], Awaitable[Any]],
    again: Callable[[PageRequest, RowError, int], Awaitable[Response]],
    back: str,
) -> Response:
    """Run the row's action; the reason is read by the API's model first (``read_reason``). A refusal re-shows the
    list with its message on the row."""
    action = first(request.form, "action")
    try:
        if action == "yes":
            await yes()
        elif action == "no":
            try:
                reason = read_reason(first(request.form, "reason"))
            except ValidationError as exc:
                return await again(request, (request.object_id, pydantic_error(exc.errors()[0])["message"]), 422)
            await no(reason)
        else:
            return await again(request, (request.object_id, "请选择操作"), 422)
    except DomainError as exc:
        if exc.status == 404:
            raise
        return await again(request, (request.object_id, exc.detail), exc.status)
    return redirect(back)


async def decide_agreement(request: PageRequest) -> Response:
    from programmes.agreements.service import countersign, return_signature

    principal, agreement_id = request.principal, request.object_id
    response = await _decide(
        request,
        lambda text: AgreementReturn.model_validate({"reason": text}).reason,
        lambda: countersign(principal, agreement_id),
        lambda reason: return_signature(principal, agreement_id, reason),
        agreements_page,
        AGREEMENTS_URL,
    )
    return _with_done(response, "countersign" if first(request.form, "action") == "yes" else "return")


async def decide_account(request: PageRequest) -> Response:
    from programmes.payees.service import reject, verify

    principal, account_id = request.principal, request.object_id
    response = await _decide(
        request,
        lambda text: BankAccountDecision.model_validate({"reason": text}).reason,
        lambda: verify(principal, account_id),
        lambda reason: reject(principal, account_id, reason),
        accounts_page,
        ACCOUNTS_URL,
    )
    return _with_done(response, "verify" if first(request.form, "action") == "yes" else "reject")


def _with_done(response: Response, done: str) -> Response:
    if response.status_code == 303:
        location = response.headers["location"]
        return redirect(f"{location}?done={done}")
    return response


MONEY_CHECK_ROUTES = [
    PageRoute(r"/money/agreements", agreements_page),
    PageRoute(r"/money/agreements/(?P<id>[0-9]{1,10})", None, decide_agreement),
    PageRoute(r"/money/accounts", accounts_page),
    PageRoute(r"/money/accounts/(?P<id>[0-9]{1,10})", None, decide_account),
]
