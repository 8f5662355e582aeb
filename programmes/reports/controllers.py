from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, get, post, put
from litestar.di import Provide
from litestar.params import FromPath, FromQuery, JSONBody

from app.auth.principal import APPLICANTS, APPLICANTS_AND_STAFF, STAFF, CurrentPrincipal, provide_principal
from app.paging import Paging, page_response
from app.params import OptionalQueryId
from programmes.reports import service
from programmes.reports.form import set_edition_report_form
from programmes.reports.schemas import (
    ReportDraft,
    ReportFormRead,
    ReportFormWrite,
    ReportRead,
    ReportReturn,
    ReportSummary,
)


class ReportController(Controller):
    path = "/reports"
    tags = ["money"]
    dependencies = {"principal": Provide(provide_principal)}

    @get("/", opt={"permission": STAFF}, summary="Reports in scope (中期/结项报告), by status or award")
    async def list_reports(
        self,
        principal: CurrentPrincipal,
        paging: Paging,
        request: Request[Any, Any, Any],
        status: FromQuery[str | None] = None,
        award_id: OptionalQueryId = None,
    ) -> Response[list[ReportSummary]]:
        return page_response(await service.list_reports(principal, status, award_id, paging), request)

    @get("/mine", opt={"permission": APPLICANTS}, summary="Reports my organisations owe under signed agreements")
    async def mine(
        self, principal: CurrentPrincipal, paging: Paging, request: Request[Any, Any, Any]
    ) -> Response[list[ReportSummary]]:
        return page_response(await service.list_mine(principal, paging), request)

    @get(
        "/{report_id:int}",
        opt={"permission": APPLICANTS_AND_STAFF},
        summary="A report with its form, answers, expense lines and the tranches it releases",
    )
    async def read(self, principal: CurrentPrincipal, report_id: FromPath[int]) -> ReportRead:
        return await service.read_report_for(principal, report_id)

    @put(
        "/{report_id:int}",
        opt={"permission": APPLICANTS},
        summary="Save the report draft (while due or returned); expense lines are replaced",
    )
    async def save(
        self, principal: CurrentPrincipal, report_id: FromPath[int], data: JSONBody[ReportDraft]
    ) -> ReportRead:
        return await service.save_draft(principal, report_id, data)

    @post(
        "/{report_id:int}/submit",
        opt={"permission": APPLICANTS},
        summary="Submit the saved report (agreement must be effective)",
        status_code=200,
    )
    async def submit(self, principal: CurrentPrincipal, report_id: FromPath[int]) -> ReportRead:
        return await service.submit(principal, report_id)

    @post(
        "/{report_id:int}/accept",
        opt={"permission": STAFF},
        summary="Accept a submitted report and release the tranche(s) it unlocks",
        status_code=200,
    )
    async def accept(self, principal: CurrentPrincipal, report_id: FromPath[int]) -> ReportRead:
        return await service.accept(principal, report_id)

    @post(
        "/{report_id:int}/return",
        opt={"permission": STAFF},
        summary="Return a submitted report for revision",
        status_code=200,
    )
    async def return_report(
        self, principal: CurrentPrincipal, report_id: FromPath[int], data: JSONBody[ReportReturn]
    ) -> ReportRead:
        return await service.return_report(principal, report_id, data.reason)


class ReportFormController(Controller):
    path = "/editions"
    tags = ["money"]
    dependencies = {"principal": Provide(provide_principal)}

    @put(
        "/{edition_id:int}/report-form",
        opt={"permission": STAFF},
        summary="Set the edition's report form (JSON Schema 2020-12); an empty object restores the default",
    )
    async def set_report_form(
        self, principal: CurrentPrincipal, edition_id: FromPath[int], data: JSONBody[ReportFormWrite]
    ) -> ReportFormRead:
        return await set_edition_report_form(principal, edition_id, data.json_schema)
