"""Payment batches without typing ids: ``/admin/money/payable`` lists the payable tranches of the officer's scope
(released, or failed and payable again) to tick into a new draft batch; ``/admin/money/batches`` lists batches;
``/admin/money/batches/{id}`` shows one batch's items and progress, its reconciliation findings, and approves it
(a **second** officer: the builder's approval is refused with the service's four-eyes message), re-runs its
payment job, or discards the draft with a reason.

Every action is the API's service (``create_batch``, ``approve_batch``, ``rerun_batch``, ``discard_batch``) with
the officer's principal; the row locks, the ledger and the four-eyes trigger live there, never here.
"""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError
from starlette.responses import Response

from app.access import staff_filter
from app.admin.pages.html import csrf_field, esc, first, page, redirect, when
from app.admin.pages.money import MONEY_URL, PAYABLE_STATES
from app.admin.pages.money_common import (
    LIST_LIMIT,
    TOP,
    Refusal,
    cells,
    counted,
    district_zh,
    field_error,
    notice,
    organisation_names,
    refusal_of_domain,
    refusal_of_validation,
    table,
    top_error,
)
from app.admin.pages.money_reconciliation import discrepancy_table, scoped_discrepancies
from app.admin.pages.routing import PageRequest, PageRoute
from app.errors import DomainError
from app.money import yuan
from programmes.agreements.service import condition_zh
from programmes.disbursements.schemas import BatchCreate, BatchDiscard
from programmes.payees.tables import BankAccount
from programmes.tables import PaymentBatch, PaymentBatchItem, Tranche
from programmes.workflows.agreements import BankAccountStatus
from programmes.workflows.disbursement import BATCH_ITEM, PAYMENT_BATCH, TRANCHE, PaymentBatchStatus

PAYABLE_URL = f"{MONEY_URL}/payable"
BATCHES_URL = f"{MONEY_URL}/batches"
DONE_ZH = {
    "build": "支付批次已建立（草稿），须由另一名官员审批",
    "approve": "支付批次已审批，后台正在逐笔支付",
    "rerun": "已重新提交支付任务（不会重复支付）",
    "discard": "支付批次已作废，其中款项恢复为可拨付",
}


_ITEM_HEADERS = ["资助项目", "期次", "收款单位", "金额", "支付状态", "失败原因"]


def batch_url(batch_id: int) -> str:
    return f"{BATCHES_URL}/{batch_id}"


async def tranche_rows(where: list[Any]) -> list[dict[str, Any]]:
    """Tranches with their project, payee and whether the payee has a verified account (three queries in all)."""
    award: Any = Tranche.award
    order: Any = Tranche.match_order
    rows = (
        await Tranche.select(
            Tranche.id,
            Tranche.sequence,
            Tranche.amount_fen,
            Tranche.status,
            Tranche.release_condition,
            Tranche.milestone,
            Tranche.scope_district,
            award.application.title.as_alias("title"),
            award.payee.as_alias("award_payee"),
            order.payee.as_alias("order_payee"),
        )
        .where(*where)
        .order_by(Tranche.id)
        .limit(LIST_LIMIT)
    )
    payees = [r["award_payee"] or r["order_payee"] for r in rows]
    names = await organisation_names(payees)
    verified = {
        a["organisation"]
        for a in await BankAccount.select(BankAccount.organisation).where(
            BankAccount.organisation.is_in([p for p in payees if p] or [0]),
            BankAccount.status == BankAccountStatus.verified,
        )
    }
    for row, payee in zip(rows, payees, strict=True):
        row["payee_name"] = names.get(payee, "")
        row["payee_verified"] = payee in verified
        row["title"] = row["title"] or "聚力计划服务订单"
    return rows


