from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.di import Provide
from litestar.params import FromPath, JSONBody

from app.auth.principal import APPLICANTS, APPLICANTS_AND_STAFF, STAFF, CurrentPrincipal, provide_principal
from app.paging import Paging, page_response
from programmes.agreements import service
from programmes.agreements.schemas import AgreementRead, AgreementReturn, AgreementSign


class AgreementController(Controller):
    path = "/agreements"
    tags = ["money"]
    dependencies = {"principal": Provide(provide_principal)}

    @get("/", opt={"permission": APPLICANTS_AND_STAFF}, summary="Agreements in scope, or of my organisations")
    async def list_agreements(
        self, principal: CurrentPrincipal, paging: Paging, request: Request[Any, Any, Any]
    ) -> Response[list[AgreementRead]]:
        return page_response(await service.list_agreements(principal, paging), request)

    @get("/{agreement_id:int}", opt={"permission": APPLICANTS_AND_STAFF}, summary="An agreement with its payment plan")
    async def read(self, principal: CurrentPrincipal, agreement_id: FromPath[int]) -> AgreementRead:
        return await service.read_agreement_for(principal, agreement_id)

    @post(
        "/{agreement_id:int}/sign",
        opt={"permission": APPLICANTS},
        summary="The payee signs the agreement (a filed group's: its custodian centre)",
        status_code=200,
    )
    async def sign(
        self, principal: CurrentPrincipal, agreement_id: FromPath[int], data: JSONBody[AgreementSign]
    ) -> AgreementRead:
        return await service.sign(principal, agreement_id, data.signer_name)

    @post(
        "/{agreement_id:int}/return",
        opt={"permission": STAFF},
        summary="Return a signed agreement to the organisation for re-signing",
        status_code=200,
    )
    async def return_signature(
        self, principal: CurrentPrincipal, agreement_id: FromPath[int], data: JSONBody[AgreementReturn]
    ) -> AgreementRead:
        return await service.return_signature(principal, agreement_id, data.reason)

    @post(
        "/{agreement_id:int}/countersign",
        opt={"permission": STAFF},
        summary="Countersign: the agreement takes effect and on-signing tranches are released",
        status_code=200,
    )
    async def countersign(self, principal: CurrentPrincipal, agreement_id: FromPath[int]) -> AgreementRead:
        return await service.countersign(principal, agreement_id)
