from __future__ import annotations

from litestar import Controller, post
from litestar.di import Provide
from litestar.params import FromPath, JSONBody

from app.auth.principal import STAFF, CurrentPrincipal, provide_principal
from scoring.advancement import service
from scoring.advancement.schemas import StageAdvanceRead, StagePreviewRead, StageQuota, StageTieDecision
from scoring.publication.schemas import CutLineDecisionRead


class StageAdvanceController(Controller):
    tags = ["stages"]
    dependencies = {"principal": Provide(provide_principal)}

    @post(
        "/rounds/{round_id:int}/stage-advance/preview",
        opt={"permission": STAFF},
        summary="Who advances to the next stage under quotas per track and district, and the ties at the cut lines",
        status_code=200,
    )
    async def preview(
        self, principal: CurrentPrincipal, round_id: FromPath[int], data: JSONBody[StageQuota]
    ) -> StagePreviewRead:
        return await service.preview(principal, round_id, data)

    @post(
        "/rounds/{round_id:int}/stage-advance/tie-decisions",
        opt={"permission": STAFF},
        summary="Decide which tied entries pass a cut line of the advance's quota (with a reason, audited)",
    )
    async def decide_tie(
        self, principal: CurrentPrincipal, round_id: FromPath[int], data: JSONBody[StageTieDecision]
    ) -> CutLineDecisionRead:
        return await service.decide_tie(principal, round_id, data)

    @post(
        "/rounds/{round_id:int}/stage-advance",
        opt={"permission": STAFF},
        summary="Commit the advance: entries move on and are carried into the next stage, others 未晋级 (idempotent)",
        status_code=200,
    )
    async def commit(
        self, principal: CurrentPrincipal, round_id: FromPath[int], data: JSONBody[StageQuota]
    ) -> StageAdvanceRead:
        return await service.commit(principal, round_id, data)
