"""确定资助 without typing ids: ``/admin/money/awards`` lists the applications of the officer's scope that may be
awarded (ranked, advanced or selected, past their round's 公示, no award yet); ``/admin/money/awards/{application
id}`` awards one with a budget line picked from its edition's lines and a payment plan of up to six tranches in 元.

The form is read into the API's ``AwardCreate`` (so its validators and ``payment_plan_for`` judge it) and handed
to ``make_award`` with the officer's principal: over budget, not eligible, 公示 not passed are the service's
refusals, shown next to the field they concern, and nothing is written.
"""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError
from starlette.responses import Response

from app.access import staff_filter
from app.admin.pages.html import csrf_field, esc, first, options, page, redirect, status_zh
from app.admin.pages.money import MONEY_URL, awardable
from app.admin.pages.money_common import (
    LIST_LIMIT,
    TOP,
    Refusal,
    cells,
    counted,
    fen_from_yuan,
    field_error,
    organisation_names,
    table,
    top_error,
)
from app.admin.pages.reader import application_url
from app.admin.pages.routing import PageRequest, PageRoute
from app.auth.principal import Principal
from app.errors import DomainError, not_found
from app.money import yuan
from app.validation_messages import pydantic_error
from programmes.agreements.service import CONDITION_ZH
from programmes.awards.schemas import AwardCreate
from programmes.exports.money import FUND_KIND_ZH
from programmes.kinds import AwardType, ReleaseCondition
from programmes.ledger import service as ledger
from programmes.tables import Application, BudgetLine

AWARDS_URL = f"{MONEY_URL}/awards"
PLAN_ROWS = 6
AWARD_TYPE_ZH = {
    AwardType.reward.value: "奖励（大赛奖金、项目资助）",
    AwardType.start_up.value: "一次性开办补贴",
    AwardType.operating.value: "工作经费",
    AwardType.rent.value: "房租补贴",
    AwardType.large_event.value: "大型活动补贴",
    AwardType.staff.value: "人员补贴",
}
PLAN_CONDITIONS = [
    (ReleaseCondition.on_signing.value, CONDITION_ZH[ReleaseCondition.on_signing.value]),
    (ReleaseCondition.milestone.value, "中期报告验收通过后拨付（按顺序为第 1、2… 期）"),
    (ReleaseCondition.final_report.value, CONDITION_ZH[ReleaseCondition.final_report.value]),
]
_FIELDS = ("budget_line_id", "amount", "award_type", "final_report_due_on", "payment_plan")


async def awards_queue(request: PageRequest) -> Response:
    where = awardable(request.principal)
    total = await Application.count().where(*where)
    edition: Any = Application.round.edition
    rows = (
        await Application.select(
            Application.id,
            Application.title,
            Application.status,
            Application.organisation,
            edition.title.as_alias("edition_title"),
            edition.programme.kind.as_alias("kind"),
            Application.round.name.as_alias("round_name"),
        )
        .where(*where)
        .order_by(Application.id)
        .limit(LIST_LIMIT)
    )
    names = await organisation_names(r["organisation"] for r in rows)
    body_rows = [
        cells(
            f'<a href="{application_url(r["id"])}">{esc(r["title"])}</a>',
            esc(names.get(r["organisation"], "")),
            esc(f"{r['edition_title']} · {r['round_name']}"),
            esc(status_zh(r["kind"], r["status"])),
            f'<a href="{AWARDS_URL}/{r["id"]}">确定资助…</a>',
        )
        for r in rows
    ]
    listing = table("待确定资助的申报", ["申报项目", "申报单位", "届次 · 轮次", "状态", "操作"], body_rows)
    return page("待确定资助", f"<section>{counted(total, len(rows))}{listing}</section>")


async def _application(principal: Principal, application_id: int) -> dict[str, Any]:
    edition: Any = Application.round.edition
    row = (
        await Application.select(
            Application.id,
            Application.title,
            Application.status,
            Application.organisation,
            Application.scope_district,
            edition.id.as_alias("edition_id"),
            edition.title.as_alias("edition_title"),
            edition.programme.kind.as_alias("kind"),
        )
        .where(Application.id == application_id, *staff_filter(principal, Application.scope_district))
        .first()
    )
    if row is None:
        raise not_found("申报")
    return row


