"""一公开 results: the entries of every 公示 whose result took effect (finalised), newest notice first, as open data
(programmes.opendata.publishing renders, pages and caches them; docs/open-data.md)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from litestar import Controller, Request, Response, get
from pydantic import BaseModel, Field

from app.auth.principal import PUBLIC
from app.paging import Page, PageParams, Paging
from programmes.opendata.publishing import CSV_MEDIA_TYPE, respond
from programmes.workflows.publication import PublicationStatus
from scoring.publication.service import FINAL_ACTION
from scoring.tables import Publication

OUTCOMES_ZH = {"advanced": "晋级", "selected": "入选", "listed": "入围"}


class OpenResult(BaseModel):
    publication_id: int
    programme: str
    edition: str
    round_id: int
    round: str
    application_id: int
    organisation: str
    project: str
    outcome: str = Field(description="advanced（大赛晋级）| selected（沪社星耀入选）| listed（其他：入围）")
    outcome_zh: str
    finalised_at: dt.datetime | None


_ENTRIES = (
    " FROM publication pub JOIN round r ON r.id = pub.round JOIN edition e ON e.id = r.edition"
    " JOIN programme p ON p.id = e.programme"
    " CROSS JOIN LATERAL jsonb_array_elements(CASE WHEN jsonb_typeof(pub.entries) = 'array'"
    " THEN pub.entries ELSE '[]'::jsonb END) WITH ORDINALITY x(item, n)"
    " WHERE pub.status = {}"
)


async def finalised_results(paging: PageParams) -> Page[OpenResult]:
    """Finalised notices only: a running one may still be corrected after an objection."""
    rows = await Publication.raw(
        "SELECT pub.id, pub.finalised_at, r.id AS round_id, r.name AS round, e.title AS edition, p.name AS programme,"
        " p.kind, (x.item->>'application_id')::bigint AS application_id, x.item->>'title' AS project,"
        " x.item->>'organisation' AS organisation" + _ENTRIES + " ORDER BY pub.id DESC, x.n LIMIT {} OFFSET {}",
        PublicationStatus.final.value,
        paging.limit,
        paging.offset,
    )
    total = (await Publication.raw("SELECT count(*) AS n" + _ENTRIES, PublicationStatus.final.value))[0]["n"]
    items = []
    for r in rows:
        outcome = {"advance": "advanced", "select": "selected"}.get(FINAL_ACTION.get(r["kind"], ""), "listed")
        items.append(
            OpenResult(
                publication_id=r["id"],
                programme=r["programme"],
                edition=r["edition"],
                round_id=r["round_id"],
                round=r["round"],
                application_id=r["application_id"],
                organisation=r["organisation"],
                project=r["project"],
                outcome=outcome,
                outcome_zh=OUTCOMES_ZH[outcome],
                finalised_at=r["finalised_at"],
            )
        )
    return Page(items, int(total), paging)


OPEN = {"permission": PUBLIC, "rate_limit": "open_data"}


class OpenResultsController(Controller):
    path = "/open-data"
    tags = ["open-data"]

    @get("/results", opt=OPEN, summary="一公开：公示生效的评审结果（JSON）")
    async def results(self, paging: Paging, request: Request[Any, Any, Any]) -> Response[list[OpenResult]]:
        return respond(request, await finalised_results(paging), OpenResult)

    @get("/results.csv", media_type=CSV_MEDIA_TYPE, opt=OPEN, summary="一公开：公示生效的评审结果（CSV）")
    async def results_csv(self, paging: Paging, request: Request[Any, Any, Any]) -> Response[bytes]:
        return respond(request, await finalised_results(paging), OpenResult, as_csv=True)
