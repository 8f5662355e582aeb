"""Routes for prizes: officers in the edition's scope set its tiers, preview and confirm its prizes from the final
round's ranking; a winner's organisation and staff download the 获奖证书; anyone checks its verification code."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, get, post, put
from litestar.di import Provide
from litestar.params import FromPath, JSONBody

from app.auth.principal import APPLICANTS_AND_STAFF, PUBLIC, STAFF, CurrentPrincipal, provide_principal
from app.paging import Paging, page_response
from programmes.content_types import content_disposition
from programmes.prizes import assignment, certificates, reading, tiers
from programmes.prizes.schemas import (
    AwardCertificateCheck,
    PrizeConfirmationRead,
    PrizePreview,
    PrizeRead,
    PrizeRequest,
    TierRead,
    TierSet,
)

PDF = "application/pdf"


class PrizeController(Controller):
    tags = ["prizes"]
    dependencies = {"principal": Provide(provide_principal)}

    @put(
        "/editions/{edition_id:int}/prize-tiers",
        opt={"permission": STAFF},
        summary="Set the edition's prize tiers (names, positions, places and amounts per track; within budget)",
    )
    async def set_tiers(
        self, principal: CurrentPrincipal, edition_id: FromPath[int], data: JSONBody[TierSet]
    ) -> list[TierRead]:
        return await tiers.set_tiers(principal, edition_id, data)

    @get("/editions/{edition_id:int}/prize-tiers", opt={"permission": STAFF}, summary="The edition's prize tiers")
    async def list_tiers(
        self, principal: CurrentPrincipal, edition_id: FromPath[int], paging: Paging, request: Request[Any, Any, Any]
    ) -> Response[list[TierRead]]:
        return page_response(await tiers.list_tiers(principal, edition_id, paging), request)

    @post(
        "/editions/{edition_id:int}/prizes/preview",
        opt={"permission": STAFF},
        status_code=200,
        summary="Preview the prizes from the final ranking: tiers filled per track, ties at a boundary (no change)",
    )
    async def preview(
        self, principal: CurrentPrincipal, edition_id: FromPath[int], data: JSONBody[PrizeRequest]
    ) -> PrizePreview:
        return await assignment.preview(principal, edition_id, data)

    @post(
        "/editions/{edition_id:int}/prizes/confirm",
        opt={"permission": STAFF},
        status_code=200,
        summary="Confirm the prizes (after the final's 公示 is final): prizes, awards, certificates; repeatable",
    )
    async def confirm(
        self, principal: CurrentPrincipal, edition_id: FromPath[int], data: JSONBody[PrizeRequest]
    ) -> PrizeConfirmationRead:
        return await assignment.confirm(principal, edition_id, data)

    @get(
        "/editions/{edition_id:int}/prize-confirmation",
        opt={"permission": STAFF},
        summary="The edition's confirmed prizes",
    )
    async def confirmation(self, principal: CurrentPrincipal, edition_id: FromPath[int]) -> PrizeConfirmationRead:
        return await reading.confirmation_for(principal, edition_id)

    @get("/editions/{edition_id:int}/prizes", opt={"permission": STAFF}, summary="The edition's prizes, best first")
    async def list_prizes(
        self, principal: CurrentPrincipal, edition_id: FromPath[int], paging: Paging, request: Request[Any, Any, Any]
    ) -> Response[list[PrizeRead]]:
        return page_response(await reading.list_prizes(principal, edition_id, paging), request)

    @get(
        "/prizes/{prize_id:int}",
        opt={"permission": APPLICANTS_AND_STAFF},
        summary="A prize (its organisation's members, or staff in scope)",
    )
    async def read_prize(self, principal: CurrentPrincipal, prize_id: FromPath[int]) -> PrizeRead:
        return await reading.prize_for(principal, prize_id)

    @get(
        "/prizes/{prize_id:int}/certificate.pdf",
        opt={"permission": APPLICANTS_AND_STAFF},
        summary="The prize's award certificate (获奖证书) as PDF",
        media_type=PDF,
    )
    async def certificate_pdf(
        self, principal: CurrentPrincipal, prize_id: FromPath[int], request: Request[Any, Any, Any]
    ) -> Response[bytes]:
        filename, pdf = await certificates.certificate_pdf(principal, prize_id, str(request.base_url))
        return Response(pdf, media_type=PDF, headers={"Content-Disposition": content_disposition(filename)})


class AwardCertificateCheckController(Controller):
    tags = ["prizes"]

    @get(
        "/award-certificates/{code:str}",
        opt={"permission": PUBLIC},
        summary="Check an award certificate's verification code (public: organisation, project, prize, edition)",
    )
    async def verify(self, code: FromPath[str]) -> AwardCertificateCheck:
        return await certificates.verify(code)
