from __future__ import annotations

from litestar import Controller, delete, get, patch, post
from litestar.di import Provide
from litestar.params import FromPath, JSONBody, Parameter

from app.auth.principal import ANY_USER, APPLICANTS, PUBLIC, STAFF, CurrentPrincipal, provide_principal
from app.organisations import registry, service
from app.organisations.schemas import (
    MemberAdd,
    MemberRead,
    OrganisationCorrection,
    OrganisationRead,
    OrganisationRegistration,
)


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
        return OrganisationRead(**await service.register(data))

    @get("/mine", opt={"permission": APPLICANTS}, summary="My organisations")
    async def mine(self, principal: CurrentPrincipal) -> list[OrganisationRead]:
        ids = await service.member_organisation_ids(principal.user_id)
        return [OrganisationRead(**await service.read(i)) for i in ids]

    @get("/{organisation_id:int}", opt={"permission": ANY_USER}, summary="Read one organisation")
    async def read(self, principal: CurrentPrincipal, organisation_id: FromPath[int]) -> OrganisationRead:
        return OrganisationRead(**await service.read_for(principal, organisation_id))

    @patch(
        "/{organisation_id:int}",
        opt={"permission": STAFF},
        summary="Correct an organisation's registry facts, with the source as reason (更正登记信息)",
    )
    async def correct(
        self, principal: CurrentPrincipal, organisation_id: FromPath[int], data: JSONBody[OrganisationCorrection]
    ) -> OrganisationRead:
        return OrganisationRead(**await registry.correct_facts(principal, organisation_id, data))

    @get("/{organisation_id:int}/members", opt={"permission": STAFF}, summary="Who acts for an organisation")
    async def members(self, principal: CurrentPrincipal, organisation_id: FromPath[int]) -> list[MemberRead]:
        return [MemberRead(**m) for m in await registry.list_members(principal, organisation_id)]

    @post(
        "/{organisation_id:int}/members",
        opt={"permission": STAFF},
        summary="Let an applicant account act for an organisation (添加机构成员)",
    )
    async def add_member(
        self, principal: CurrentPrincipal, organisation_id: FromPath[int], data: JSONBody[MemberAdd]
    ) -> list[MemberRead]:
        return [MemberRead(**m) for m in await registry.add_member(principal, organisation_id, data)]

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
