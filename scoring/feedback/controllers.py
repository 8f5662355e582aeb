from __future__ import annotations

from litestar import Controller, get
from litestar.di import Provide
from litestar.params import FromPath

from app.auth.principal import APPLICANTS, CurrentPrincipal, provide_principal
from scoring.feedback import service
from scoring.feedback.schemas import FeedbackRead


class FeedbackController(Controller):
    tags = ["review"]
    dependencies = {"principal": Provide(provide_principal)}

    @get(
        "/applications/{application_id:int}/feedback",
        opt={"permission": APPLICANTS},
        summary="评审反馈：公示期结束后，本单位申报的各评分项平均分与区间、专家公开的评语、排名区间与下一步",
    )
    async def read(self, principal: CurrentPrincipal, application_id: FromPath[int]) -> FeedbackRead:
        return await service.feedback(principal, application_id)
