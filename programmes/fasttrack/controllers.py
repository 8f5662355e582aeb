"""Routes of the fast-track room (直通邀请)."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.di import Provide
from litestar.params import FromPath, JSONBody

from app.auth.principal import APPLICANTS, APPLICANTS_AND_STAFF, STAFF, CurrentPrincipal, provide_principal
from app.paging import Paging, page_response
from programmes.fasttrack import service
from programmes.fasttrack.schemas import InvitationCreate, InvitationRead, InvitationReason, OriginRead


class FastTrackController(Controller):
    path = "/fasttrack"
    tags = ["fasttrack"]
    dependencies = {"principal": Provide(provide_principal)}

    @post(
        "/invitations",
        opt={"permission": STAFF},
        summary="Invite a contest winner into an open 沪社星耀 round (creates the pre-filled draft)",
        description=(
            "Unknown paths and type mismatches: 422 with the field (mapping.<n>.contest_field|support_field);"
            " a second live invitation of the same winner into the round: 409 invitation_exists."
        ),
    )
    async def invite(self, principal: CurrentPrincipal, data: JSONBody[InvitationCreate]) -> InvitationRead:
        return await service.invite(principal, data)

    @get(
        "/invitations",
        opt={"permission": APPLICANTS_AND_STAFF},
        summary="Invitations in scope (an organisation: its own)",
    )
    async def list_all(
        self, principal: CurrentPrincipal, paging: Paging, request: Request[Any, Any, Any]
    ) -> Response[list[InvitationRead]]:
        return page_response(await service.list_for(principal, paging), request)

    @get("/invitations/{invitation_id:int}", opt={"permission": APPLICANTS_AND_STAFF}, summary="An invitation")
    async def read(self, principal: CurrentPrincipal, invitation_id: FromPath[int]) -> InvitationRead:
        return await service.read_for(principal, invitation_id)

    @post(
        "/invitations/{invitation_id:int}/accept",
        opt={"permission": APPLICANTS},
        summary="Accept (then edit and submit the draft)",
    )
    async def accept(self, principal: CurrentPrincipal, invitation_id: FromPath[int]) -> InvitationRead:
        return await service.accept(principal, invitation_id)

    @post(
        "/invitations/{invitation_id:int}/decline",
        opt={"permission": APPLICANTS},
        summary="Decline with a reason (the draft is withdrawn)",
        description='Example: {"reason": "本年度项目已饱和"}',
    )
    async def decline(
        self, principal: CurrentPrincipal, invitation_id: FromPath[int], data: JSONBody[InvitationReason]
    ) -> InvitationRead:
        return await service.decline(principal, invitation_id, data.reason)

    @post(
        "/invitations/{invitation_id:int}/withdraw",
        opt={"permission": STAFF},
        summary="Withdraw an unanswered invitation with a reason (the draft is withdrawn)",
    )
    async def withdraw(
        self, principal: CurrentPrincipal, invitation_id: FromPath[int], data: JSONBody[InvitationReason]
    ) -> InvitationRead:
        return await service.withdraw(principal, invitation_id, data.reason)

    @get(
        "/applications/{application_id:int}/origin",
        opt={"permission": APPLICANTS_AND_STAFF},
        summary="The contest origin of a fast-tracked support-plan application (null when it has none)",
    )
    async def origin(self, principal: CurrentPrincipal, application_id: FromPath[int]) -> OriginRead | None:
        return await service.origin_for(principal, application_id)
