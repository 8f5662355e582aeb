from __future__ import annotations

from litestar import Controller, get, post
from litestar.di import Provide
from litestar.params import FromPath, JSONBody

from app.auth.principal import STAFF, CurrentPrincipal, provide_principal
from programmes.awards import changes, service
from programmes.awards.schemas import (
    AwardCancel,
    AwardCreate,
    AwardRead,
    AwardReduce,
    BudgetLineCreate,
    BudgetLineRead,
    FundSourceCreate,
    FundSourceRead,
)


class AwardController(Controller):
    tags = ["money"]
    dependencies = {"principal": Provide(provide_principal)}

    @post("/fund-sources", opt={"permission": STAFF}, summary="Register a fund source (资金来源)")
    async def create_fund_source(self, principal: CurrentPrincipal, data: JSONBody[FundSourceCreate]) -> FundSourceRead:
        return await service.create_fund_source(principal, data)

    @post("/editions/{edition_id:int}/budget-lines", opt={"permission": STAFF}, summary="Add a budget line")
    async def create_budget_line(
        self, principal: CurrentPrincipal, edition_id: FromPath[int], data: JSONBody[BudgetLineCreate]
    ) -> BudgetLineRead:
        return await service.create_budget_line(principal, edition_id, data)

    @post("/awards", opt={"permission": STAFF}, summary="Award a ranked application (obligates the budget)")
    async def create_award(self, principal: CurrentPrincipal, data: JSONBody[AwardCreate]) -> AwardRead:
        return await service.make_award(principal, data)

    @post(
        "/awards/{award_id:int}/cancel",
        opt={"permission": STAFF},
        summary="Cancel an award (releases unpaid money)",
        status_code=200,
    )
    async def cancel(
        self, principal: CurrentPrincipal, award_id: FromPath[int], data: JSONBody[AwardCancel]
    ) -> AwardRead:
        return await changes.cancel_award(principal, award_id, data.reason)

    @post(
        "/awards/{award_id:int}/reduce",
        opt={"permission": STAFF},
        summary="Lower an award's amount (releases the difference)",
        status_code=200,
    )
    async def reduce(
        self, principal: CurrentPrincipal, award_id: FromPath[int], data: JSONBody[AwardReduce]
    ) -> AwardRead:
        return await changes.reduce_award(principal, award_id, data.amount_fen, data.reason)

    @get("/awards/{award_id:int}", opt={"permission": STAFF}, summary="Read an award with its tranches")
    async def read_award(self, principal: CurrentPrincipal, award_id: FromPath[int]) -> AwardRead:
        return await service.read_award_for(principal, award_id)