async def _budget_lines(edition_id: int) -> list[tuple[str, str]]:
    """The edition's lines with what is still available (an edition has a handful, so one ledger sum each)."""
    fund: Any = BudgetLine.fund_source
    lines = (
        await BudgetLine.select(BudgetLine.id, BudgetLine.amount_fen, fund.name, fund.kind)
        .where(BudgetLine.edition == edition_id)
        .order_by(BudgetLine.id)
    )
    choices = []
    for line in lines:
        available = await ledger.available(line["id"])
        kind = FUND_KIND_ZH.get(line["fund_source.kind"], "")
        label = f"{line['fund_source.name']}（{kind}）：预算 {yuan(line['amount_fen'])}，可用 {yuan(available)}"
        choices.append((str(line["id"]), label))
    return choices


def _plan_rows(form: dict[str, list[str]], refusal: Refusal) -> str:
    rows = []
    for i in range(PLAN_ROWS):
        amount_attr, amount_err = field_error(refusal, f"t{i}_amount")
        cond_attr, cond_err = field_error(refusal, f"t{i}_condition")
        due_attr, due_err = field_error(refusal, f"t{i}_due")
        chosen = first(form, f"t{i}_condition") or ReleaseCondition.on_signing.value
        rows.append(
            f"<tr><th scope='row'>第 {i + 1} 笔</th>"
            f'<td><label class="sr" for="t{i}-amount">第 {i + 1} 笔金额（元）</label>'
            f'<input id="t{i}-amount" name="t{i}_amount" inputmode="decimal" value="{esc(first(form, f"t{i}_amount"))}"'
            f"{amount_attr}>{amount_err}</td>"
            f'<td><label class="sr" for="t{i}-condition">第 {i + 1} 笔拨付条件</label>'
            f'<select id="t{i}-condition" name="t{i}_condition"{cond_attr}>{options(PLAN_CONDITIONS, chosen)}</select>'
            f"{cond_err}</td>"
            f'<td><label class="sr" for="t{i}-due">第 {i + 1} 笔报告截止日期</label>'
            f'<input id="t{i}-due" name="t{i}_due" type="date" value="{esc(first(form, f"t{i}_due"))}"{due_attr}>'
            f"{due_err}</td></tr>"
        )
    return (
        "<table><caption>拨付计划（留空的行不计；全部留空即协议生效后一次性拨付）</caption><thead><tr>"
        '<th scope="col">期次</th><th scope="col">金额（元）</th><th scope="col">拨付条件</th>'
        '<th scope="col">报告截止日期（中期、结项款项必填）</th></tr></thead><tbody>'
        + "".join(rows)
        + "</tbody></table>"
    )


async def award_form(
    request: PageRequest, form: dict[str, list[str]] | None = None, refusal: Refusal | None = None, status: int = 200
) -> Response:
    app_row = await _application(request.principal, request.object_id)
    names = await organisation_names([app_row["organisation"]])
    form = form or {}
    refusal = refusal or {}
    lines = await _budget_lines(app_row["edition_id"])
    line_attr, line_err = field_error(refusal, "budget_line_id")
    amount_attr, amount_err = field_error(refusal, "amount")
    final_attr, final_err = field_error(refusal, "final_report_due_on")
    _, plan_err = field_error(refusal, "payment_plan")
    no_lines = "" if lines else '<p class="error">该届次尚未设立预算科目，请先在「预算科目」中新建。</p>'
    award_type = first(form, "award_type") or AwardType.reward.value
    body = (
        f"<section aria-labelledby='a-app'><h2 id='a-app'>申报</h2><p><a href='{application_url(app_row['id'])}'>"
        f"{esc(app_row['title'])}</a> · {esc(names.get(app_row['organisation'], ''))} · {esc(app_row['edition_title'])}"
        f" · {esc(status_zh(app_row['kind'], app_row['status']))}</p></section>"
        f"<section aria-labelledby='a-form'><h2 id='a-form'>资助与拨付计划</h2>{no_lines}{top_error(refusal)}"
        f'<form method="post" action="{AWARDS_URL}/{app_row["id"]}">{csrf_field(request.scope)}'
        f'<label for="a-line">预算科目</label><select id="a-line" name="budget_line_id"{line_attr}>'
        f"{options(lines, first(form, 'budget_line_id'))}</select>{line_err}"
        f'<label for="a-amount">资助金额（元）</label><input id="a-amount" name="amount" inputmode="decimal"'
        f' value="{esc(first(form, "amount"))}"{amount_attr}>{amount_err}'
        f'<label for="a-type">资助类型</label><select id="a-type" name="award_type">'
        f"{options(AWARD_TYPE_ZH.items(), award_type)}</select>"
        f"{_plan_rows(form, refusal)}{plan_err}"
        '<label for="a-final">结项报告截止日期（可选）</label>'
        '<input id="a-final" name="final_report_due_on" type="date"'
        f' value="{esc(first(form, "final_report_due_on"))}"{final_attr}>{final_err}'
        '<p><button type="submit">确定资助</button></p></form></section>'
    )
    return page("确定资助", body, status=status)


