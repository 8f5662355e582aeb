"""Routes for service offers, their versions and per-demand recommendations (聚力计划)."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, get, patch, post
from litestar.di import Provide
from litestar.params import FromPath, JSONBody, Parameter

from app.auth.principal import (
    APPLICANTS,
    APPLICANTS_AND_STAFF,
    COMMUNITIES_AND_STAFF,
    STAFF,
    CurrentPrincipal,
    provide_principal,
)
from app.paging import Paging, page_response
from programmes.matching import offers, recommend
from programmes.matching.schemas_offer import (
    OfferPrefill,
    OfferRead,
    OfferVersionRead,
    RecommendationsRead,
    ServiceOfferCreate,
    ServiceOfferDecision,
    ServiceOfferUpdate,
)
from programmes.workflows.demand import OfferStatus


class OfferController(Controller):
    path = "/matching"
    tags = ["matching"]
    dependencies = {"principal": Provide(provide_principal)}

    @post("/offers", opt={"permission": APPLICANTS}, summary="Create a service offer as a draft (服务项目)")
    async def create(self, principal: CurrentPrincipal, data: JSONBody[ServiceOfferCreate]) -> OfferRead:
        return await offers.create(principal, data)

    @get(
        "/offers",
        opt={"permission": APPLICANTS_AND_STAFF},
        summary="Offers I may see: my organisations' (applicant) or those in my scope (staff), newest first",
    )
    async def list_offers(
        self,
        principal: CurrentPrincipal,
        paging: Paging,
        request: Request[Any, Any, Any],
        status: OfferStatus | None = Parameter(default=None, description="只看该状态"),
    ) -> Response[list[OfferRead]]:
        return page_response(await offers.list_for(principal, paging, status), request)

    @get(
        "/offers/prefill/{application_id:int}",
        opt={"permission": APPLICANTS},
        summary="An offer body pre-filled from an approved 聚力计划 registration, to review and create",
    )
    async def prefill(self, principal: CurrentPrincipal, application_id: FromPath[int]) -> OfferPrefill:
        return await offers.prefill(principal, application_id)

    @get(
        "/offers/{service_offer_id:int}",
        opt={"permission": APPLICANTS_AND_STAFF},
        summary="One offer with track record",
    )
    async def read(self, principal: CurrentPrincipal, service_offer_id: FromPath[int]) -> OfferRead:
        return await offers.read_for(principal, service_offer_id)

    @patch(
        "/offers/{service_offer_id:int}",
        opt={"permission": APPLICANTS},
        summary="Edit an offer (draft, rejected or approved; an approved offer's edit is versioned)",
    )
    async def update(
        self, principal: CurrentPrincipal, service_offer_id: FromPath[int], data: JSONBody[ServiceOfferUpdate]
    ) -> OfferRead:
        return await offers.update(principal, service_offer_id, data)

    @get(
        "/offers/{service_offer_id:int}/versions",
        opt={"permission": APPLICANTS_AND_STAFF},
        summary="What an approved offer said before each edit (oldest first)",
    )
    async def versions(
        self,
        principal: CurrentPrincipal,
        service_offer_id: FromPath[int],
        paging: Paging,
        request: Request[Any, Any, Any],
    ) -> Response[list[OfferVersionRead]]:
        return page_response(await offers.versions(principal, service_offer_id, paging), request)

    @post("/offers/{service_offer_id:int}/submit", opt={"permission": APPLICANTS}, status_code=200, summary="Submit")
    async def submit(self, principal: CurrentPrincipal, service_offer_id: FromPath[int]) -> OfferRead:
        return await offers.submit(principal, service_offer_id)

    @post(
        "/offers/{service_offer_id:int}/revise",
        opt={"permission": APPLICANTS},
        status_code=200,
        summary="A rejected offer back to draft, to change and submit again",
    )
    async def revise(self, principal: CurrentPrincipal, service_offer_id: FromPath[int]) -> OfferRead:
        return await offers.revise(principal, service_offer_id)

    @post(
        "/offers/{service_offer_id:int}/withdraw", opt={"permission": APPLICANTS}, status_code=200, summary="Withdraw"
    )
    async def withdraw(self, principal: CurrentPrincipal, service_offer_id: FromPath[int]) -> OfferRead:
        return await offers.withdraw(principal, service_offer_id)

    @post(
        "/offers/{service_offer_id:int}/approve",
        opt={"permission": STAFF},
        status_code=200,
        summary="Approve a submitted offer: it is recommended and matched from now on (入库)",
    )
    async def approve(self, principal: CurrentPrincipal, service_offer_id: FromPath[int]) -> OfferRead:
        return await offers.approve(principal, service_offer_id)

    @post(
        "/offers/{service_offer_id:int}/reject", opt={"permission": STAFF}, status_code=200, summary="Reject (reason)"
    )
    async def reject(
        self, principal: CurrentPrincipal, service_offer_id: FromPath[int], data: JSONBody[ServiceOfferDecision]
    ) -> OfferRead:
        return await offers.reject(principal, service_offer_id, data.reason)

    @post(
        "/offers/{service_offer_id:int}/suspend",
        opt={"permission": STAFF},
        status_code=200,
        summary="Suspend an approved offer (reason): no new recommendations or matches",
    )
    async def suspend(
        self, principal: CurrentPrincipal, service_offer_id: FromPath[int], data: JSONBody[ServiceOfferDecision]
    ) -> OfferRead:
        return await offers.suspend(principal, service_offer_id, data.reason)

    @post("/offers/{service_offer_id:int}/resume", opt={"permission": STAFF}, status_code=200, summary="Resume")
    async def resume(self, principal: CurrentPrincipal, service_offer_id: FromPath[int]) -> OfferRead:
        return await offers.resume(principal, service_offer_id)

    @get(
        "/demands/{demand_id:int}/recommendations",
        opt={"permission": COMMUNITIES_AND_STAFF},
        summary="Ranked approved offers for a demand, each score term shown (the owning community, staff in scope)",
    )
    async def recommendations(
        self,
        principal: CurrentPrincipal,
        demand_id: FromPath[int],
        top: int = Parameter(default=recommend.DEFAULT_LIMIT, ge=1, le=recommend.MAX_LIMIT, description="前 N 项"),
    ) -> RecommendationsRead:
        return await recommend.recommendations(principal, demand_id, top)
