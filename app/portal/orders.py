"""An organisation's orders (订单, 聚力计划): the list with states in Chinese; one order with its timeline, its
delivery records (服务记录) and their photos and files; and the organisation's steps — 接单, 婉拒 (reason), 开始服务,
adding a record, uploading a file to it, answering the community's evaluation once. Confirming the delivery is the
community's step (the workflow gives it no organisation action); the page says so. Each step calls the service of the
matching /matching/orders route with the session's principal, validated with its schema."""

from __future__ import annotations

from typing import Any

from litestar import Request, Response, get, post
from litestar.datastructures import UploadFile
from litestar.params import FromPath
from litestar.response import Redirect, Stream, Template
from pydantic import BaseModel, ValidationError

from app.auth.principal import APPLICANTS, CurrentPrincipal, Principal
from app.errors import DomainError, invalid
from app.paging import MAX_LIMIT, PageParams, Paging
from app.portal.fields import FieldErrors, domain_errors, next_offset, pydantic_errors
from app.portal.frame import leave_notice, page_opt, render
from app.portal.matching_shared import applicant_steps, present, whole_number, yuan
from programmes.content_types import content_disposition
from programmes.matching import delivery, delivery_files, evaluation, orders
from programmes.matching.controllers_order import UPLOAD_BODY_LIMIT
from programmes.matching.delivery_files import FILE_KINDS
from programmes.matching.schemas_order import (
    ASPECTS_ZH,
    DeliveryFileRead,
    DeliveryRecordCreate,
    EvaluationResponseCreate,
    OrderRead,
    ReasonBody,
)
from programmes.storage import DEFAULT_MAX_FILE_BYTES
from programmes.workflows.orders import ORDER

RECORD_FIELDS = tuple(DeliveryRecordCreate.model_fields)
FORMS = ("record", "reason", "response", "file")  # which form on the page an error belongs to
FILE_TYPES_ZH = "照片（jpg、png）或文档（pdf、docx、xlsx）"


class TimelineEvent(BaseModel):
    label: str
    at: Any  # a datetime (shown in Beijing time) or a service date
    detail: str = ""


def _timeline(order: OrderRead, records: list[Any]) -> list[TimelineEvent]:
    """The order's course from its read model: matched, taken, each day of service, confirmed, evaluated, answered."""
    events = [TimelineEvent(label="对接匹配，生成订单", at=order.created_at)]
    if order.accepted_at:
        events.append(TimelineEvent(label="机构接单", at=order.accepted_at))
    events += [
        TimelineEvent(label="服务记录", at=r.delivered_on, detail=f"{r.activity}（服务 {r.beneficiaries_served} 人）")
        for r in records
    ]
    if order.delivered_at:
        events.append(TimelineEvent(label="社区确认服务完成", at=order.delivered_at))
    if order.evaluation:
        events.append(
            TimelineEvent(
                label="社区评价", at=order.evaluation.created_at, detail=f"总体 {order.evaluation.overall} 分"
            )
        )
        if order.evaluation.responded_at:
            events.append(TimelineEvent(label="机构回应评价", at=order.evaluation.responded_at))
    if order.decision_reason:
        events.append(TimelineEvent(label=order.status_zh, at=None, detail=order.decision_reason))
    return events


@get("/orders", opt=page_opt(APPLICANTS))
async def my_orders(request: Request[Any, Any, Any], principal: CurrentPrincipal, paging: Paging) -> Template:
    page = await orders.list_for(principal, paging)  # the service of GET /matching/orders: the organisation's own
    return render(
        request,
        "matching/orders.html",
        title="我的订单",
        orders=page.items,
        waiting={o.id for o in page.items if "accept" in applicant_steps(ORDER, o.status)},
        total=page.total,
        next_offset=next_offset(paging, page.has_more),
        limit=paging.limit,
    )


