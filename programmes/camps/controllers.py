"""Routes for camps: officers in scope prepare camps, sessions and materials and move a camp along its workflow;
organisations check their eligibility, register named participants, wait in line and cancel."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, Response, get, post
from litestar.di import Provide
from litestar.params import FromPath, FromQuery, JSONBody, Parameter
from litestar.response import Stream

from app.auth.principal import ANY_USER, APPLICANTS, APPLICANTS_AND_STAFF, STAFF, CurrentPrincipal, provide_principal
from app.input_limits import FileUploadBody
from app.paging import Paging, page_response
from programmes.camps import camps, materials, registrations
from programmes.camps.kinds import CampKind
from programmes.camps.schemas import (
    CampCreate,
    CampRead,
    CampReason,
    CancelBody,
    EligibilityRead,
    MaterialRead,
    RegistrationCreate,
    RegistrationRead,
    SessionCreate,
    SessionRead,
)
from programmes.content_types import content_disposition
from programmes.storage import DEFAULT_MAX_FILE_BYTES
from programmes.workflows.camps import CampStatus, RegistrationStatus

OrganisationId = Annotated[int, Parameter(ge=1, le=2**31 - 1, description="报名单位")]
SessionId = Annotated[int | None, Parameter(ge=1, le=2**31 - 1, description="所属场次（可不填）")]


class CampController(Controller):
    path = "/camps"
    tags = ["camps"]
    dependencies = {"principal": Provide(provide_principal)}

    @post("/", opt={"permission": STAFF}, summary="Create a camp (draft), in the caller's scope")
    async def create(self, principal: CurrentPrincipal, data: JSONBody[CampCreate]) -> CampRead:
        return await camps.create(principal, data)

    @get("/", opt={"permission": ANY_USER}, summary="Camps: staff every camp in scope, others announced camps")
    async def list_camps(
        self,
        principal: CurrentPrincipal,
        paging: Paging,
        request: Request[Any, Any, Any],
        status: FromQuery[CampStatus | None] = None,
        kind: FromQuery[CampKind | None] = None,
    ) -> Response[list[CampRead]]:
        return page_response(await camps.list_camps(principal, paging, status=status, kind=kind), request)

    @get("/{camp_id:int}", opt={"permission": ANY_USER}, summary="A camp with its seats taken and wait list length")
    async def read(self, principal: CurrentPrincipal, camp_id: FromPath[int]) -> CampRead:
        return await camps.read_for(principal, camp_id)

    @post("/{camp_id:int}/open", opt={"permission": STAFF}, status_code=200, summary="Open for registration")
    async def open_camp(self, principal: CurrentPrincipal, camp_id: FromPath[int]) -> CampRead:
        return await camps.step(principal, camp_id, "open")

    @post("/{camp_id:int}/close", opt={"permission": STAFF}, status_code=200, summary="Close registration")
    async def close(self, principal: CurrentPrincipal, camp_id: FromPath[int]) -> CampRead:
        return await camps.step(principal, camp_id, "close")

    @post("/{camp_id:int}/cancel", opt={"permission": STAFF}, status_code=200, summary="Cancel the camp (reason)")
    async def cancel(self, principal: CurrentPrincipal, camp_id: FromPath[int], data: JSONBody[CampReason]) -> CampRead:
        return await camps.step(principal, camp_id, "cancel", data.reason)

    @post("/{camp_id:int}/sessions", opt={"permission": STAFF}, summary="Add a session (date, times, venue, trainer)")
    async def add_session(
        self, principal: CurrentPrincipal, camp_id: FromPath[int], data: JSONBody[SessionCreate]
    ) -> SessionRead:
        return await camps.add_session(principal, camp_id, data)

    @get("/{camp_id:int}/sessions", opt={"permission": ANY_USER}, summary="A camp's sessions in date order")
    async def sessions(
        self, principal: CurrentPrincipal, camp_id: FromPath[int], paging: Paging, request: Request[Any, Any, Any]
    ) -> Response[list[SessionRead]]:
        return page_response(await camps.list_sessions(principal, camp_id, paging), request)

    @post(
        "/{camp_id:int}/materials",
        opt={"permission": STAFF},
        summary="Upload a material (pdf, docx, xlsx, jpeg, png)",
        request_max_body_size=DEFAULT_MAX_FILE_BYTES + 64 * 1024,
    )
    async def upload(
        self, principal: CurrentPrincipal, camp_id: FromPath[int], data: FileUploadBody, session_id: SessionId = None
    ) -> MaterialRead:
        upload = data.file
        return await materials.upload(principal, camp_id, upload.filename or "", upload, session_id)

    @get("/{camp_id:int}/materials", opt={"permission": ANY_USER}, summary="A camp's materials")
    async def list_materials(
        self, principal: CurrentPrincipal, camp_id: FromPath[int], paging: Paging, request: Request[Any, Any, Any]
    ) -> Response[list[MaterialRead]]:
        return page_response(await materials.list_for(principal, camp_id, paging), request)

    @get("/materials/{material_id:int}", opt={"permission": ANY_USER}, summary="Download a material")
    async def download(self, principal: CurrentPrincipal, material_id: FromPath[int]) -> Stream:
        meta, chunks = await materials.download(principal, material_id)
        return Stream(
            chunks,
            media_type=meta.content_type,
            headers={
                "Content-Disposition": content_disposition(meta.filename),
                "Content-Length": str(meta.size_bytes),
                "X-Content-Type-Options": "nosniff",
            },
        )

    @get(
        "/{camp_id:int}/eligibility",
        opt={"permission": APPLICANTS},
        summary="May this organisation register? (the audience rule's reason when not)",
    )
    async def eligibility(
        self, principal: CurrentPrincipal, camp_id: FromPath[int], organisation_id: OrganisationId
    ) -> EligibilityRead:
        return await registrations.eligibility(principal, camp_id, organisation_id)

    @post(
        "/{camp_id:int}/registrations",
        opt={"permission": APPLICANTS},
        summary="Register named participants: a seat while any is free, else a place on the wait list",
    )
    async def register(
        self, principal: CurrentPrincipal, camp_id: FromPath[int], data: JSONBody[RegistrationCreate]
    ) -> RegistrationRead:
        return await registrations.register(principal, camp_id, data)

    @get("/{camp_id:int}/registrations", opt={"permission": STAFF}, summary="A camp's registrations (staff in scope)")
    async def registrations_of(
        self,
        principal: CurrentPrincipal,
        camp_id: FromPath[int],
        paging: Paging,
        request: Request[Any, Any, Any],
        status: FromQuery[RegistrationStatus | None] = None,
    ) -> Response[list[RegistrationRead]]:
        return page_response(await registrations.list_for_camp(principal, camp_id, paging, status), request)

    @get("/my/registrations", opt={"permission": APPLICANTS}, summary="The caller's organisations' registrations")
    async def mine(
        self, principal: CurrentPrincipal, paging: Paging, request: Request[Any, Any, Any]
    ) -> Response[list[RegistrationRead]]:
        return page_response(await registrations.mine(principal, paging), request)

    @get("/registrations/{registration_id:int}", opt={"permission": APPLICANTS_AND_STAFF}, summary="A registration")
    async def registration(self, principal: CurrentPrincipal, registration_id: FromPath[int]) -> RegistrationRead:
        return await registrations.read_for(principal, registration_id)

    @post(
        "/registrations/{registration_id:int}/cancel",
        opt={"permission": APPLICANTS_AND_STAFF},
        status_code=200,
        summary="Cancel a registration; a freed seat goes to the first on the wait list (notified)",
    )
    async def cancel_registration(
        self, principal: CurrentPrincipal, registration_id: FromPath[int], data: JSONBody[CancelBody]
    ) -> RegistrationRead:
        return await registrations.cancel(principal, registration_id, data.reason)
