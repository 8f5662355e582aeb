from __future__ import annotations

from typing import Any

from litestar import Controller, get, post
from litestar.di import Provide
from litestar.params import FromPath, JSONBody
from pydantic import ConfigDict, Field

from app.auth.principal import PUBLIC, STAFF, CurrentPrincipal, provide_principal
from app.types import ExactInt, Id, RequestModel
from programmes.draws import service


class DrawRequest(RequestModel):
    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"projects": 5, "inspectors_per_project": 2}]}
    )
    projects: ExactInt = Field(ge=1, le=1000, description="抽取的项目数")
    inspectors_per_project: ExactInt = Field(ge=1, le=10, description="每个项目的检查人员数")
    # No seed field: the server generates it (commit-reveal); a body with "seed" is refused as an unknown field.
    redraw_reason: str = Field(default="", max_length=1000, description="本届次已有抽查时必填：重新抽取的原因（公开）")


class FindingRequest(RequestModel):
    model_config = ConfigDict(extra="forbid")
    award_id: Id
    finding: str = Field(min_length=2, max_length=1000, description="检查结果（公开）")
    corrects: Id | None = Field(default=None, description="更正时填写被更正的检查结果编号（原结果保留并公开）")


class SupervisionController(Controller):
    tags = ["supervision"]
    dependencies = {"principal": Provide(provide_principal)}

    @post(
        "/editions/{edition_id:int}/inspection-draws",
        opt={"permission": STAFF},
        summary="双随机抽查：登记抽查并公布种子摘要（种子由系统生成）",
    )
    async def commit_draw(
        self, principal: CurrentPrincipal, edition_id: FromPath[int], data: JSONBody[DrawRequest]
    ) -> dict[str, Any]:
        return await service.commit_draw(
            principal, edition_id, data.projects, data.inspectors_per_project, data.redraw_reason
        )

    @post(
        "/inspection-draws/{draw_id:int}/execute",
        opt={"permission": STAFF},
        summary="双随机抽查：公开种子并抽取项目与检查人员",
        status_code=200,
    )
    async def execute_draw(self, principal: CurrentPrincipal, draw_id: FromPath[int]) -> dict[str, Any]:
        return await service.execute_draw(principal, draw_id)

    @post(
        "/inspection-draws/{draw_id:int}/findings",
        opt={"permission": STAFF},
        summary="Record an inspection result",
        status_code=200,
    )
    async def finding(
        self, principal: CurrentPrincipal, draw_id: FromPath[int], data: JSONBody[FindingRequest]
    ) -> dict[str, Any]:
        return await service.record_finding(principal, draw_id, data.award_id, data.finding, data.corrects)

    @get("/inspection-draws", opt={"permission": PUBLIC}, summary="一公开：抽查情况与结果")
    async def public(self) -> list[dict[str, Any]]:
        return await service.public_list()
