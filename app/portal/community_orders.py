"""The community's orders (订单): its demands' orders, one order with its delivery records, and the community's
steps on it — confirm delivery (确认服务完成), evaluate (评价, each aspect 1–5 and a comment, once) and cancel with a
reason — each through the service of the matching /matching/orders route; another community's order is the 404."""

from __future__ import annotations

from typing import Any

from litestar import Request, get, post
from litestar.params import FromPath
from litestar.response import Redirect, Stream, Template
from pydantic import ValidationError

from app.auth.principal import COMMUNITIES, CurrentPrincipal, Principal
from app.errors import DomainError
from app.paging import MAX_LIMIT, PageParams, Paging
from app.portal.community_forms import organisation_names
from app.portal.fields import FieldErrors, domain_errors, next_offset, pydantic_errors
from app.portal.frame import leave_notice, page_opt, render
from programmes.content_types import content_disposition
from programmes.matching import delivery, delivery_files, evaluation, orders
from programmes.matching.schemas_order import ASPECTS_ZH, EvaluationCreate, ReasonBody
from programmes.workflows.demand import COMMUNITY
from programmes.workflows.orders import ORDER

BASE = "/portal/community/orders"
RATING_FIELDS = tuple(f"ratings.{aspect}" for aspect in ASPECTS_ZH)
EVALUATION_FIELDS = (*RATING_FIELDS, "comment")


@get("/community/orders", opt=page_opt(COMMUNITIES))
async def order_list(request: Request[Any, Any, Any], principal: CurrentPrincipal, paging: Paging) -> Template:
    page = await orders.list_for(principal, paging)  # the service of GET /matching/orders
    names = await organisation_names(o.organisation_id for o in page.items)
    return render(
        request,
        "community/orders.html",
        title="对接订单",
        rows=[{"order": o, "organisation": names.get(o.organisation_id, "—")} for o in page.items],
        total=page.total,
        next_offset=next_offset(paging, page.has_more),
        limit=paging.limit,
    )


async def _detail(
    request: Request[Any, Any, Any],
    principal: Principal,
    order_id: int,
    paging: Any,
    *,
    status: int = 200,
    error: str | None = None,
    errors: FieldErrors | None = None,
    entered: dict[str, str] | None = None,
) -> Template:
    order = await orders.read_for(principal, order_id)  # GET /matching/orders/{id}: another community's → 404
    records = await delivery.list_records(principal, order_id, paging)  # GET …/delivery-records
    # GET …/delivery-files: at most a few per record, so one page of the most the API gives covers an order's.
    files = await delivery_files.list_for(principal, order_id, PageParams(limit=MAX_LIMIT))
    by_record: dict[int, list[Any]] = {}
    for file in files.items:
        by_record.setdefault(file.record_id, []).append(file)
    names = await organisation_names([order.organisation_id])
    may = {action: ORDER.permits(order.status, action, COMMUNITY)[0] for action in ("confirm_delivery", "evaluate")}
    return render(
        request,
        "community/order.html",
        status=status,
        title=f"订单：{order.demand_title}",
        order=order,
        organisation=names.get(order.organisation_id, "—"),
        records=records.items,
        files=by_record,
        records_total=records.total,
        next_offset=next_offset(paging, records.has_more),
        limit=paging.limit,
        may_confirm=may["confirm_delivery"],
        may_evaluate=may["evaluate"],
        may_cancel=ORDER.permits(order.status, "cancel", COMMUNITY)[0],
        aspects=list(ASPECTS_ZH.items()),
        error=error,
        errors=errors or {},
        entered=entered or {},
    )


@get("/community/orders/{order_id:int}", opt=page_opt(COMMUNITIES))
async def order_detail(
    request: Request[Any, Any, Any], principal: CurrentPrincipal, order_id: FromPath[int], paging: Paging
) -> Template:
    return await _detail(request, principal, order_id, paging)


def _done(order_id: int, notice: str) -> Redirect:
    response = Redirect(f"{BASE}/{order_id}", status_code=303)
    leave_notice(response, notice)
    return response


