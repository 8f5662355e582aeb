from __future__ import annotations

from litestar import Controller, get, post
from litestar.di import Provide
from litestar.params import FromPath, FromQuery
from litestar.response import Stream

from app.auth.principal import STAFF, CurrentPrincipal, provide_principal
from programmes.content_types import content_disposition
from programmes.exports import service
from programmes.exports.schemas import ExportKind, ExportRead

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class ExportController(Controller):
    tags = ["exports"]
    dependencies = {"principal": Provide(provide_principal)}

    @post(
        "/rounds/{round_id:int}/exports",
        opt={"permission": STAFF},
        summary="Export a round to xlsx: applications, scores, ranking (all methods) or reviewer load (background job)",
        status_code=202,
    )
    async def request(
        self, principal: CurrentPrincipal, round_id: FromPath[int], kind: FromQuery[ExportKind] = "applications"
    ) -> ExportRead:
        return await service.request_export(principal, round_id, kind)

    @post(
        "/exports/money-summary",
        opt={"permission": STAFF},
        summary="资金汇总 xlsx: budget, obligated, disbursed, refunded, available by fund source, district, programme",
        status_code=202,
    )
    async def money_summary(self, principal: CurrentPrincipal) -> ExportRead:
        return await service.request_money_summary(principal)

    @post(
        "/payment-batches/{batch_id:int}/exports",
        opt={"permission": STAFF},
        summary="批次支付明细 xlsx: one row per item (accounts masked to the last four digits)",
        status_code=202,
    )
    async def batch_payments(self, principal: CurrentPrincipal, batch_id: FromPath[int]) -> ExportRead:
        return await service.request_batch_payments(principal, batch_id)

    @get("/exports/{export_id:int}", opt={"permission": STAFF}, summary="Export progress")
    async def progress(self, principal: CurrentPrincipal, export_id: FromPath[int]) -> ExportRead:
        return await service.read_for(principal, export_id)

    @get("/exports/{export_id:int}/file", opt={"permission": STAFF}, summary="Download a finished export")
    async def file(self, principal: CurrentPrincipal, export_id: FromPath[int]) -> Stream:
        filename, chunks = await service.download(principal, export_id)
        return Stream(chunks, media_type=XLSX, headers={"Content-Disposition": content_disposition(filename)})
