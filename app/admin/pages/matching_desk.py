"""聚力计划's daily desk in the admin (issue 16, task 7), beside the sessions (app.admin.pages.matching):

- ``/admin/matching/demands``: the demands awaiting moderation (待审核), each published or rejected with a reason
  (``programmes.matching.demands.publish/reject``, as the form 「聚力计划需求审核」);
- ``/admin/matching/orders``: the orders in delivery, delivered and evaluated, an evaluated order promoted to a case
  (``cases.promote`` after ``CasePromote``), and the cases published or withdrawn with a reason.

Scope is the services': lists are the officer's district's, and an action on another district's row is the
uniform 404 page. Nothing is written here but through those services.
"""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError
from starlette.responses import Response

from app.admin.pages.html import csrf_field, esc, first, page, redirect, when
from app.admin.pages.parts import (
    alert,
    button_form,
    district_zh,
    form_id,
    notice,
    reason_form,
    section,
    table,
)
from app.admin.pages.routing import PageRequest, PageRoute
from app.admin.reference import validation_message
from app.errors import DomainError
from app.money import yuan
from app.organisations.tables import Organisation
from app.paging import DEFAULT_LIMIT, PageParams
from programmes.matching.tables import MatchingCase
from programmes.workflows.orders import CaseStatus, OrderStatus

DEMANDS_URL = "/admin/matching/demands"
ORDERS_URL = "/admin/matching/orders"
DONE_ZH = {
    "publish_demand": "需求已发布",
    "reject_demand": "需求审核不通过，已通知社区",
    "promote": "已整理为案例（草稿），发布后进入公开案例库",
    "publish_case": "案例已发布到公开案例库",
    "withdraw_case": "案例已撤下",
}
_ORDER_STATES = ("in_delivery", "delivered", "evaluated")
_CASE_ZH = {"draft": "草稿", "published": "已发布", "withdrawn": "已撤下"}


def _budget(low: int | None, high: int | None, in_kind: bool) -> str:
    if in_kind or (low is None and high is None):
        return "公益（无预算）"
    return f"{yuan(low or 0)}–{yuan(high or 0)}"


async def demands_page(
    request: PageRequest, *, error: str = "", error_id: int | None = None, status: int = 200
) -> Response:
    from programmes.matching import demands

    queue = await demands.moderation_queue(request.principal, PageParams(limit=DEFAULT_LIMIT))
    done = DONE_ZH.get(request.params.get("done", ""), "")
    rows = [
        (
            d.title,
            f"{district_zh(d.district)} · {d.street} · {d.community_name}",
            d.field_zh,
            f"{d.period_start:%Y-%m-%d} 至 {d.period_end:%Y-%m-%d}",
            _budget(d.budget_min_fen, d.budget_max_fen, d.in_kind),
            when(d.submitted_at),
            button_form(
                request.scope,
                DEMANDS_URL,
                "发布",
                {"action": "publish", "demand_id": d.id},
                name=f"发布需求「{d.title}」",
            ),
            reason_form(
                request.scope,
                DEMANDS_URL,
                "不通过",
                {"action": "reject", "demand_id": d.id},
                field_id=f"reject-{d.id}",
                reason_label="不通过的原因（社区可见）",
                error=error if error_id == d.id else "",
            ),
        )
        for d in queue.items
    ]
    headers = ("需求", "社区", "领域", "服务期限", "预算", "提交时间（北京时间）", "发布", "不通过")
    body = notice(done) + (alert(error) if error and error_id is None else "")
    body += f"<p>共 {queue.total} 条待审核（最早提交的在前，本页最多 {DEFAULT_LIMIT} 条）。</p>"
    body += section("queue", "待审核的需求", table("待审核的需求", headers, rows))
    body += '<p><a href="/admin/matching">返回聚力计划对接</a></p>'
    return page("聚力计划需求审核", body, status=status)


async def moderate(request: PageRequest) -> Response:
    from programmes.matching import demands

    form = request.form
    action, demand_id = first(form, "action"), form_id(form, "demand_id")
    if action not in ("publish", "reject") or demand_id is None:
        return await demands_page(request, error="请选择一条需求并选择发布或不通过", status=422)
    reason = first(form, "reason").strip()
    try:
        if action == "publish":
            await demands.publish(request.principal, demand_id)
        elif len(reason) < 2 or len(reason) > 1000:
            return await demands_page(
                request, error="不通过时须填写原因（2–1000 个字）", error_id=demand_id, status=422
            )
        else:
            await demands.reject(request.principal, demand_id, reason)
    except DomainError as exc:
        if exc.status == 404:
            raise
        return await demands_page(request, error=exc.detail, error_id=demand_id, status=422)
    return redirect(f"{DEMANDS_URL}?done={action}_demand")


