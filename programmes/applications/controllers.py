from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, get, patch, post
from litestar.di import Provide
from litestar.params import FromPath, JSONBody

from app.auth.principal import ANY_USER, APPLICANTS, STAFF, CurrentPrincipal, provide_principal
from app.paging import Paging, page_response
from programmes.applications import officer_actions, screening, service, timeline
from programmes.applications.schemas import (
    ActionResult,
    ApplicationCreate,
    ApplicationRead,
    ApplicationUpdate,
    ApplicationWithdraw,
    EligibilityOverride,
    OfficerAction,
    ScreeningRead,
    ScreenRequest,
    TimelineEntry,
)


class ApplicationController(Controller):
    tags = ["applications"]
    dependencies = {"principal": Provide(provide_principal)}

    @post("/applications", opt={"permission": APPLICANTS}, summary="Start a draft application (创建申报草稿)")
    async def create(self, principal: CurrentPrincipal, data: JSONBody[ApplicationCreate]) -> ApplicationRead:
        return await service.create_draft(principal, data)

    @patch("/applications/{application_id:int}", opt={"permission": APPLICANTS}, summary="Autosave a draft")
    async def update(
        self, principal: CurrentPrincipal, application_id: FromPath[int], data: JSONBody[ApplicationUpdate]
    ) -> ApplicationRead:
        return await service.update_draft(principal, application_id, data)

    @post(
        "/applications/{application_id:int}/submit",
        opt={"permission": APPLICANTS},
        summary="Submit (validates the whole form; deadline enforced)",
        status_code=200,
    )
    async def submit(self, principal: CurrentPrincipal, application_id: FromPath[int]) -> ApplicationRead:
        return await service.submit(principal, application_id)

    @post(
        "/applications/{application_id:int}/withdraw",
        opt={"permission": APPLICANTS},
        summary="Withdraw a draft or submitted application, with a reason (撤回申报)",
        status_code=200,
    )
    async def withdraw(
        self, principal: CurrentPrincipal, application_id: FromPath[int], data: JSONBody[ApplicationWithdraw]
    ) -> ApplicationRead:
        return await service.withdraw(principal, application_id, data.reason)

    @get("/applications/mine", opt={"permission": APPLICANTS}, summary="My organisations' applications")
    async def mine(
        self, principal: CurrentPrincipal, paging: Paging, request: Request[Any, Any, Any]
    ) -> Response[list[ApplicationRead]]:
        return page_response(await service.list_mine(principal, paging), request)

    @get("/applications/{application_id:int}", opt={"permission": ANY_USER}, summary="Read an application")
    async def read(self, principal: CurrentPrincipal, application_id: FromPath[int]) -> ApplicationRead:
        return await service.read_for(principal, application_id)

    @get("/rounds/{round_id:int}/applications", opt={"permission": STAFF}, summary="A round's applications")
    async def for_round(
        self, principal: CurrentPrincipal, round_id: FromPath[int], paging: Paging, request: Request[Any, Any, Any]
    ) -> Response[list[ApplicationRead]]:
        return page_response(await service.list_for_round(principal, round_id, paging), request)

    @get("/applications/{application_id:int}/timeline", opt={"permission": ANY_USER}, summary="Status timeline")
    async def timeline(
        self,
        principal: CurrentPrincipal,
        application_id: FromPath[int],
        paging: Paging,
        request: Request[Any, Any, Any],
    ) -> Response[list[TimelineEntry]]:
        return page_response(await timeline.timeline(principal, application_id, paging), request)

    @post(
        "/applications/actions",
        opt={"permission": STAFF},
        summary="Officer action on one or many applications (退回修改 / 驳回 / 晋级 / 入选 …)",
        status_code=200,
    )
    async def act(self, principal: CurrentPrincipal, data: JSONBody[OfficerAction]) -> list[ActionResult]:
        return await officer_actions.act_in_bulk(principal, data.application_ids, data.action, data.reason)

    @post("/applications/screen", opt={"permission": STAFF}, summary="Re-run eligibility screening", status_code=200)
    async def screen(self, principal: CurrentPrincipal, data: JSONBody[ScreenRequest]) -> list[ScreeningRead]:
        return await screening.rescreen(principal, data.application_ids)

    @post(
        "/applications/{application_id:int}/eligibility-override",
        opt={"permission": STAFF},
        summary="Declare an ineligible application eligible, with a written reason (audited)",
        status_code=200,
    )
    async def override(
        self, principal: CurrentPrincipal, application_id: FromPath[int], data: JSONBody[EligibilityOverride]
    ) -> ApplicationRead:
        return await screening.override(principal, application_id, data.reason)