async def _order_page(
    request: Request[Any, Any, Any],
    principal: Principal,
    order_id: int,
    paging: PageParams,
    *,
    form: str = "",
    values: dict[str, str] | None = None,
    errors: FieldErrors | None = None,
    status: int = 200,
) -> Template:
    order = await orders.read_for(principal, order_id)  # GET /matching/orders/{id}: not the organisation's → 404
    records = await delivery.list_records(principal, order_id, paging)
    files = await delivery_files.list_for(principal, order_id, PageParams(limit=MAX_LIMIT))
    by_record: dict[int, list[DeliveryFileRead]] = {}
    for file in files.items:
        by_record.setdefault(file.record_id, []).append(file)
    return render(
        request,
        "matching/order.html",
        status=status,
        title=f"订单：{order.demand_title}",
        order=order,
        steps=applicant_steps(ORDER, order.status),
        records_open=ORDER.has(order.status, "records_delivery"),
        records=records.items,
        files=by_record,
        timeline=_timeline(order, records.items),
        aspects=ASPECTS_ZH,
        form=form,
        values=values or {},
        errors=errors or {},
        next_offset=next_offset(paging, records.has_more),
        limit=paging.limit,
        file_types=FILE_TYPES_ZH,
        max_mb=DEFAULT_MAX_FILE_BYTES // (1024 * 1024),
        accept=",".join(f".{kind}" for kind in FILE_KINDS) + ",.jpg",
        yuan=yuan,
    )


@get("/orders/{order_id:int}", opt=page_opt(APPLICANTS))
async def order_detail(
    request: Request[Any, Any, Any], principal: CurrentPrincipal, order_id: FromPath[int], paging: Paging
) -> Template:
    return await _order_page(request, principal, order_id, paging)


def _done(order_id: int, notice: str) -> Redirect:
    response = Redirect(f"/portal/orders/{order_id}", status_code=303)
    leave_notice(response, notice)
    return response


async def _refused(
    request: Request[Any, Any, Any],
    principal: Principal,
    order_id: int,
    error: DomainError,
    form: str = "",
    fields: tuple[str, ...] = (),
    values: dict[str, str] | None = None,
) -> Template:
    """The service's refusal on the order's page, next to the form it belongs to (a 404 stays the uniform page)."""
    if error.status == 404:
        raise error
    errors = domain_errors(error, fields)
    return await _order_page(
        request, principal, order_id, PageParams(), form=form, values=values, errors=errors, status=error.status
    )


@post("/orders/{order_id:int}/accept", opt=page_opt(APPLICANTS), status_code=303)
async def accept_order(
    request: Request[Any, Any, Any], principal: CurrentPrincipal, order_id: FromPath[int]
) -> Response[Any]:
    """接单 (POST /matching/orders/{id}/accept): capacity and the demand's providers are decided under the service's
    locks; its 409 (同时承接数已满, 该需求已有足够的承接机构) is shown on the page."""
    try:
        await orders.accept(principal, order_id)
    except DomainError as error:
        return await _refused(request, principal, order_id, error)
    return _done(order_id, "已接单，可以开始服务")


@post("/orders/{order_id:int}/decline", opt=page_opt(APPLICANTS), status_code=303)
async def decline_order(
    request: Request[Any, Any, Any], principal: CurrentPrincipal, order_id: FromPath[int]
) -> Response[Any]:
    values = {"reason": str((await request.form()).get("reason", "")).strip()}
    try:
        data = ReasonBody.model_validate(values)
        await orders.decline(principal, order_id, data.reason)
    except ValidationError as exc:
        await orders.read_for(principal, order_id)  # another organisation's order: the 404, not a field error
        errors = pydantic_errors(exc, ("reason",))
        return await _order_page(
            request, principal, order_id, PageParams(), form="reason", values=values, errors=errors, status=422
        )
    except DomainError as error:
        return await _refused(request, principal, order_id, error, "reason", ("reason",), values)
    return _done(order_id, "已婉拒，该需求将重新参与对接")


