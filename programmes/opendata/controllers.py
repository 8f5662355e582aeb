"""一公开 open data: public, no login, rate-limited per address; each dataset as a JSON array and as CSV, paged and
cached (programmes.opendata.publishing). Schema: docs/open-data.md."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, get

from app.auth.principal import PUBLIC
from app.paging import Paging
from programmes.opendata import service
from programmes.opendata.publishing import CSV_MEDIA_TYPE, respond
from programmes.opendata.schemas import OpenAward, OpenCall, OpenCase, OpenDisbursement, OpenInspection

OPEN = {"permission": PUBLIC, "rate_limit": "open_data"}


class OpenDataController(Controller):
    path = "/open-data"
    tags = ["open-data"]

    @get("/calls", opt=OPEN, summary="一公开：征集与评审轮次（JSON）")
    async def calls(self, paging: Paging, request: Request[Any, Any, Any]) -> Response[list[OpenCall]]:
        return respond(request, await service.calls(paging), OpenCall)

    @get("/calls.csv", media_type=CSV_MEDIA_TYPE, opt=OPEN, summary="一公开：征集与评审轮次（CSV）")
    async def calls_csv(self, paging: Paging, request: Request[Any, Any, Any]) -> Response[bytes]:
        return respond(request, await service.calls(paging), OpenCall, as_csv=True)

    @get("/awards", opt=OPEN, summary="一公开：资助与奖励（JSON）")
    async def awards(self, paging: Paging, request: Request[Any, Any, Any]) -> Response[list[OpenAward]]:
        return respond(request, await service.awards(paging), OpenAward)

    @get("/awards.csv", media_type=CSV_MEDIA_TYPE, opt=OPEN, summary="一公开：资助与奖励（CSV）")
    async def awards_csv(self, paging: Paging, request: Request[Any, Any, Any]) -> Response[bytes]:
        return respond(request, await service.awards(paging), OpenAward, as_csv=True)

    @get("/disbursements", opt=OPEN, summary="一公开：各项资助的拨付合计（JSON）")
    async def disbursements(self, paging: Paging, request: Request[Any, Any, Any]) -> Response[list[OpenDisbursement]]:
        return respond(request, await service.disbursements(paging), OpenDisbursement)

    @get("/disbursements.csv", media_type=CSV_MEDIA_TYPE, opt=OPEN, summary="一公开：各项资助的拨付合计（CSV）")
    async def disbursements_csv(self, paging: Paging, request: Request[Any, Any, Any]) -> Response[bytes]:
        return respond(request, await service.disbursements(paging), OpenDisbursement, as_csv=True)

    @get("/inspections", opt=OPEN, summary="一公开：双随机抽查与检查结果（JSON）")
    async def inspections(self, paging: Paging, request: Request[Any, Any, Any]) -> Response[list[OpenInspection]]:
        return respond(request, await service.inspections(paging), OpenInspection)

    @get("/inspections.csv", media_type=CSV_MEDIA_TYPE, opt=OPEN, summary="一公开：双随机抽查与检查结果（CSV）")
    async def inspections_csv(self, paging: Paging, request: Request[Any, Any, Any]) -> Response[bytes]:
        return respond(request, await service.inspections(paging), OpenInspection, as_csv=True)

    @get("/cases", opt=OPEN, summary="一公开：聚力计划公开案例（JSON）")
    async def cases(self, paging: Paging, request: Request[Any, Any, Any]) -> Response[list[OpenCase]]:
        return respond(request, await service.cases(paging), OpenCase)

    @get("/cases.csv", media_type=CSV_MEDIA_TYPE, opt=OPEN, summary="一公开：聚力计划公开案例（CSV）")
    async def cases_csv(self, paging: Paging, request: Request[Any, Any, Any]) -> Response[bytes]:
        return respond(request, await service.cases(paging), OpenCase, as_csv=True)
