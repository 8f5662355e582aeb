"""After payment: ``/admin/money/clawbacks`` (追回: start one against a paid award picked from a list, register a
refund the bank received) and ``/admin/money/warnings`` (open 风险预警, dismissed with a reason once checked).

The API's models read the input (``ClawbackCreate``, ``RefundCreate``, ``DismissRequest``; amounts typed in 元
become exact fen first) and the API's services act with the officer's principal (``clawbacks.demand``,
``record_refund`` — the same bank reference twice is booked once — and ``risk.dismiss_warning``).
"""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError
from starlette.responses import Response

from app.access import load, staff_filter
from app.admin.pages.html import csrf_field, esc, first, options, page, redirect, when
from app.admin.pages.money import MONEY_URL
from app.admin.pages.money_common import (
    LIST_LIMIT,
    TOP,
    Refusal,
    cells,
    counted,
    fen_from_yuan,
    field_error,
    notice,
    organisation_names,
    refusal_of_domain,
    refusal_of_validation,
    table,
    top_error,
)
from app.admin.pages.routing import PageRequest, PageRoute
from app.errors import DomainError
from app.money import yuan
from programmes.clawbacks.schemas import ClawbackCreate, RefundCreate
from programmes.ledger import service as ledger
from programmes.risk.schemas import DismissRequest
from programmes.risk.service import KIND_ZH
from programmes.risk.tables import RiskWarning
from programmes.tables import Award, Clawback, Tranche
from programmes.workflows.disbursement import TrancheStatus
from programmes.workflows.supervision import CLAWBACK, RISK_WARNING

CLAWBACKS_URL = f"{MONEY_URL}/clawbacks"
WARNINGS_URL = f"{MONEY_URL}/warnings"
DONE_ZH = {
    "demand": "追回已发起，已通知机构",
    "refund": "退款已登记（同一流水号不会重复记账）",
    "dismiss": "预警已核实排除，同一事项不再重复预警",
}
_DEMAND_FIELDS = ("award_id", "amount", "finding", "due_on")
_REFUND_FIELDS = ("amount", "bank_reference")


async def _paid_awards(request: PageRequest) -> list[tuple[str, str]]:
    """Awards of the officer's scope with money paid out: what a clawback can be demanded from."""
    paid = Tranche.select(Tranche.award).where(Tranche.status == TrancheStatus.paid)
    rows = (
        await Award.select(Award.id, Award.amount_fen, Award.payee, Award.application.title.as_alias("title"))
        .where(Award.id.is_in(paid), *staff_filter(request.principal, Award.scope_district))
        .order_by(Award.id)
        .limit(LIST_LIMIT)
    )
    names = await organisation_names(r["payee"] for r in rows)
    return [(str(r["id"]), f"{r['title']} · {names.get(r['payee'], '')}（资助 {yuan(r['amount_fen'])}）") for r in rows]


def _refund_form(request: PageRequest, clawback_id: int, refusal: Refusal, refused_id: int) -> str:
    """One clawback's refund form; a refusal of this row shows next to its field (ids made unique per row)."""
    mine = {f"{k}-{clawback_id}": v for k, v in refusal.items()} if refused_id == clawback_id else {}
    amount_attr, amount_err = field_error(mine, f"amount-{clawback_id}")
    ref_attr, ref_err = field_error(mine, f"bank_reference-{clawback_id}")
    _, top_err = field_error(mine, f"{TOP}-{clawback_id}")
    return (
        f'<form method="post" action="{CLAWBACKS_URL}/{clawback_id}">{csrf_field(request.scope)}'
        f'<label for="r-amount-{clawback_id}">到账金额（元）</label>'
        f'<input id="r-amount-{clawback_id}" name="amount" inputmode="decimal"{amount_attr}>{amount_err}'
        f'<label for="r-ref-{clawback_id}">银行流水号</label>'
        f'<input id="r-ref-{clawback_id}" name="bank_reference" maxlength="64"{ref_attr}>{ref_err}'
        f'<button type="submit">登记退款</button></form>{top_err}'
    )


