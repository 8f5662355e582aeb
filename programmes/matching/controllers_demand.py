"""Routes for demands (需求清单): the public list and search, a community's own demands, moderation, each step of
the DEMAND workflow, and the xlsx import of a street's list."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from litestar import Controller, Request, Response, get, post, put
from litestar.di import Provide
from litestar.params import FromPath, FromQuery, JSONBody, Parameter

from app.auth.principal import (
    COMMUNITIES,
    COMMUNITIES_AND_STAFF,
    PUBLIC,
    STAFF,
    CurrentPrincipal,
    principal_from,
    provide_principal,
)
from app.input_limits import FileUploadBody
from app.paging import Paging, page_response
from app.reference import District
from programmes.content_types import content_disposition
from programmes.matching import demand_import, demands
from programmes.matching.schemas_demand import (
    DemandPublicRead,
    DemandRead,
    DemandWrite,
    ImportReport,
    OptionalReason,
    Reason,
)
from programmes.matching.tables import DemandField
from programmes.workflows.demand import DemandStatus

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
Text = Annotated[str | None, Parameter(max_length=100, description="在需求名称和描述中查找")]
Street = Annotated[str | None, Parameter(max_length=100, description="街镇")]
Tags = Annotated[list[str] | None, Parameter(max_items=10, description="含任一标签（可重复传参）")]


class DemandController(Controller):
    path = "/matching"
    tags = ["matching"]
    dependencies = {"principal": Provide(provide_principal)}

    @get(
        "/demands",
        opt={"permission": PUBLIC},
        summary="Public list and search of published demands (contact only for signed-in organisations and staff)",
    )
    async def public_list(
        self,
        paging: Paging,
        request: Request[Any, Any, Any],
        field: FromQuery[DemandField | None] = None,
        district: FromQuery[District | None] = None,
        street: Street = None,
        tag: Tags = None,
        period_from: FromQuery[date | None] = None,
        period_to: FromQuery[date | None] = None,
        q: Text = None,
    ) -> Response[list[DemandPublicRead]]:
        page = await demands.public_list(
            principal_from(request),
            paging,
            field=field,
            district=district,
            street=street,
            tags=tag,
            period_from=period_from,
            period_to=period_to,
            text=q,
        )
        return page_response(page, request)

    @get("/demands/{demand_id:int}", opt={"permission": PUBLIC}, summary="A demand (public fields unless entitled)")
    async def read(self, demand_id: FromPath[int], request: Request[Any, Any, Any]) -> DemandPublicRead:
        return await demands.read_for(principal_from(request), demand_id)

    @get("/my/demands", opt={"permission": COMMUNITIES}, summary="The caller's community's demands, every state")
    async def mine(
        self,
        principal: CurrentPrincipal,
        paging: Paging,
        request: Request[Any, Any, Any],
        status: FromQuery[DemandStatus | None] = None,
    ) -> Response[list[DemandRead]]:
        return page_response(await demands.community_demands(principal, paging, status), request)

    @get("/moderation/demands", opt={"permission": STAFF}, summary="Moderation queue (default: submitted), in scope")
    async def moderation(
        self,
        principal: CurrentPrincipal,
        paging: Paging,
        request: Request[Any, Any, Any],
        status: FromQuery[DemandStatus] = DemandStatus.submitted,
        field: FromQuery[DemandField | None] = None,
        district: FromQuery[District | None] = None,
        street: Street = None,
        community_id: Annotated[int | None, Parameter(ge=1, le=2**31 - 1)] = None,
    ) -> Response[list[DemandRead]]:
        page = await demands.moderation_queue(
            principal, paging, status=status, field=field, district=district, street=street, community_id=community_id
        )
        return page_response(page, request)

    @post("/demands", opt={"permission": COMMUNITIES}, summary="Write a draft demand (the caller's community)")
    async def create(self, principal: CurrentPrincipal, data: JSONBody[DemandWrite]) -> DemandRead:
        return await demands.create(principal, data)

    @put("/demands/{demand_id:int}", opt={"permission": COMMUNITIES}, summary="Edit a draft or rejected demand")
    async def update(
        self, principal: CurrentPrincipal, demand_id: FromPath[int], data: JSONBody[DemandWrite]
    ) -> DemandRead:
        return await demands.update(principal, demand_id, data)

    @post(
        "/demands/{demand_id:int}/submit",
        opt={"permission": COMMUNITIES},
        status_code=200,
        summary="Submit for moderation",
    )
    async def submit(self, principal: CurrentPrincipal, demand_id: FromPath[int]) -> DemandRead:
        return await demands.submit(principal, demand_id)

    @post(
        "/demands/{demand_id:int}/revise",
        opt={"permission": COMMUNITIES},
        status_code=200,
        summary="Back to draft after a rejection",
    )
    async def revise(self, principal: CurrentPrincipal, demand_id: FromPath[int]) -> DemandRead:
        return await demands.revise(principal, demand_id)

    @post(
        "/demands/{demand_id:int}/publish",
        opt={"permission": STAFF},
        status_code=200,
        summary="Publish (moderation passed)",
    )
    async def publish(self, principal: CurrentPrincipal, demand_id: FromPath[int]) -> DemandRead:
        return await demands.publish(principal, demand_id)

    @post("/demands/{demand_id:int}/reject", opt={"permission": STAFF}, status_code=200, summary="Reject with a reason")
    async def reject(self, principal: CurrentPrincipal, demand_id: FromPath[int], data: JSONBody[Reason]) -> DemandRead:
        return await demands.reject(principal, demand_id, data.reason)

    @post(
        "/demands/{demand_id:int}/close",
        opt={"permission": COMMUNITIES_AND_STAFF},
        status_code=200,
        summary="Close a demand (its community, or staff in scope)",
    )
    async def close(
        self, principal: CurrentPrincipal, demand_id: FromPath[int], data: JSONBody[OptionalReason]
    ) -> DemandRead:
        return await demands.close(principal, demand_id, data.reason)


class DemandImportController(Controller):
    path = "/matching/demand-import"
    tags = ["matching"]
    dependencies = {"principal": Provide(provide_principal)}

    @get("/template", opt={"permission": COMMUNITIES}, summary="The demand-list template (xlsx, one example row)")
    async def template(self) -> Response[bytes]:
        return Response(
            demand_import.template(),
            media_type=XLSX,
            headers={"Content-Disposition": content_disposition("需求清单模板.xlsx")},
        )

    @post(
        "/",
        opt={"permission": COMMUNITIES},
        status_code=200,
        summary="Import a street's demand list (xlsx): dry_run checks only; commit writes all rows or none",
        request_max_body_size=demand_import.MAX_BYTES + 64 * 1024,
    )
    async def upload(
        self,
        principal: CurrentPrincipal,
        data: FileUploadBody,
        dry_run: Annotated[bool, Parameter(description="只检查，不写入")] = True,
    ) -> ImportReport:
        return await demand_import.import_list(principal, await data.file.read(), dry_run=dry_run)
