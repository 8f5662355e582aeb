"""Routes for 链接资源对接渠道: officers record resource partners and their offers, introduce prize winners to
offers and record the follow-up. Staff only, in scope; lists paged."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.di import Provide
from litestar.params import FromPath, FromQuery, JSONBody

from app.auth.principal import APPLICANTS, STAFF, CurrentPrincipal, provide_principal
from app.paging import Paging, page_response
from app.params import OptionalQueryId
from programmes.resources import introductions, service, winners
from programmes.resources.kinds import OfferKind, PartnerKind
from programmes.resources.schemas import (
    FollowUp,
    IntroductionCreate,
    IntroductionRead,
    ResourceOfferCreate,
    ResourceOfferRead,
    ResourcePartnerCreate,
    ResourcePartnerRead,
    WinnerIntroductionRead,
)
from programmes.workflows.resources import IntroductionStatus


class ResourceController(Controller):
    tags = ["resources"]
    dependencies = {"principal": Provide(provide_principal)}

    @post("/resource-partners", opt={"permission": STAFF}, summary="Record a resource partner (基金会/企业/街镇)")
    async def create_partner(
        self, principal: CurrentPrincipal, data: JSONBody[ResourcePartnerCreate]
    ) -> ResourcePartnerRead:
        return await service.create_partner(principal, data)

    @get("/resource-partners", opt={"permission": STAFF}, summary="Resource partners in scope")
    async def list_partners(
        self,
        principal: CurrentPrincipal,
        paging: Paging,
        request: Request[Any, Any, Any],
        kind: FromQuery[PartnerKind | None] = None,
    ) -> Response[list[ResourcePartnerRead]]:
        return page_response(await service.list_partners(principal, paging, kind), request)

    @post(
        "/resource-partners/{partner_id:int}/offers",
        opt={"permission": STAFF},
        summary="Publish a partner's offer (funding, venue, mentoring, purchase of services; valid period)",
    )
    async def publish_offer(
        self, principal: CurrentPrincipal, partner_id: FromPath[int], data: JSONBody[ResourceOfferCreate]
    ) -> ResourceOfferRead:
        return await service.publish_offer(principal, partner_id, data)

    @get("/resource-offers", opt={"permission": STAFF}, summary="Offers in scope (filter by kind, partner, current)")
    async def list_offers(
        self,
        principal: CurrentPrincipal,
        paging: Paging,
        request: Request[Any, Any, Any],
        kind: FromQuery[OfferKind | None] = None,
        partner_id: OptionalQueryId = None,
        current: FromQuery[bool | None] = None,
    ) -> Response[list[ResourceOfferRead]]:
        found = await service.list_offers(principal, paging, kind=kind, partner_id=partner_id, current=current)
        return page_response(found, request)

    @get("/resource-offers/{offer_id:int}", opt={"permission": STAFF}, summary="An offer")
    async def read_offer(self, principal: CurrentPrincipal, offer_id: FromPath[int]) -> ResourceOfferRead:
        return await service.offer_for(principal, offer_id)

    @post(
        "/resource-offers/{offer_id:int}/introductions",
        opt={"permission": STAFF},
        summary="Introduce a prize winner to a current offer (once per winner and offer)",
    )
    async def introduce(
        self, principal: CurrentPrincipal, offer_id: FromPath[int], data: JSONBody[IntroductionCreate]
    ) -> IntroductionRead:
        return await introductions.introduce(principal, offer_id, data)

    @get("/resource-introductions", opt={"permission": STAFF}, summary="Introductions in scope and their follow-up")
    async def list_introductions(
        self,
        principal: CurrentPrincipal,
        paging: Paging,
        request: Request[Any, Any, Any],
        status: FromQuery[IntroductionStatus | None] = None,
        offer_id: OptionalQueryId = None,
        prize_id: OptionalQueryId = None,
    ) -> Response[list[IntroductionRead]]:
        found = await introductions.list_introductions(
            principal, paging, status=status, offer_id=offer_id, prize_id=prize_id
        )
        return page_response(found, request)

    @get(
        "/my/resource-introductions",
        opt={"permission": APPLICANTS},
        summary="My organisations' resource introductions as winners (offer, partner, status, notes)",
    )
    async def my_introductions(
        self,
        principal: CurrentPrincipal,
        paging: Paging,
        request: Request[Any, Any, Any],
        status: FromQuery[IntroductionStatus | None] = None,
    ) -> Response[list[WinnerIntroductionRead]]:
        return page_response(await winners.my_introductions(principal, paging, status), request)

    @post(
        "/resource-introductions/{introduction_id:int}/contact",
        opt={"permission": STAFF},
        status_code=200,
        summary="Record that the partner and the winner are in contact",
    )
    async def contact(
        self, principal: CurrentPrincipal, introduction_id: FromPath[int], data: JSONBody[FollowUp]
    ) -> IntroductionRead:
        return await introductions.follow_up(principal, introduction_id, "contact", data.note)

    @post(
        "/resource-introductions/{introduction_id:int}/agree",
        opt={"permission": STAFF},
        status_code=200,
        summary="Record that they agreed to work together",
    )
    async def agree(
        self, principal: CurrentPrincipal, introduction_id: FromPath[int], data: JSONBody[FollowUp]
    ) -> IntroductionRead:
        return await introductions.follow_up(principal, introduction_id, "agree", data.note)

    @post(
        "/resource-introductions/{introduction_id:int}/decline",
        opt={"permission": STAFF},
        status_code=200,
        summary="Record that nothing came of it (note required)",
    )
    async def decline(
        self, principal: CurrentPrincipal, introduction_id: FromPath[int], data: JSONBody[FollowUp]
    ) -> IntroductionRead:
        return await introductions.follow_up(principal, introduction_id, "decline", data.note)

    @post(
        "/resource-introductions/{introduction_id:int}/complete",
        opt={"permission": STAFF},
        status_code=200,
        summary="Record that the agreed support was delivered",
    )
    async def complete(
        self, principal: CurrentPrincipal, introduction_id: FromPath[int], data: JSONBody[FollowUp]
    ) -> IntroductionRead:
        return await introductions.follow_up(principal, introduction_id, "complete", data.note)
