"""聚力计划 orders and applications to a demand: the routes parse, call one service function, return its result."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.di import Provide
from litestar.params import FromPath, FromQuery, JSONBody
from litestar.response import Stream

from app.auth.principal import (
    APPLICANTS,
    COMMUNITIES,
    COMMUNITIES_AND_STAFF,
    STAFF,
    CurrentPrincipal,
    Permission,
    provide_principal,
)
from app.auth.tables import Role
from app.input_limits import FileUploadBody
from app.paging import Paging, page_response
from programmes.content_types import content_disposition
from programmes.matching import bids, delivery, delivery_files, evaluation, obligations, orders
from programmes.matching.schemas_order import (
    BidCreate,
    BidRead,
    DeliveryFileRead,
    DeliveryRecordCreate,
    DeliveryRecordRead,
    EvaluationCreate,
    EvaluationResponseCreate,
    ObligationCreate,
    OrderRead,
    ReasonBody,
)
from programmes.workflows.orders import OrderStatus

UPLOAD_BODY_LIMIT = 25 * 1024 * 1024  # above the 20 MB per-file limit enforced while spooling

ORDER_PARTIES = Permission(
    frozenset({Role.applicant, Role.community, Role.officer, Role.admin}),
    "订单的承接机构成员、需求所属社区账户，或范围内的项目官员与管理员 / the order's organisation, its demand's "
    "community, or staff in scope",
)


class MatchOrderController(Controller):
    path = "/matching"
    tags = ["matching"]
    dependencies = {"principal": Provide(provide_principal)}

    @get("/orders", opt={"permission": ORDER_PARTIES}, summary="订单列表（本机构 / 本社区 / 范围内），最新在前")
    async def list_orders(
        self,
        principal: CurrentPrincipal,
        paging: Paging,
        request: Request[Any, Any, Any],
        status: FromQuery[OrderStatus | None] = None,
    ) -> Response[list[OrderRead]]:
        return page_response(await orders.list_for(principal, paging, status), request)

    @get("/orders/{match_order_id:int}", opt={"permission": ORDER_PARTIES}, summary="订单详情（含服务人数与评价）")
    async def read_order(self, principal: CurrentPrincipal, match_order_id: FromPath[int]) -> OrderRead:
        return await orders.read_for(principal, match_order_id)

    @post(
        "/orders/{match_order_id:int}/accept",
        opt={"permission": APPLICANTS},
        status_code=200,
        summary="接单：同时承接数已满（offer_capacity_full）或需求已满（demand_filled）时 409",
    )
    async def accept(self, principal: CurrentPrincipal, match_order_id: FromPath[int]) -> OrderRead:
        return await orders.accept(principal, match_order_id)

    @post(
        "/orders/{match_order_id:int}/decline",
        opt={"permission": APPLICANTS},
        status_code=200,
        summary="婉拒匹配（须填写原因），需求重新开放对接",
    )
    async def decline(
        self, principal: CurrentPrincipal, match_order_id: FromPath[int], data: JSONBody[ReasonBody]
    ) -> OrderRead:
        return await orders.decline(principal, match_order_id, data.reason)

    @post(
        "/orders/{match_order_id:int}/start-delivery",
        opt={"permission": APPLICANTS},
        status_code=200,
        summary="开始服务",
    )
    async def start_delivery(self, principal: CurrentPrincipal, match_order_id: FromPath[int]) -> OrderRead:
        return await orders.start_delivery(principal, match_order_id)

    @post(
        "/orders/{match_order_id:int}/delivery-records",
        opt={"permission": APPLICANTS},
        summary="登记服务记录（日期、内容、服务人数）",
    )
    async def add_record(
        self, principal: CurrentPrincipal, match_order_id: FromPath[int], data: JSONBody[DeliveryRecordCreate]
    ) -> DeliveryRecordRead:
        return await delivery.add_record(principal, match_order_id, data)

    @get("/orders/{match_order_id:int}/delivery-records", opt={"permission": ORDER_PARTIES}, summary="订单的服务记录")
    async def list_records(
        self,
        principal: CurrentPrincipal,
        match_order_id: FromPath[int],
        paging: Paging,
        request: Request[Any, Any, Any],
    ) -> Response[list[DeliveryRecordRead]]:
        return page_response(await delivery.list_records(principal, match_order_id, paging), request)

    @post(
        "/orders/{match_order_id:int}/delivery-records/{delivery_record_id:int}/files",
        opt={"permission": APPLICANTS},
        summary="上传服务记录附件（照片或文档，multipart 字段 file；按内容识别类型：jpg/png/pdf/docx/xlsx）",
        request_max_body_size=UPLOAD_BODY_LIMIT,
    )
    async def upload_file(
        self,
        principal: CurrentPrincipal,
        match_order_id: FromPath[int],
        delivery_record_id: FromPath[int],
        data: FileUploadBody,
    ) -> DeliveryFileRead:
        upload = data.file
        return await delivery_files.upload(principal, match_order_id, delivery_record_id, upload.filename or "", upload)

    @get("/orders/{match_order_id:int}/delivery-files", opt={"permission": ORDER_PARTIES}, summary="订单的服务记录附件")
    async def list_files(
        self,
        principal: CurrentPrincipal,
        match_order_id: FromPath[int],
        paging: Paging,
        request: Request[Any, Any, Any],
    ) -> Response[list[DeliveryFileRead]]:
        return page_response(await delivery_files.list_for(principal, match_order_id, paging), request)

    @get("/delivery-files/{delivery_file_id:int}", opt={"permission": ORDER_PARTIES}, summary="下载服务记录附件")
    async def download_file(self, principal: CurrentPrincipal, delivery_file_id: FromPath[int]) -> Stream:
        meta, chunks = await delivery_files.download(principal, delivery_file_id)
        return Stream(
            chunks,
            media_type=meta.content_type,
            headers={
                "Content-Disposition": content_disposition(meta.filename),
                "Content-Length": str(meta.size_bytes),
                "X-Content-Type-Options": "nosniff",
            },
        )

    @post(
        "/orders/{match_order_id:int}/confirm-delivery",
        opt={"permission": COMMUNITIES},
        status_code=200,
        summary="社区确认服务完成（须已有服务记录）",
    )
    async def confirm(self, principal: CurrentPrincipal, match_order_id: FromPath[int]) -> OrderRead:
        return await delivery.confirm(principal, match_order_id)

    @post(
        "/orders/{match_order_id:int}/evaluation",
        opt={"permission": COMMUNITIES},
        status_code=200,
        summary="社区评价（各方面 1–5 分与评语，仅一次）",
    )
    async def evaluate(
        self, principal: CurrentPrincipal, match_order_id: FromPath[int], data: JSONBody[EvaluationCreate]
    ) -> OrderRead:
        return await evaluation.evaluate(principal, match_order_id, data)

    @post(
        "/orders/{match_order_id:int}/evaluation/response",
        opt={"permission": APPLICANTS},
        status_code=200,
        summary="机构回应评价（仅一次）",
    )
    async def respond(
        self, principal: CurrentPrincipal, match_order_id: FromPath[int], data: JSONBody[EvaluationResponseCreate]
    ) -> OrderRead:
        return await evaluation.respond(principal, match_order_id, data.response)

    @post(
        "/orders/{match_order_id:int}/obligation",
        opt={"permission": STAFF},
        status_code=200,
        summary="转为政府购买服务：从聚力计划预算科目承诺金额（须在需求预算范围内、不超过可用余额），社区确认完成后拨付",
    )
    async def make_payable(
        self, principal: CurrentPrincipal, match_order_id: FromPath[int], data: JSONBody[ObligationCreate]
    ) -> OrderRead:
        return await obligations.make_payable(principal, match_order_id, data)

    @post(
        "/orders/{match_order_id:int}/cancel",
        opt={"permission": COMMUNITIES_AND_STAFF},
        status_code=200,
        summary="取消订单（须填写原因），需求重新开放对接",
    )
    async def cancel(
        self, principal: CurrentPrincipal, match_order_id: FromPath[int], data: JSONBody[ReasonBody]
    ) -> OrderRead:
        return await orders.cancel(principal, match_order_id, data.reason)

    @post(
        "/demands/{demand_id:int}/bids",
        opt={"permission": APPLICANTS},
        summary="申请承接已发布的需求（每个需求每机构一份待选申请）",
    )
    async def apply(self, principal: CurrentPrincipal, demand_id: FromPath[int], data: JSONBody[BidCreate]) -> BidRead:
        return await bids.apply(principal, demand_id, data)

    @get("/demands/{demand_id:int}/bids", opt={"permission": COMMUNITIES_AND_STAFF}, summary="需求收到的承接申请")
    async def list_for_demand(
        self, principal: CurrentPrincipal, demand_id: FromPath[int], paging: Paging, request: Request[Any, Any, Any]
    ) -> Response[list[BidRead]]:
        return page_response(await bids.list_for_demand(principal, demand_id, paging), request)

    @get("/bids", opt={"permission": APPLICANTS}, summary="本机构的承接申请，最新在前")
    async def list_mine(
        self, principal: CurrentPrincipal, paging: Paging, request: Request[Any, Any, Any]
    ) -> Response[list[BidRead]]:
        return page_response(await bids.list_mine(principal, paging), request)

    @post(
        "/bids/{demand_bid_id:int}/choose",
        opt={"permission": COMMUNITIES},
        status_code=200,
        summary="社区选定承接申请：生成待机构接单的订单；需求满额后其余申请自动未选定",
    )
    async def choose(self, principal: CurrentPrincipal, demand_bid_id: FromPath[int]) -> BidRead:
        return await bids.choose(principal, demand_bid_id)

    @post("/bids/{demand_bid_id:int}/withdraw", opt={"permission": APPLICANTS}, status_code=200, summary="撤回承接申请")
    async def withdraw(self, principal: CurrentPrincipal, demand_bid_id: FromPath[int]) -> BidRead:
        return await bids.withdraw(principal, demand_bid_id)