async def clawbacks_page(
    request: PageRequest, refusal: Refusal | None = None, refused_id: int = 0, status: int = 200
) -> Response:
    refusal = refusal or {}
    where = staff_filter(request.principal, Clawback.scope_district)
    total = await Clawback.count().where(*where)
    award: Any = Clawback.award
    rows = (
        await Clawback.select(
            Clawback.id,
            Clawback.amount_fen,
            Clawback.status,
            Clawback.finding,
            Clawback.due_on,
            award.payee.as_alias("payee"),
            award.application.title.as_alias("title"),
        )
        .where(*where)
        .order_by(Clawback.id)
        .limit(LIST_LIMIT)
    )
    refunds = await ledger.refunds_of(r["id"] for r in rows)
    names = await organisation_names(r["payee"] for r in rows)
    body_rows = []
    for r in rows:
        refunded = sum(x.amount_fen for x in refunds[r["id"]])
        action = _refund_form(request, r["id"], refusal, refused_id) if r["status"] == CLAWBACK.initial else "—"
        body_rows.append(
            cells(
                esc(r["title"]),
                esc(names.get(r["payee"], "")),
                esc(r["finding"]),
                yuan(r["amount_fen"]),
                yuan(refunded),
                esc(CLAWBACK.states.get(r["status"], r["status"])),
                esc(r["due_on"].isoformat() if r["due_on"] else "—"),
                action,
            )
        )
    listing = table(
        "追回（最早在前）",
        ["资助项目", "收款单位", "审计发现", "追回金额", "已退回", "状态", "退款期限", "登记退款"],
        body_rows,
    )
    demand_refusal = refusal if refused_id == 0 else {}
    body = (
        f"{notice(DONE_ZH.get(request.params.get('done', ''), ''))}"
        f"<section aria-labelledby='c-new'><h2 id='c-new'>发起追回</h2>"
        f"{await _demand_form(request, demand_refusal)}</section>"
        f"<section aria-labelledby='c-list'><h2 id='c-list'>追回列表</h2>{counted(total, len(rows))}{listing}</section>"
    )
    return page("资金追回", body, status=status)


async def _demand_form(request: PageRequest, refusal: Refusal) -> str:
    awards = await _paid_awards(request)
    if not awards:
        return "<p>本范围内暂无已拨付的资助。</p>"
    form = request.form
    parts = {name: field_error(refusal, name) for name in _DEMAND_FIELDS}
    return (
        f'{top_error(refusal)}<form method="post" action="{CLAWBACKS_URL}">{csrf_field(request.scope)}'
        f'<label for="c-award">资助项目（已拨付）</label><select id="c-award" name="award_id"{parts["award_id"][0]}>'
        f"{options(awards, first(form, 'award_id'))}</select>{parts['award_id'][1]}"
        f'<label for="c-amount">追回金额（元）</label><input id="c-amount" name="amount" inputmode="decimal"'
        f' value="{esc(first(form, "amount"))}"{parts["amount"][0]}>{parts["amount"][1]}'
        f'<label for="c-finding">审计发现（机构可见）</label><textarea id="c-finding" name="finding" rows="2"'
        f"{parts['finding'][0]}>{esc(first(form, 'finding'))}</textarea>{parts['finding'][1]}"
        f'<label for="c-due">退款期限（可选）</label><input id="c-due" name="due_on" type="date"'
        f' value="{esc(first(form, "due_on"))}"{parts["due_on"][0]}>{parts["due_on"][1]}'
        '<p><button type="submit">发起追回并通知机构</button></p></form>'
    )


async def demand_clawback(request: PageRequest) -> Response:
    from programmes.clawbacks.service import demand

    form = request.form
    award_id = first(form, "award_id")
    amount = fen_from_yuan(first(form, "amount"))
    if not award_id.isdigit() or len(award_id) > 10:
        return await clawbacks_page(request, {"award_id": "请选择资助项目"}, 0, 422)
    if amount is None:
        return await clawbacks_page(request, {"amount": "请填写追回金额（元，最多两位小数）"}, 0, 422)
    values = {"amount_fen": amount, "finding": first(form, "finding"), "due_on": first(form, "due_on") or None}
    try:
        data = ClawbackCreate.model_validate(values)
    except ValidationError as exc:
        refusal = refusal_of_validation(exc, ("amount_fen", *_DEMAND_FIELDS))
        return await clawbacks_page(request, _renamed(refusal), 0, 422)
    try:
        await demand(request.principal, int(award_id), data.amount_fen, data.finding, None, data.due_on)
    except DomainError as exc:
        if exc.status == 404:
            raise
        refusal = refusal_of_domain(exc, _DEMAND_FIELDS)
        if exc.code == "clawback_exceeds_paid":
            refusal = {"amount": exc.detail}
        return await clawbacks_page(request, refusal, 0, exc.status)
    return redirect(f"{CLAWBACKS_URL}?done=demand")


