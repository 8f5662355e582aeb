from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.di import Provide
from litestar.params import FromPath, JSONBody

from app.auth.principal import STAFF, CurrentPrincipal, provide_principal
from app.paging import Paging, page_response
from programmes.clawbacks import service
from programmes.clawbacks.schemas import ClawbackCreate, ClawbackRead, ClawbackWithdraw, RefundCreate


class ClawbackController(Controller):
    tags = ["supervision"]
    dependencies = {"principal": Provide(provide_principal)}

    @post("/awards/{award_id:int}/clawbacks", opt={"permission": STAFF}, summary="追回：依审计发现要求退回已拨付资金")
    async def demand(
        self, principal: CurrentPrincipal, award_id: FromPath[int], data: JSONBody[ClawbackCreate]
    ) -> ClawbackRead:
        return await service.demand(
            principal, award_id, data.amount_fen, data.finding, data.inspection_draw_id, data.due_on
        )

    @get("/awards/{award_id:int}/clawbacks", opt={"permission": STAFF}, summary="An award's clawbacks")
    async def list_for_award(
        self, principal: CurrentPrincipal, award_id: FromPath[int], paging: Paging, request: Request[Any, Any, Any]
    ) -> Response[list[ClawbackRead]]:
        return page_response(await service.list_for_award(principal, award_id, paging), request)

    @get("/clawbacks/{clawback_id:int}", opt={"permission": STAFF}, summary="A clawback with its refunds")
    async def read(self, principal: CurrentPrincipal, clawback_id: FromPath[int]) -> ClawbackRead:
        return await service.read_for(principal, clawback_id)

    @post(
        "/clawbacks/{clawback_id:int}/refunds",
        opt={"permission": STAFF},
        summary="Record a refund received (idempotent per bank reference); the full amount settles the clawback",
        status_code=200,
    )
    async def refund(
        self, principal: CurrentPrincipal, clawback_id: FromPath[int], data: JSONBody[RefundCreate]
    ) -> ClawbackRead:
        return await service.record_refund(principal, clawback_id, data.amount_fen, data.bank_reference)

    @post(
        "/clawbacks/{clawback_id:int}/withdraw",
        opt={"permission": STAFF},
        summary="Withdraw a clawback nothing has been refunded on",
        status_code=200,
    )
    async def withdraw(
        self, principal: CurrentPrincipal, clawback_id: FromPath[int], data: JSONBody[ClawbackWithdraw]
    ) -> ClawbackRead:
        return await service.withdraw(principal, clawback_id, data.reason)