@post("/orders/{order_id:int}/start-delivery", opt=page_opt(APPLICANTS), status_code=303)
async def start_delivery(
    request: Request[Any, Any, Any], principal: CurrentPrincipal, order_id: FromPath[int]
) -> Response[Any]:
    try:
        await orders.start_delivery(principal, order_id)
    except DomainError as error:
        return await _refused(request, principal, order_id, error)
    return _done(order_id, "已开始服务，请逐次登记服务记录")


@post("/orders/{order_id:int}/records", opt=page_opt(APPLICANTS), status_code=303)
async def add_record(
    request: Request[Any, Any, Any], principal: CurrentPrincipal, order_id: FromPath[int]
) -> Response[Any]:
    """登记服务记录 (POST /matching/orders/{id}/delivery-records): date, content, people served, notes."""
    form = await request.form()
    values = {name: str(form.get(name, "")).strip() for name in RECORD_FIELDS}
    body = present({**values, "beneficiaries_served": whole_number(values["beneficiaries_served"])})
    try:
        data = DeliveryRecordCreate.model_validate(body)
        await delivery.add_record(principal, order_id, data)
    except ValidationError as exc:
        await orders.read_for(principal, order_id)  # out of reach: the 404 first
        errors = pydantic_errors(exc, RECORD_FIELDS)
        return await _order_page(
            request, principal, order_id, PageParams(), form="record", values=values, errors=errors, status=422
        )
    except DomainError as error:
        return await _refused(request, principal, order_id, error, "record", RECORD_FIELDS, values)
    return _done(order_id, "服务记录已登记，可上传照片或文件")


@post(
    "/orders/{order_id:int}/records/{record_id:int}/files",
    opt=page_opt(APPLICANTS),
    status_code=303,
    request_max_body_size=UPLOAD_BODY_LIMIT,
)
async def upload_file(
    request: Request[Any, Any, Any], principal: CurrentPrincipal, order_id: FromPath[int], record_id: FromPath[int]
) -> Response[Any]:
    """A photo or document of one record (POST …/delivery-records/{id}/files): type, size and virus checks are the
    service's, shared with application attachments."""
    upload = (await request.form()).get("file")
    try:
        if not isinstance(upload, UploadFile) or not upload.filename:
            raise invalid("file_missing", "请选择要上传的照片或文件", "file")
        await delivery_files.upload(principal, order_id, record_id, upload.filename, upload)
    except DomainError as error:
        return await _refused(request, principal, order_id, error, f"file-{record_id}", ("file",))
    return _done(order_id, f"已上传 {upload.filename}")


@post("/orders/{order_id:int}/evaluation-response", opt=page_opt(APPLICANTS), status_code=303)
async def respond(
    request: Request[Any, Any, Any], principal: CurrentPrincipal, order_id: FromPath[int]
) -> Response[Any]:
    """机构回应评价 once (POST /matching/orders/{id}/evaluation/response)."""
    values = {"response": str((await request.form()).get("response", "")).strip()}
    try:
        data = EvaluationResponseCreate.model_validate(values)
        await evaluation.respond(principal, order_id, data.response)
    except ValidationError as exc:
        await orders.read_for(principal, order_id)
        errors = pydantic_errors(exc, ("response",))
        return await _order_page(
            request, principal, order_id, PageParams(), form="response", values=values, errors=errors, status=422
        )
    except DomainError as error:
        return await _refused(request, principal, order_id, error, "response", ("response",), values)
    return _done(order_id, "已回应社区评价")


@get("/delivery-files/{file_id:int}", opt=page_opt(APPLICANTS))
async def download_file(principal: CurrentPrincipal, file_id: FromPath[int]) -> Stream:
    meta, chunks = await delivery_files.download(principal, file_id)  # GET /matching/delivery-files/{id}
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


ORDER_PAGES = [
    my_orders,
    order_detail,
    accept_order,
    decline_order,
    start_delivery,
    add_record,
    upload_file,
    respond,
    download_file,
]