def _renamed(refusal: Refusal) -> Refusal:
    """The model's ``amount_fen`` is the form's ``amount`` (typed in 元)."""
    return {("amount" if k == "amount_fen" else k): v for k, v in refusal.items()}


async def register_refund(request: PageRequest) -> Response:
    from programmes.clawbacks.service import read_for, record_refund

    clawback_id = request.object_id
    await read_for(request.principal, clawback_id)  # outside the officer's scope: the uniform 404 page
    amount = fen_from_yuan(first(request.form, "amount"))
    if amount is None:
        return await clawbacks_page(request, {"amount": "请填写到账金额（元，最多两位小数）"}, clawback_id, 422)
    try:
        data = RefundCreate.model_validate(
            {"amount_fen": amount, "bank_reference": first(request.form, "bank_reference")}
        )
    except ValidationError as exc:
        return await clawbacks_page(
            request, _renamed(refusal_of_validation(exc, ("amount_fen", *_REFUND_FIELDS))), clawback_id, 422
        )
    try:
        await record_refund(request.principal, clawback_id, data.amount_fen, data.bank_reference)
    except DomainError as exc:
        if exc.status == 404:
            raise
        return await clawbacks_page(request, {TOP: exc.detail}, clawback_id, exc.status)
    return redirect(f"{CLAWBACKS_URL}?done=refund")


async def warnings_page(request: PageRequest, refused: tuple[int, str] | None = None, status: int = 200) -> Response:
    where = [RiskWarning.status == RISK_WARNING.initial, *staff_filter(request.principal, RiskWarning.scope_district)]
    warned_award: Any = RiskWarning.award
    total = await RiskWarning.count().where(*where)
    rows = (
        await RiskWarning.select(
            RiskWarning.id,
            RiskWarning.kind,
            RiskWarning.detail,
            RiskWarning.organisation,
            RiskWarning.first_seen_at,
            warned_award.application.title.as_alias("title"),
        )
        .where(*where)
        .order_by(RiskWarning.id)
        .limit(LIST_LIMIT)
    )
    names = await organisation_names(r["organisation"] for r in rows)
    body_rows = []
    for r in rows:
        message = refused[1] if refused and refused[0] == r["id"] else ""
        described = f' aria-invalid="true" aria-describedby="w-err-{r["id"]}"' if message else ""
        error = f'<p class="error" role="alert" id="w-err-{r["id"]}">{esc(message)}</p>' if message else ""
        body_rows.append(
            cells(
                esc(KIND_ZH.get(r["kind"], r["kind"])),
                esc(r["detail"]),
                esc(names.get(r["organisation"], "—")),
                esc(r["title"] or "—"),
                when(r["first_seen_at"]),
                f'<form method="post" action="{WARNINGS_URL}/{r["id"]}">{csrf_field(request.scope)}'
                f'<label for="w-reason-{r["id"]}">排除理由（核实情况）</label>'
                f'<textarea id="w-reason-{r["id"]}" name="reason" rows="1"{described}></textarea>'
                f'<button type="submit">核实排除</button></form>{error}',
            )
        )
    listing = table(
        "待处理风险预警（最早在前）",
        ["预警类型", "说明", "机构", "资助项目", "首次发现（北京时间）", "处理"],
        body_rows,
    )
    done = notice(DONE_ZH.get(request.params.get("done", ""), ""))
    return page("风险预警", f"{done}<section>{counted(total, len(rows))}{listing}</section>", status=status)


async def dismiss(request: PageRequest) -> Response:
    from programmes.risk.service import dismiss_warning

    try:
        reason = DismissRequest.model_validate({"reason": first(request.form, "reason")}).reason
    except ValidationError as exc:
        message = refusal_of_validation(exc, ("reason",)).get("reason", "请填写排除理由")
        await load(request.principal, RiskWarning, request.object_id, columns=(RiskWarning.scope_district,))
        return await warnings_page(request, (request.object_id, message), 422)
    try:
        await dismiss_warning(request.principal, request.object_id, reason)
    except DomainError as exc:
        if exc.status == 404:
            raise
        return await warnings_page(request, (request.object_id, exc.detail), exc.status)
    return redirect(f"{WARNINGS_URL}?done=dismiss")


MONEY_RECOVERY_ROUTES = [
    PageRoute(r"/money/clawbacks", clawbacks_page, demand_clawback),
    PageRoute(r"/money/clawbacks/(?P<id>[0-9]{1,10})", None, register_refund),
    PageRoute(r"/money/warnings", warnings_page),
    PageRoute(r"/money/warnings/(?P<id>[0-9]{1,10})", None, dismiss),
]
