from __future__ import annotations

from typing import Any

from litestar import Controller, get, post
from litestar.di import Provide
from litestar.params import FromPath, JSONBody
from pydantic import ConfigDict, Field

from app.auth.principal import PUBLIC, STAFF, CurrentPrincipal, provide_principal
from app.types import ExactInt, Id, RequestModel
from programmes.supervision import service


class DrawRequest(RequestModel):
    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"projects": 5, "inspectors_per_project": 2}]}
    )
    projects: ExactInt = Field(ge=1, le=1000, description="抽取的项目数")
    inspectors_per_project: ExactInt = Field(ge=1, le=10, description="每个项目的检查人员数")
    seed: str | None = Field(default=None, min_length=4, max_length=64, description="留空则随机生成并记录")


class FindingRequest(RequestModel):
    model_config = ConfigDict(extra="forbid")
    award_id: Id
    finding: str = Field(min_length=2, max_length=1000, description="检查结果（公开）")


class SupervisionController(Controller):
    tags = ["supervision"]
    dependencies = {"principal": Provide(provide_principal)}

    @post(
        "/editions/{edition_id:int}/inspection-draws",
        opt={"permission": STAFF},
        summary="双随机抽查：抽取项目与检查人员",
    )
    async def make_draw(
        self, principal: CurrentPrincipal, edition_id: FromPath[int], data: JSONBody[DrawRequest]
    ) -> dict[str, Any]:
        return await service.make_draw(principal, edition_id, data.projects, data.inspectors_per_project, data.seed)

    @post(
        "/inspection-draws/{draw_id:int}/findings",
        opt={"permission": STAFF},
        summary="Record an inspection result",
        status_code=200,
    )
    async def finding(
        self, principal: CurrentPrincipal, draw_id: FromPath[int], data: JSONBody[FindingRequest]
    ) -> dict[str, Any]:
        return await service.record_finding(principal, draw_id, data.award_id, data.finding)

    @get("/inspection-draws", opt={"permission": PUBLIC}, summary="一公开：抽查情况与结果")
    async def public(self) -> list[dict[str, Any]]:
        return await service.public_list()