@post("/community/orders/{order_id:int}/confirm", opt=page_opt(COMMUNITIES), status_code=303)
async def order_confirm(
    request: Request[Any, Any, Any], principal: CurrentPrincipal, order_id: FromPath[int], paging: Paging
) -> Template | Redirect:
    try:
        await delivery.confirm(principal, order_id)  # POST /matching/orders/{id}/confirm-delivery
    except DomainError as error:
        if error.status == 404:
            raise
        return await _detail(request, principal, order_id, paging, status=error.status, error=error.detail)
    return _done(order_id, "已确认服务完成，请为本次服务评价")


def _rating(text: str) -> int | str:
    # The service wants integers 1–5; what is not a whole number goes on as typed and is refused in its words.
    return int(text) if text.isdigit() and len(text) < 3 else text


@post("/community/orders/{order_id:int}/evaluate", opt=page_opt(COMMUNITIES), status_code=303)
async def order_evaluate(
    request: Request[Any, Any, Any], principal: CurrentPrincipal, order_id: FromPath[int], paging: Paging
) -> Template | Redirect:
    form = await request.form()
    entered = {name: str(form.get(name, "")).strip() for name in EVALUATION_FIELDS}
    ratings = {name.split(".", 1)[1]: _rating(entered[name]) for name in RATING_FIELDS if entered[name]}
    try:
        data = EvaluationCreate.model_validate({"ratings": ratings, "comment": entered["comment"]})
        await evaluation.evaluate(principal, order_id, data)  # POST /matching/orders/{id}/evaluation
    except ValidationError as exc:
        errors = pydantic_errors(exc, EVALUATION_FIELDS)
        return await _detail(
            request, principal, order_id, paging, status=422, error="评价未保存", errors=errors, entered=entered
        )
    except DomainError as error:
        if error.status == 404:
            raise
        errors = domain_errors(error, EVALUATION_FIELDS)
        return await _detail(
            request, principal, order_id, paging, status=error.status, error="评价未保存", errors=errors,
            entered=entered,
        )  # fmt: skip
    return _done(order_id, "评价已提交，感谢反馈")


@post("/community/orders/{order_id:int}/cancel", opt=page_opt(COMMUNITIES), status_code=303)
async def order_cancel(
    request: Request[Any, Any, Any], principal: CurrentPrincipal, order_id: FromPath[int], paging: Paging
) -> Template | Redirect:
    form = await request.form()
    entered = {"reason": str(form.get("reason", "")).strip()}
    try:
        data = ReasonBody.model_validate(entered)
        await orders.cancel(principal, order_id, data.reason)  # POST /matching/orders/{id}/cancel
    except ValidationError as exc:
        errors = pydantic_errors(exc, ["reason"])
        return await _detail(
            request, principal, order_id, paging, status=422, error="订单未取消", errors=errors, entered=entered
        )
    except DomainError as error:
        if error.status == 404:
            raise
        errors = domain_errors(error, ["reason"])
        return await _detail(
            request, principal, order_id, paging, status=error.status, error="订单未取消", errors=errors,
            entered=entered,
        )  # fmt: skip
    return _done(order_id, "订单已取消，需求重新开放对接")


@get("/community/delivery-files/{file_id:int}", opt=page_opt(COMMUNITIES))
async def delivery_file(principal: CurrentPrincipal, file_id: FromPath[int]) -> Stream:
    """A photo or document of a delivery record (GET /matching/delivery-files/{id}); another order's is the 404."""
    meta, chunks = await delivery_files.download(principal, file_id)
    return Stream(
        chunks,
        media_type=meta.content_type,
        headers={
            "Content-Disposition": content_disposition(meta.filename),
            "Content-Length": str(meta.size_bytes),
            "X-Content-Type-Options": "nosniff",
            "Cache-Control": "no-store",
        },
    )


ORDER_PAGES = [order_list, order_detail, delivery_file, order_confirm, order_evaluate, order_cancel]
