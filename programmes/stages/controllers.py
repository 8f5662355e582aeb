from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.di import Provide
from litestar.params import FromPath, JSONBody

from app.auth.principal import ANY_USER, APPLICANTS, STAFF, CurrentPrincipal, provide_principal
from app.paging import Paging, page_response
from programmes.applications.schemas import ApplicationRead
from programmes.stages import service, versions
from programmes.stages.schemas import StageAnswersUpdate, StageRead, SubmissionVersionRead


class StageController(Controller):
    tags = ["stages"]
    dependencies = {"principal": Provide(provide_principal)}

    @get(
        "/editions/{edition_id:int}/stages",
        opt={"permission": STAFF},
        summary="An edition's stages in order, with entries, carried-in, advanced and not advanced counts (赛程阶段)",
    )
    async def list_stages(
        self, principal: CurrentPrincipal, edition_id: FromPath[int], paging: Paging, request: Request[Any, Any, Any]
    ) -> Response[list[StageRead]]:
        return page_response(await service.list_stages(principal, edition_id, paging), request)

    @post(
        "/applications/{application_id:int}/stage-answers",
        opt={"permission": APPLICANTS},
        summary="A carried entry's answers for the fields this stage adds or allows, as a new submission version",
        status_code=200,
    )
    async def update_stage_answers(
        self, principal: CurrentPrincipal, application_id: FromPath[int], data: JSONBody[StageAnswersUpdate]
    ) -> ApplicationRead:
        return await versions.update_stage_answers(principal, application_id, data)

    @get(
        "/applications/{application_id:int}/submission-versions",
        opt={"permission": ANY_USER},
        summary="A carried entry's submission versions, oldest first (1: as carried)",
    )
    async def submission_versions(
        self,
        principal: CurrentPrincipal,
        application_id: FromPath[int],
        paging: Paging,
        request: Request[Any, Any, Any],
    ) -> Response[list[SubmissionVersionRead]]:
        return page_response(await versions.versions(principal, application_id, paging), request)