def _promote_form(scope: dict[str, Any], order_id: int, error: str) -> str:
    described = f' aria-describedby="promote-{order_id}-error" aria-invalid="true"' if error else ""
    message = f'<p class="error" id="promote-{order_id}-error" role="alert">{esc(error)}</p>' if error else ""
    return (
        f'<form method="post" action="{ORDERS_URL}">{csrf_field(scope)}<input type="hidden" name="action" '
        f'value="promote"><input type="hidden" name="order_id" value="{order_id}">'
        f'<label for="title-{order_id}">案例标题</label><input id="title-{order_id}" name="title" maxlength="200"'
        f'{described}><label for="summary-{order_id}">案例简介（公开，勿含个人信息）</label>'
        f'<textarea id="summary-{order_id}" name="summary" rows="2"></textarea>'
        f'<label for="outcomes-{order_id}">成效</label><textarea id="outcomes-{order_id}" name="outcomes" rows="2">'
        f'</textarea>{message}<button type="submit">推荐为案例</button></form>'
    )


async def orders_page(
    request: PageRequest, *, error: str = "", error_id: int | None = None, status: int = 200
) -> Response:
    from programmes.matching import cases, orders

    principal, scope = request.principal, request.scope
    shown = [
        o
        for state in _ORDER_STATES
        for o in (await orders.list_for(principal, PageParams(limit=DEFAULT_LIMIT), state)).items
    ]
    promoted = {
        int(r["order"])
        for r in await MatchingCase.select(MatchingCase.order).where(
            MatchingCase.order.is_in([o.id for o in shown] or [0])
        )
    }
    organisations = {
        int(r["id"]): r["name"]
        for r in await Organisation.select(Organisation.id, Organisation.name).where(
            Organisation.id.is_in(sorted({o.organisation_id for o in shown}) or [0])
        )
    }
    order_rows = [
        (
            o.demand_title,
            o.offer_title,
            organisations.get(o.organisation_id, "—"),
            o.status_zh,
            o.beneficiaries_served,
            f"总体 {o.evaluation.overall} 分" if o.evaluation is not None else "—",
            yuan(o.amount_fen) if o.amount_fen is not None else "公益（无资金）",
            "已推荐为案例"
            if o.id in promoted
            else (
                _promote_form(scope, o.id, error if error_id == o.id else "")
                if o.status == OrderStatus.evaluated
                else "—"
            ),
        )
        for o in shown
    ]
    listed = await cases.staff_list(principal, PageParams(limit=DEFAULT_LIMIT))
    case_rows = [
        (
            c.title,
            c.organisation,
            f"{district_zh(c.district)} · {c.street}",
            _CASE_ZH.get(c.status, c.status),
            c.beneficiaries,
            button_form(
                scope, ORDERS_URL, "发布", {"action": "publish_case", "case_id": c.id}, name=f"发布案例「{c.title}」"
            )
            if c.status != CaseStatus.published
            else reason_form(
                scope,
                ORDERS_URL,
                "撤下",
                {"action": "withdraw_case", "case_id": c.id},
                field_id=f"withdraw-{c.id}",
                reason_label="撤下原因（记入审计日志）",
                error=error if error_id == -c.id else "",
            ),
        )
        for c in listed.items
    ]
    # A refusal sits next to its field when that form is on the page, else at the top.
    placed = {o.id for o in shown if o.status == OrderStatus.evaluated and o.id not in promoted}
    placed |= {-c.id for c in listed.items if c.status == CaseStatus.published}
    body = notice(DONE_ZH.get(request.params.get("done", ""), ""))
    body += alert(error) if error and error_id not in placed else ""
    body += section(
        "orders",
        "服务中与已完成的订单",
        table(
            "订单（服务中、社区已确认完成、已评价）",
            ("需求", "服务项目", "承接机构", "状态", "服务人次", "评价", "金额", "案例"),
            order_rows,
        ),
    )
    body += section(
        "cases",
        "案例",
        table("范围内的案例（最新在前）", ("案例", "承接机构", "地点", "状态", "服务人次", "操作"), case_rows),
    )
    body += '<p><a href="/admin/matching">返回聚力计划对接</a></p>'
    return page("聚力计划订单与案例", body, status=status)


async def order_act(request: PageRequest) -> Response:
    from programmes.matching import cases
    from programmes.matching.schemas_case import CasePromote

    form, principal = request.form, request.principal
    action = first(form, "action")
    try:
        if action == "promote":
            order_id = form_id(form, "order_id")
            values = {k: first(form, k) for k in ("title", "summary", "outcomes")}
            try:
                body = CasePromote.model_validate({"order_id": order_id, **values, "tags": None, "photo_ids": []})
            except ValidationError as exc:
                return await orders_page(request, error=validation_message(exc), error_id=order_id, status=422)
            await cases.promote(principal, body)
        elif action in ("publish_case", "withdraw_case"):
            case_id = form_id(form, "case_id")
            if case_id is None:
                return await orders_page(request, error="请选择一个案例", status=422)
            reason = first(form, "reason").strip()
            if action == "publish_case":
                await cases.publish(principal, case_id)
            elif len(reason) < 2:
                return await orders_page(request, error="撤下案例须填写原因", error_id=-case_id, status=422)
            else:
                await cases.withdraw(principal, case_id, reason)
        else:
            return await orders_page(request, error="不支持的操作", status=422)
    except DomainError as exc:
        if exc.status == 404:
            raise
        return await orders_page(request, error=exc.detail, status=422)
    return redirect(f"{ORDERS_URL}?done={action}")


MATCHING_DESK_ROUTES = [
    PageRoute(r"/matching/demands", demands_page, moderate),
    PageRoute(r"/matching/orders", orders_page, order_act),
]
