from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.di import Provide
from litestar.params import FromPath, JSONBody

from app.auth.principal import PUBLIC, STAFF, CurrentPrincipal, provide_principal
from app.paging import Paging, page_response
from programmes.draws import service
from programmes.draws.schemas import DrawRead, DrawRequest, FindingRequest


class InspectionDrawController(Controller):
    tags = ["supervision"]
    dependencies = {"principal": Provide(provide_principal)}

    @post(
        "/editions/{edition_id:int}/inspection-draws",
        opt={"permission": STAFF},
        summary="双随机抽查：登记抽查并公布种子摘要（种子由系统生成）",
    )
    async def commit_draw(
        self, principal: CurrentPrincipal, edition_id: FromPath[int], data: JSONBody[DrawRequest]
    ) -> DrawRead:
        return await service.commit_draw(
            principal, edition_id, data.projects, data.inspectors_per_project, data.redraw_reason
        )

    @post(
        "/inspection-draws/{draw_id:int}/execute",
        opt={"permission": STAFF},
        summary="双随机抽查：公开种子并抽取项目与检查人员",
        status_code=200,
    )
    async def execute_draw(self, principal: CurrentPrincipal, draw_id: FromPath[int]) -> DrawRead:
        return await service.execute_draw(principal, draw_id)

    @post(
        "/inspection-draws/{draw_id:int}/findings",
        opt={"permission": STAFF},
        summary="Record an inspection result",
        status_code=200,
    )
    async def finding(
        self, principal: CurrentPrincipal, draw_id: FromPath[int], data: JSONBody[FindingRequest]
    ) -> DrawRead:
        return await service.record_finding(principal, draw_id, data.award_id, data.finding, data.corrects)

    @get("/inspection-draws", opt={"permission": PUBLIC}, summary="一公开：抽查情况与结果")
    async def public(self, paging: Paging, request: Request[Any, Any, Any]) -> Response[list[DrawRead]]:
        return page_response(await service.public_list(paging), request)
