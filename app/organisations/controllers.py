from __future__ import annotations

from litestar import Controller, get, post
from litestar.di import Provide
from litestar.params import FromPath, JSONBody

from app.auth.principal import ANY_USER, APPLICANTS, PUBLIC, CurrentPrincipal, provide_principal
from app.organisations import service
from app.organisations.schemas import OrganisationRead, OrganisationRegistration


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