async def payable_page(request: PageRequest, refusal: Refusal | None = None, status: int = 200) -> Response:
    refusal = refusal or {}
    where = [Tranche.status.is_in(list(PAYABLE_STATES)), *staff_filter(request.principal, Tranche.scope_district)]
    total = await Tranche.count().where(*where)
    rows = await tranche_rows(where)
    ticked = set(request.form.get("tranche_ids", []))
    body_rows = [
        cells(
            f'<input type="checkbox" name="tranche_ids" value="{r["id"]}" id="pick-{r["id"]}"'
            f"{' checked' if str(r['id']) in ticked else ''}>"
            f'<label class="sr" for="pick-{r["id"]}">选择 {esc(r["title"])} 第 {r["sequence"]} 笔</label>',
            esc(r["title"]),
            f"第 {r['sequence']} 笔",
            esc(r["payee_name"]),
            "已核验" if r["payee_verified"] else '<span class="error">无经核验账户</span>',
            esc(district_zh(r["scope_district"])),
            yuan(r["amount_fen"]),
            esc(condition_zh(r["release_condition"], r["milestone"])),
            esc(TRANCHE.states.get(r["status"], r["status"])),
        )
        for r in rows
    ]
    title_attr, title_err = field_error(refusal, "title")
    _, ids_err = field_error(refusal, "tranche_ids")
    listing = table(
        "可支付款项（同一批次须同属市级或同一区，收款单位须有经核验的账户）",
        ["选择", "资助项目", "期次", "收款单位", "收款账户", "级别", "金额", "拨付条件", "状态"],
        body_rows,
        "暂无可支付款项",
    )
    body = (
        f"<section>{top_error(refusal)}<form method='post' action='{PAYABLE_URL}'>{csrf_field(request.scope)}"
        f"{counted(total, len(rows))}{listing}{ids_err}"
        f'<label for="b-title">批次名称</label><input id="b-title" name="title" maxlength="200"'
        f' value="{esc(first(request.form, "title"))}"{title_attr}>{title_err}'
        '<p><button type="submit">将勾选的款项建立支付批次（草稿，待另一名官员审批）</button></p></form></section>'
    )
    return page("可支付款项", body, status=status)


async def build_batch(request: PageRequest) -> Response:
    from programmes.disbursements.service import create_batch

    # The API's ids are JSON integers (``Id``); a form sends text, so the digits are read here.
    ticked = [int(v) for v in request.form.get("tranche_ids", []) if v.isdigit() and len(v) <= 10]
    fields = ("title", "tranche_ids")
    if not ticked:
        return await payable_page(request, {"tranche_ids": "请至少勾选一笔款项"}, 422)
    try:
        data = BatchCreate.model_validate({"title": first(request.form, "title"), "tranche_ids": ticked})
    except ValidationError as exc:
        return await payable_page(request, refusal_of_validation(exc, fields), 422)
    try:
        batch = await create_batch(request.principal, data)
    except DomainError as exc:
        if exc.status == 404:
            raise
        return await payable_page(request, refusal_of_domain(exc, fields), exc.status)
    return redirect(f"{batch_url(batch.id)}?done=build")


async def batches_page(request: PageRequest) -> Response:
    where = staff_filter(request.principal, PaymentBatch.scope_district)
    total = await PaymentBatch.count().where(*where)
    rows = (
        await PaymentBatch.select(
            PaymentBatch.id,
            PaymentBatch.title,
            PaymentBatch.status,
            PaymentBatch.scope_district,
            PaymentBatch.created_at,
            PaymentBatch.created_by.username.as_alias("builder"),
            PaymentBatch.approved_by.username.as_alias("approver"),
        )
        .where(*where)
        .order_by(PaymentBatch.id, ascending=False)
        .limit(LIST_LIMIT)
    )
    body_rows = [
        cells(
            f'<a href="{batch_url(r["id"])}">{esc(r["title"])}</a>',
            esc(district_zh(r["scope_district"])),
            esc(PAYMENT_BATCH.states.get(r["status"], r["status"])),
            esc(r["builder"] or "—"),
            esc(r["approver"] or "—"),
            when(r["created_at"]),
        )
        for r in rows
    ]
    listing = table(
        "支付批次（最新在前）", ["批次", "级别", "状态", "建立人", "审批人", "建立时间（北京时间）"], body_rows
    )
    more = f'<p><a href="{PAYABLE_URL}">勾选可支付款项建立新批次</a></p>'
    return page("支付批次", f"<section>{more}{counted(total, len(rows))}{listing}</section>")


def _actions(request: PageRequest, batch: dict[str, Any], refusal: Refusal) -> str:
    csrf = csrf_field(request.scope)
    url = batch_url(batch["id"])
    parts = []
    if batch["status"] == PaymentBatchStatus.draft:
        reason_attr, reason_err = field_error(refusal, "reason")
        parts.append(
            f'<form method="post" action="{url}">{csrf}<input type="hidden" name="action" value="approve">'
            '<button type="submit">审批并支付（须为建立人以外的官员）</button></form>'
            f'<form method="post" action="{url}">{csrf}<input type="hidden" name="action" value="discard">'
            f'<label for="d-reason">作废理由</label><textarea id="d-reason" name="reason" rows="1"{reason_attr}>'
            f'</textarea>{reason_err}<button type="submit">作废草稿批次</button></form>'
        )
    if batch["status"] == PaymentBatchStatus.approved:
        parts.append(
            f'<form method="post" action="{url}">{csrf}<input type="hidden" name="action" value="rerun">'
            '<button type="submit">重新执行支付（仅支付尚未支付的款项）</button></form>'
        )
    return "".join(parts) or "<p>该批次已无可执行的操作。</p>"