def _plan_field(location: str) -> str:
    """``payment_plan[1].report_due_on`` / ``payment_plan.1.amount_fen`` → the form's ``t1_due``."""
    parts = location.replace("[", ".").replace("]", "").split(".")
    if parts[0] != "payment_plan" or len(parts) < 2 or not parts[1].isdigit():
        return {"amount_fen": "amount", "budget_line_id": "budget_line_id"}.get(parts[0], parts[0])
    tail = {"amount_fen": "amount", "condition": "condition", "report_due_on": "due"}.get(
        parts[2] if len(parts) > 2 else ""
    )
    return f"t{parts[1]}_{tail}" if tail else "payment_plan"


def _place(refusal: Refusal, location: str, message: str) -> None:
    name = _plan_field(location)
    known = {*_FIELDS, *(f"t{i}_{k}" for i in range(PLAN_ROWS) for k in ("amount", "condition", "due"))}
    refusal.setdefault(name if name in known else TOP, message)


def _read_form(form: dict[str, list[str]]) -> tuple[dict[str, Any], Refusal]:
    """The form as ``AwardCreate`` input; amounts not readable as 元 are refused before the model sees them."""
    refusal: Refusal = {}
    line = first(form, "budget_line_id")
    if not line.isdigit() or len(line) > 10:
        refusal["budget_line_id"] = "请选择预算科目"
    values: dict[str, Any] = {
        "application_id": 0,
        # The API's ids are JSON integers (``Id``); a form sends text, so the digits are read here.
        "budget_line_id": int(line) if line.isdigit() and len(line) <= 10 else None,
        "award_type": first(form, "award_type") or AwardType.reward.value,
    }
    amount = fen_from_yuan(first(form, "amount"))
    if amount is None:
        refusal["amount"] = "请填写资助金额（元，最多两位小数）"
    values["amount_fen"] = amount
    plan = []
    for i in range(PLAN_ROWS):
        text, due = first(form, f"t{i}_amount"), first(form, f"t{i}_due")
        if not text and not due:
            continue
        fen = fen_from_yuan(text)
        if fen is None:
            refusal[f"t{i}_amount"] = "请填写本笔金额（元，最多两位小数）"
        plan.append(
            {
                "amount_fen": fen,
                "condition": first(form, f"t{i}_condition") or ReleaseCondition.on_signing.value,
                "report_due_on": due or None,
            }
        )
    values["payment_plan"] = plan or None
    values["final_report_due_on"] = first(form, "final_report_due_on") or None
    return values, refusal


async def make_award_from_form(request: PageRequest) -> Response:
    from programmes.awards.service import make_award

    app_row = await _application(request.principal, request.object_id)
    values, refusal = _read_form(request.form)
    if refusal:
        return await award_form(request, request.form, refusal, 422)
    values["application_id"] = app_row["id"]
    try:
        data = AwardCreate.model_validate(values)
    except ValidationError as exc:
        for error in exc.errors():
            entry = pydantic_error(error)
            _place(refusal, entry["field"], entry["message"])
        return await award_form(request, request.form, refusal, 422)
    try:
        award = await make_award(request.principal, data)
    except DomainError as exc:
        if exc.status == 404 and not exc.errors:
            raise
        for field_refused in exc.errors:
            _place(refusal, field_refused.field, field_refused.message)
        if exc.code in ("budget_exceeded", "budget_line_invalid"):
            refusal["budget_line_id"] = exc.detail
        elif not refusal:
            refusal[TOP] = exc.detail
        return await award_form(request, request.form, refusal, exc.status)
    return redirect(f"{MONEY_URL}/agreements?done=award&award={award.id}")


MONEY_AWARD_ROUTES = [
    PageRoute(r"/money/awards", awards_queue),
    PageRoute(r"/money/awards/(?P<id>[0-9]{1,10})", award_form, make_award_from_form),
]
