"""Routes of the case library, replication and impact statistics (聚力计划). Each parses, calls one service
function and returns its result."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, Response, get, post
from litestar.di import Provide
from litestar.params import FromPath, JSONBody, Parameter

from app.auth.principal import COMMUNITIES, PUBLIC, STAFF, CurrentPrincipal, principal_from, provide_principal
from app.errors import DomainError, FieldError
from app.paging import Paging, page_of, page_response
from app.reference import District
from programmes.content_types import content_disposition
from programmes.matching import cases, impact, replication
from programmes.matching.impact import ImpactView
from programmes.matching.schemas_case import (
    CasePromote,
    CaseRead,
    CaseReplicate,
    CaseStaffRead,
    CaseWithdraw,
    ImpactFilters,
    ImpactRow,
    LineageRead,
    ReplicatedDemandRead,
)
from programmes.matching.tables import DemandField
from programmes.workflows.orders import CaseStatus

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

FieldQuery = Annotated[DemandField | None, Parameter(description="领域")]
DistrictQuery = Annotated[District | None, Parameter(description="区")]
TagQuery = Annotated[str | None, Parameter(max_length=40, description="标签代码")]
TextQuery = Annotated[str | None, Parameter(max_length=100, description="标题或简介包含的文字")]


class CaseController(Controller):
    tags = ["matching"]
    dependencies = {"principal": Provide(provide_principal)}

    @post("/matching/cases", opt={"permission": STAFF}, summary="推荐案例：将已评价的订单整理为案例（草稿）")
    async def promote(self, principal: CurrentPrincipal, data: JSONBody[CasePromote]) -> CaseStaffRead:
        return await cases.promote(principal, data)

    @post(
        "/matching/cases/{case_id:int}/publish",
        opt={"permission": STAFF},
        summary="发布案例到公开案例库",
        status_code=200,
    )
    async def publish(self, principal: CurrentPrincipal, case_id: FromPath[int]) -> CaseStaffRead:
        return await cases.publish(principal, case_id)

    @post(
        "/matching/cases/{case_id:int}/withdraw",
        opt={"permission": STAFF},
        summary="撤下案例（须说明原因）",
        status_code=200,
    )
    async def withdraw(
        self, principal: CurrentPrincipal, case_id: FromPath[int], data: JSONBody[CaseWithdraw]
    ) -> CaseStaffRead:
        return await cases.withdraw(principal, case_id, data.reason)

    @get("/matching/staff/cases", opt={"permission": STAFF}, summary="范围内的全部案例（含草稿、已撤下）")
    async def staff_list(
        self,
        principal: CurrentPrincipal,
        paging: Paging,
        request: Request[Any, Any, Any],
        status: Annotated[CaseStatus | None, Parameter(description="案例状态")] = None,
    ) -> Response[list[CaseStaffRead]]:
        return page_response(await cases.staff_list(principal, paging, status), request)

    @get("/matching/cases", opt={"permission": PUBLIC}, summary="公开案例库（无需登录，不含个人信息）")
    async def library(
        self,
        paging: Paging,
        request: Request[Any, Any, Any],
        field: FieldQuery = None,
        tag: TagQuery = None,
        district: DistrictQuery = None,
        text: TextQuery = None,
    ) -> Response[list[CaseRead]]:
        page = await cases.library(paging, field=field, tag=tag, district=district, text=text)
        return page_response(page, request)

    @get("/matching/cases/{case_id:int}", opt={"permission": PUBLIC}, summary="案例详情（草稿仅限范围内官员）")
    async def read(self, request: Request[Any, Any, Any], case_id: FromPath[int]) -> CaseRead:
        return await cases.read_public(principal_from(request), case_id)

    @get(
        "/matching/cases/{case_id:int}/lineage",
        opt={"permission": PUBLIC},
        summary="案例复制谱系：案例 → 复制它的需求 → 其订单",
    )
    async def lineage(self, request: Request[Any, Any, Any], case_id: FromPath[int]) -> LineageRead:
        return await replication.lineage(principal_from(request), case_id)

    @post(
        "/matching/cases/{case_id:int}/replicate",
        opt={"permission": COMMUNITIES},
        summary="复制案例：以案例为模板为本社区新建需求草稿",
    )
    async def replicate(
        self, principal: CurrentPrincipal, case_id: FromPath[int], data: JSONBody[CaseReplicate]
    ) -> ReplicatedDemandRead:
        return await replication.replicate(principal, case_id, data)


class ImpactController(Controller):
    tags = ["matching"]
    dependencies = {"principal": Provide(provide_principal)}

    @get(
        "/matching/impact",
        opt={"permission": STAFF},
        summary="成效统计：按领域/区/街镇/对接活动/社会组织分组（区级官员仅本区），每组一行",
    )
    async def view(
        self,
        principal: CurrentPrincipal,
        paging: Paging,
        request: Request[Any, Any, Any],
        view: Annotated[ImpactView, Parameter(description="分组：field/district/street/session/organisation")] = (
            ImpactView.district
        ),
        district: DistrictQuery = None,
        field: FieldQuery = None,
        date_from: Annotated[str | None, Parameter(description="需求发布日期起 YYYY-MM-DD")] = None,
        date_to: Annotated[str | None, Parameter(description="需求发布日期止（含）YYYY-MM-DD")] = None,
    ) -> Response[list[ImpactRow]]:
        filters = _filters(district, field, date_from, date_to)
        # One aggregate computes every group; the page is cut from it (groups are few: fields, districts, streets).
        return page_response(page_of(await impact.impact(principal, view, filters), paging), request)

    @get("/matching/impact.xlsx", opt={"permission": STAFF}, summary="成效统计 xlsx（每种分组一张表）")
    async def workbook(
        self,
        principal: CurrentPrincipal,
        district: DistrictQuery = None,
        field: FieldQuery = None,
        date_from: Annotated[str | None, Parameter(description="需求发布日期起 YYYY-MM-DD")] = None,
        date_to: Annotated[str | None, Parameter(description="需求发布日期止（含）YYYY-MM-DD")] = None,
    ) -> Response[bytes]:
        body = await impact.impact_workbook(principal, _filters(district, field, date_from, date_to))
        return Response(
            body, media_type=XLSX, headers={"Content-Disposition": content_disposition("聚力计划成效统计.xlsx")}
        )


def _filters(district: District | None, field: DemandField | None, date_from: str | None, date_to: str | None) -> Any:
    # Validated by the request model, so a bad date is a 422 naming the field, with a zh-CN message.
    values = {"district": district, "field": field, "date_from": date_from or None, "date_to": date_to or None}
    try:
        return ImpactFilters.model_validate(values)
    except ValueError as exc:
        message = "日期格式应为 YYYY-MM-DD"
        bad = "date_from" if date_from and "date_from" in str(exc) else "date_to"
        raise DomainError("date_invalid", message, 422, [FieldError(bad, "date_invalid", message)]) from exc
