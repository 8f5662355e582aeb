from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, delete, get, patch, post
from litestar.di import Provide
from litestar.params import FromPath, JSONBody, Parameter

from app.auth.principal import ANY_USER, APPLICANTS, PUBLIC, STAFF, CurrentPrincipal, provide_principal
from app.input_limits import FileUploadBody
from app.organisations import claims, registry, service
from app.organisations.registry_import import import_upload
from app.organisations.schemas import (
    ClaimDecision,
    ClaimRead,
    MemberAdd,
    MemberRead,
    OrganisationClaimCreate,
    OrganisationCorrection,
    OrganisationRead,
    OrganisationRegistration,
    RegistryImportRead,
)
from app.organisations.workflow import ClaimStatusName
from app.paging import Paging, page_response


class OrganisationController(Controller):
    path = "/organisations"
    tags = ["organisations"]
    dependencies = {"principal": Provide(provide_principal)}

    @post(
        "/register",
        opt={"permission": PUBLIC, "rate_limit": "register"},
        summary="Register an organisation and its first applicant account (社会组织注册)",
    )
    async def register(self, data: JSONBody[OrganisationRegistration]) -> OrganisationRead:
        return await service.register(data)

    @post(
        "/claims",
        opt={"permission": PUBLIC, "rate_limit": "register"},
        summary="Claim an already registered credit code with evidence (认领); an officer decides",
    )
    async def claim(self, data: JSONBody[OrganisationClaimCreate]) -> ClaimRead:
        return await claims.submit(data)

    @get("/claims", opt={"permission": STAFF}, summary="Claims on organisations in my scope (认领申请)")
    async def list_claims(
        self,
        principal: CurrentPrincipal,
        paging: Paging,
        request: Request[Any, Any, Any],
        status: ClaimStatusName | None = Parameter(default=None),
    ) -> Response[list[ClaimRead]]:
        return page_response(await claims.list_in_scope(principal, status, paging), request)

    @post(
        "/claims/{claim_id:int}/approve",
        opt={"permission": STAFF},
        status_code=200,
        summary="Approve a claim: the organisation's members are replaced by the claimant (核准认领)",
    )
    async def approve_claim(
        self, principal: CurrentPrincipal, claim_id: FromPath[int], data: JSONBody[ClaimDecision]
    ) -> ClaimRead:
        return await claims.decide(principal, claim_id, True, data)

    @post(
        "/claims/{claim_id:int}/reject",
        opt={"permission": STAFF},
        status_code=200,
        summary="Reject a claim (驳回认领)",
    )
    async def reject_claim(
        self, principal: CurrentPrincipal, claim_id: FromPath[int], data: JSONBody[ClaimDecision]
    ) -> ClaimRead:
        return await claims.decide(principal, claim_id, False, data)

    @get("/mine", opt={"permission": APPLICANTS}, summary="My organisations")
    async def mine(
        self, principal: CurrentPrincipal, paging: Paging, request: Request[Any, Any, Any]
    ) -> Response[list[OrganisationRead]]:
        return page_response(await service.mine(principal, paging), request)

    @get("/{organisation_id:int}", opt={"permission": ANY_USER}, summary="Read one organisation")
    async def read(self, principal: CurrentPrincipal, organisation_id: FromPath[int]) -> OrganisationRead:
        return await service.read_for(principal, organisation_id)

    @patch(
        "/{organisation_id:int}",
        opt={"permission": STAFF},
        summary="Correct an organisation's registry facts, with the source as reason (更正登记信息)",
    )
    async def correct(
        self, principal: CurrentPrincipal, organisation_id: FromPath[int], data: JSONBody[OrganisationCorrection]
    ) -> OrganisationRead:
        return await registry.correct_facts(principal, organisation_id, data)

    @post(
        "/registry-import",
        opt={"permission": STAFF},
        status_code=200,
        summary="Import the 社会组织 registry (登记名录导入): xlsx or CSV; sets verified facts, reports unmatched rows",
        request_max_body_size=20 * 1024 * 1024,  # a whole city's registry extract; the parser caps the rows
    )
    async def import_registry(self, principal: CurrentPrincipal, data: FileUploadBody) -> RegistryImportRead:
        return await import_upload(principal, await data.file.read(), data.file.filename or "upload")

    @get("/{organisation_id:int}/members", opt={"permission": STAFF}, summary="Who acts for an organisation")
    async def members(
        self,
        principal: CurrentPrincipal,
        organisation_id: FromPath[int],
        paging: Paging,
        request: Request[Any, Any, Any],
    ) -> Response[list[MemberRead]]:
        return page_response(await registry.list_members(principal, organisation_id, paging), request)

    @post(
        "/{organisation_id:int}/members",
        opt={"permission": STAFF},
        summary="Let an applicant account act for an organisation (添加机构成员)",
    )
    async def add_member(
        self, principal: CurrentPrincipal, organisation_id: FromPath[int], data: JSONBody[MemberAdd]
    ) -> list[MemberRead]:
        return await registry.add_member(principal, organisation_id, data)

    @delete(
        "/{organisation_id:int}/members/{user_id:int}",
        opt={"permission": STAFF},
        summary="Take an account's rights for an organisation away (移除机构成员); never the last member",
    )
    async def remove_member(
        self,
        principal: CurrentPrincipal,
        organisation_id: FromPath[int],
        user_id: FromPath[int],
        reason: str = Parameter(default="", max_length=1000, description="记入审计日志"),
    ) -> None:
        await registry.remove_member(principal, organisation_id, user_id, reason)
