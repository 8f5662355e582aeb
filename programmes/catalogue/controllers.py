from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, get, patch, post
from litestar.di import Provide
from litestar.params import FromPath, JSONBody

from app.auth.principal import PUBLIC, STAFF, CurrentPrincipal, provide_principal
from app.paging import Paging, page_response
from programmes.catalogue import service, settings
from programmes.catalogue.schemas import (
    EditionCreate,
    EditionRead,
    FormVersionCreate,
    ProgrammeCreate,
    ProgrammeRead,
    RankingRow,
    RoundCreate,
    RoundRead,
)
from programmes.catalogue.settings_schemas import ProgrammeUpdate, RoundSettingsUpdate


class CatalogueController(Controller):
    tags = ["programmes"]
    dependencies = {"principal": Provide(provide_principal)}

    @post("/programmes", opt={"permission": STAFF}, summary="Create a programme (创建项目)")
    async def create_programme(self, principal: CurrentPrincipal, data: JSONBody[ProgrammeCreate]) -> ProgrammeRead:
        return await service.create_programme(principal, data)

    @get("/programmes", opt={"permission": STAFF}, summary="Programmes in my scope")
    async def list_programmes(
        self, principal: CurrentPrincipal, paging: Paging, request: Request[Any, Any, Any]
    ) -> Response[list[ProgrammeRead]]:
        return page_response(await service.list_programmes(principal, paging), request)

    @patch(
        "/programmes/{programme_id:int}",
        opt={"permission": STAFF},
        summary="Change a programme's name, description, conflict rules, or kind before it has editions (修改项目)",
    )
    async def update_programme(
        self, principal: CurrentPrincipal, programme_id: FromPath[int], data: JSONBody[ProgrammeUpdate]
    ) -> ProgrammeRead:
        return await settings.update_programme(principal, programme_id, data)

    @post("/programmes/{programme_id:int}/editions", opt={"permission": STAFF}, summary="Create an edition (届次)")
    async def create_edition(
        self, principal: CurrentPrincipal, programme_id: FromPath[int], data: JSONBody[EditionCreate]
    ) -> EditionRead:
        return await service.create_edition(principal, programme_id, data)

    @post(
        "/editions/{edition_id:int}/rounds",
        opt={"permission": STAFF},
        summary="Create a round with its form and rubric (创建轮次)",
    )
    async def create_round(
        self, principal: CurrentPrincipal, edition_id: FromPath[int], data: JSONBody[RoundCreate]
    ) -> RoundRead:
        return await service.create_round(principal, edition_id, data)

    @patch(
        "/rounds/{round_id:int}",
        opt={"permission": STAFF},
        summary="Change a round's settings; blind and rubric are locked once review has started (修改轮次设置)",
    )
    async def update_round(
        self, principal: CurrentPrincipal, round_id: FromPath[int], data: JSONBody[RoundSettingsUpdate]
    ) -> RoundRead:
        return await settings.update_round_settings(principal, round_id, data)

    @post("/rounds/{round_id:int}/open", opt={"permission": STAFF}, summary="Open a round", status_code=200)
    async def open_round(self, principal: CurrentPrincipal, round_id: FromPath[int]) -> RoundRead:
        return await service.open_round(principal, round_id)

    @post(
        "/rounds/{round_id:int}/close",
        opt={"permission": STAFF},
        summary="Close a round after its deadline and rank it by weighted mean",
        status_code=200,
    )
    async def close_round(self, principal: CurrentPrincipal, round_id: FromPath[int]) -> list[RankingRow]:
        return await service.close_round(principal, round_id)

    @post(
        "/rounds/{round_id:int}/form-versions",
        opt={"permission": STAFF},
        summary="Give a round a new form version (versions in use are never edited)",
    )
    async def new_form_version(
        self, principal: CurrentPrincipal, round_id: FromPath[int], data: JSONBody[FormVersionCreate]
    ) -> RoundRead:
        return await service.new_form_version(principal, round_id, data)

    @get("/calls/{round_id:int}", opt={"permission": PUBLIC}, summary="One open call with its form and tracks")
    async def open_call(self, round_id: FromPath[int]) -> RoundRead:
        return await service.open_call(round_id)

    @get("/calls", opt={"permission": PUBLIC}, summary="Open calls for applications (公开征集)")
    async def open_calls(self, paging: Paging, request: Request[Any, Any, Any]) -> Response[list[RoundRead]]:
        return page_response(await service.open_rounds(paging), request)
