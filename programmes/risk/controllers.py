from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.di import Provide
from litestar.params import FromPath, FromQuery, JSONBody

from app.auth.principal import STAFF, CurrentPrincipal, provide_principal
from app.paging import Paging, page_response
from programmes.risk import service
from programmes.risk.schemas import DismissRequest, RiskWarningRead, WarningKind, WarningStatus


class RiskWarningController(Controller):
    path = "/risk-warnings"
    tags = ["supervision"]
    dependencies = {"principal": Provide(provide_principal)}

    @get("/", opt={"permission": STAFF}, summary="预警列表（本人范围内）")
    async def list(
        self,
        principal: CurrentPrincipal,
        paging: Paging,
        request: Request[Any, Any, Any],
        status: FromQuery[WarningStatus | None] = None,
        kind: FromQuery[WarningKind | None] = None,
    ) -> Response[list[RiskWarningRead]]:
        return page_response(await service.list_warnings(principal, status, kind, paging), request)

    @post("/{warning_id:int}/dismiss", opt={"permission": STAFF}, summary="经核实排除预警", status_code=200)
    async def dismiss(
        self, principal: CurrentPrincipal, warning_id: FromPath[int], data: JSONBody[DismissRequest]
    ) -> RiskWarningRead:
        return await service.dismiss_warning(principal, warning_id, data.reason)
