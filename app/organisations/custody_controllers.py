"""Routes of 财务代管: the public list of street service centres, a centre's groups, and officers' designations."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, get, put
from litestar.di import Provide
from litestar.params import FromPath, JSONBody, Parameter

from app.auth.principal import APPLICANTS_AND_STAFF, PUBLIC, STAFF, CurrentPrincipal, provide_principal
from app.organisations import custody
from app.organisations.schemas import OrganisationRead, ServiceCentreDesignation, ServiceCentreRead
from app.paging import Paging, page_response
from app.reference import District


class CustodyController(Controller):
    tags = ["organisations"]
    dependencies = {"principal": Provide(provide_principal)}

    @get(
        "/service-centres",
        opt={"permission": PUBLIC},
        summary="Street service centres a filed group can choose as custodian (街镇社会组织服务中心名单)",
    )
    async def centres(
        self,
        paging: Paging,
        request: Request[Any, Any, Any],
        district: District | None = Parameter(default=None, description="区"),
        street: str | None = Parameter(default=None, max_length=100, description="街镇"),
    ) -> Response[list[ServiceCentreRead]]:
        return page_response(await custody.service_centres(district, street, paging), request)

    @get(
        "/organisations/{organisation_id:int}/groups",
        opt={"permission": APPLICANTS_AND_STAFF},
        summary="The filed groups in a service centre's custody (代管的备案类团队)",
    )
    async def groups(
        self,
        principal: CurrentPrincipal,
        organisation_id: FromPath[int],
        paging: Paging,
        request: Request[Any, Any, Any],
    ) -> Response[list[OrganisationRead]]:
        return page_response(await custody.groups_of(principal, organisation_id, paging), request)

    @put(
        "/organisations/{organisation_id:int}/service-centre",
        opt={"permission": STAFF},
        summary="Designate (or, with street null, un-designate) a street service centre (设为街镇社会组织服务中心)",
    )
    async def designate(
        self, principal: CurrentPrincipal, organisation_id: FromPath[int], data: JSONBody[ServiceCentreDesignation]
    ) -> OrganisationRead:
        return await custody.designate(principal, organisation_id, data)
