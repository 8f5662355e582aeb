"""Routes of 区级推荐 (district recommendation)."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, Response, get, post, put
from litestar.di import Provide
from litestar.params import FromPath, JSONBody, Parameter

from app.auth.principal import STAFF, CurrentPrincipal, provide_principal
from app.paging import Paging, page_response
from programmes.recommendations import forward, service
from programmes.recommendations.schemas import (
    EntryRead,
    EntryShow,
    ForwardRead,
    QuotaRead,
    QuotaWrite,
    RecommendationCreate,
    RecommendationRead,
    RecommendationRoundRead,
    RecommendationWithdraw,
)


class RecommendationController(Controller):
    tags = ["recommendations"]
    dependencies = {"principal": Provide(provide_principal)}

    @get(
        "/recommendation-rounds",
        opt={"permission": STAFF},
        summary="City-level rounds at the 区级推荐 stage (a district officer: its quota and count)",
    )
    async def rounds(
        self, principal: CurrentPrincipal, paging: Paging, request: Request[Any, Any, Any]
    ) -> Response[list[RecommendationRoundRead]]:
        return page_response(await service.list_rounds(principal, paging), request)

    @put(
        "/rounds/{round_id:int}/district-quotas",
        opt={"permission": STAFF},
        summary="Set a district's recommendation quota (city staff)",
        description="Below the district's live recommendations: 422 quota_below_recommended; after the forward: 409"
        " recommendations_closed.",
    )
    async def set_quota(
        self, principal: CurrentPrincipal, round_id: FromPath[int], data: JSONBody[QuotaWrite]
    ) -> QuotaRead:
        return await service.set_quota(principal, round_id, data)

    @get(
        "/rounds/{round_id:int}/district-quotas",
        opt={"permission": STAFF},
        summary="Quota, recommended and entries per district (a district officer: its own)",
    )
    async def quotas(
        self, principal: CurrentPrincipal, round_id: FromPath[int], paging: Paging, request: Request[Any, Any, Any]
    ) -> Response[list[QuotaRead]]:
        return page_response(await service.list_quotas(principal, round_id, paging), request)

    @get(
        "/rounds/{round_id:int}/recommendation-entries",
        opt={"permission": STAFF},
        summary="The round's entries: a district officer its district's; city staff the recommended (show=all: all)",
    )
    async def entries(
        self,
        principal: CurrentPrincipal,
        round_id: FromPath[int],
        paging: Paging,
        request: Request[Any, Any, Any],
        show: Annotated[EntryShow, Parameter(description="recommended（默认）或 all（仅市级）")] = "recommended",
    ) -> Response[list[EntryRead]]:
        return page_response(await service.list_entries(principal, round_id, show, paging), request)

    @post(
        "/rounds/{round_id:int}/recommendations",
        opt={"permission": STAFF},
        summary="Recommend one of the district's entries with a reason (district officers, within the quota)",
        description="409 district_quota_full, no_district_quota, already_recommended, entry_not_recommendable,"
        " recommendations_closed; 422 entry_not_found (not an entry of the caller's district in this round).",
    )
    async def recommend(
        self, principal: CurrentPrincipal, round_id: FromPath[int], data: JSONBody[RecommendationCreate]
    ) -> RecommendationRead:
        return await service.recommend(principal, round_id, data)

    @post(
        "/recommendations/{recommendation_id:int}/withdraw",
        opt={"permission": STAFF},
        summary="Withdraw a recommendation before the city forwards (the recommending district's officers)",
        status_code=200,
    )
    async def withdraw(
        self, principal: CurrentPrincipal, recommendation_id: FromPath[int], data: JSONBody[RecommendationWithdraw]
    ) -> RecommendationRead:
        return await service.withdraw(principal, recommendation_id, data.reason)

    @post(
        "/rounds/{round_id:int}/recommendations/forward",
        opt={"permission": STAFF},
        summary="Forward the recommended entries into the next stage; the others get 未晋级 (city staff, idempotent)",
        description="409 no_next_stage, round_still_accepting. A repeated call answers the first forward's result"
        " with already_forwarded=true.",
        status_code=200,
    )
    async def forward(self, principal: CurrentPrincipal, round_id: FromPath[int]) -> ForwardRead:
        return await forward.forward(principal, round_id)