async def batch_page(request: PageRequest, refusal: Refusal | None = None, status: int = 200) -> Response:
    from programmes.disbursements.service import progress_summary_zh, read_batch_for

    refusal = refusal or {}
    batch = await read_batch_for(request.principal, request.object_id)
    row = (
        await PaymentBatch.select(
            PaymentBatch.id,
            PaymentBatch.status,
            PaymentBatch.created_by.username.as_alias("builder"),
            PaymentBatch.approved_by.username.as_alias("approver"),
            PaymentBatch.approved_at,
        )
        .where(PaymentBatch.id == batch.id)
        .first()
    )
    assert row is not None  # read_batch_for found it
    items = {
        i["tranche"]: i
        for i in await PaymentBatchItem.select(
            PaymentBatchItem.tranche, PaymentBatchItem.status, PaymentBatchItem.error
        ).where(PaymentBatchItem.batch == batch.id)
    }
    tranches = await tranche_rows([Tranche.id.is_in(list(items) or [0])])
    body_rows = [
        cells(
            esc(t["title"]),
            f"第 {t['sequence']} 笔",
            esc(t["payee_name"]),
            yuan(t["amount_fen"]),
            esc(BATCH_ITEM.states.get(items[t["id"]]["status"], items[t["id"]]["status"])),
            esc(items[t["id"]]["error"] or "—"),
        )
        for t in tranches
    ]
    people = (
        f"<p>建立人：{esc(row['builder'] or '—')}；"
        f"审批人：{esc(row['approver'] or '—')}（{when(row['approved_at'])}）</p>"
    )
    tranche_subjects = {f"tranche:{t}" for t in items} | {f"payment_batch:{batch.id}"}
    findings = [d for d in await scoped_discrepancies(request.principal) if d.subject in tranche_subjects]
    done = notice(DONE_ZH.get(request.params.get("done", ""), ""))
    body = (
        f"{done}<section aria-labelledby='b-progress'><h2 id='b-progress'>进度</h2>"
        f"<p>{esc(progress_summary_zh(batch))}</p>{people}</section>"
        f"<section aria-labelledby='b-items'><h2 id='b-items'>款项明细</h2>"
        f"{table('批次中的款项', _ITEM_HEADERS, body_rows)}</section>"
        f"<section aria-labelledby='b-actions'><h2 id='b-actions'>操作</h2>{top_error(refusal)}"
        f"{_actions(request, row, refusal)}</section>"
        f"<section aria-labelledby='b-recon'><h2 id='b-recon'>对账结果</h2>{discrepancy_table(findings)}</section>"
    )
    return page(f"支付批次：{batch.title}", body, status=status)


async def act_on_batch(request: PageRequest) -> Response:
    from programmes.disbursements.drafts import discard_batch
    from programmes.disbursements.service import approve_batch, rerun_batch

    action = first(request.form, "action")
    try:
        if action == "approve":
            await approve_batch(request.principal, request.object_id)
        elif action == "rerun":
            await rerun_batch(request.principal, request.object_id)
        elif action == "discard":
            try:
                reason = BatchDiscard.model_validate({"reason": first(request.form, "reason")}).reason
            except ValidationError as exc:
                return await batch_page(request, refusal_of_validation(exc, ("reason",)), 422)
            await discard_batch(request.principal, request.object_id, reason)
        else:
            return await batch_page(request, {TOP: "请选择操作"}, 422)
    except DomainError as exc:
        if exc.status == 404:
            raise
        return await batch_page(request, {TOP: exc.detail}, exc.status)
    return redirect(f"{batch_url(request.object_id)}?done={action}")


MONEY_BATCH_ROUTES = [
    PageRoute(r"/money/payable", payable_page, build_batch),
    PageRoute(r"/money/batches", batches_page),
    PageRoute(r"/money/batches/(?P<id>[0-9]{1,10})", batch_page, act_on_batch),
]
