from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, get
from litestar.di import Provide
from litestar.params import FromPath

from app.auth.principal import STAFF, CurrentPrincipal, provide_principal
from app.paging import Paging, page_response
from programmes.catalogue.schemas import RankingRow
from scoring.rankings import service
from scoring.rankings.schemas import ReliabilityRead


class RankingController(Controller):
    tags = ["review"]
    dependencies = {"principal": Provide(provide_principal)}

    @get("/rounds/{round_id:int}/ranking", opt={"permission": STAFF}, summary="A closed round's ranking")
    async def ranking(
        self, principal: CurrentPrincipal, round_id: FromPath[int], paging: Paging, request: Request[Any, Any, Any]
    ) -> Response[list[RankingRow]]:
        return page_response(await service.round_ranking(principal, round_id, paging), request)

    @get(
        "/rounds/{round_id:int}/reliability",
        opt={"permission": STAFF},
        summary="Inter-rater reliability (ICC) and score distribution of a round's submitted reviews",
    )
    async def reliability(self, principal: CurrentPrincipal, round_id: FromPath[int]) -> ReliabilityRead:
        return await service.reliability(principal, round_id)
