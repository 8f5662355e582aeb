from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, get, post, put
from litestar.di import Provide
from litestar.params import FromPath, JSONBody

from app.auth.principal import EXPERTS, CurrentPrincipal, provide_principal
from app.paging import Paging, page_response
from scoring.assignments.schemas import ReasonBody
from scoring.reviews import reviewing, service
from scoring.reviews.schemas import DeclineRead, ExpertAssignmentView, ReviewDraft


class ReviewController(Controller):
    tags = ["review"]
    dependencies = {"principal": Provide(provide_principal)}

    @get("/reviews/mine", opt={"permission": EXPERTS}, summary="My review assignments (blind where configured)")
    async def mine(
        self, principal: CurrentPrincipal, paging: Paging, request: Request[Any, Any, Any]
    ) -> Response[list[ExpertAssignmentView]]:
        return page_response(await service.my_assignments(principal, paging), request)

    @get("/reviews/{assignment_id:int}", opt={"permission": EXPERTS}, summary="One of my review assignments")
    async def read(self, principal: CurrentPrincipal, assignment_id: FromPath[int]) -> ExpertAssignmentView:
        return await service.expert_view(principal, assignment_id)

    @put("/reviews/{assignment_id:int}/draft", opt={"permission": EXPERTS}, summary="Save a draft review")
    async def draft(
        self, principal: CurrentPrincipal, assignment_id: FromPath[int], data: JSONBody[ReviewDraft]
    ) -> ExpertAssignmentView:
        return await reviewing.save_draft(principal, assignment_id, data)

    @post("/reviews/{assignment_id:int}/submit", opt={"permission": EXPERTS}, summary="Submit scores", status_code=200)
    async def submit(
        self, principal: CurrentPrincipal, assignment_id: FromPath[int], data: JSONBody[ReviewDraft]
    ) -> ExpertAssignmentView:
        return await reviewing.submit(principal, assignment_id, data)

    @post(
        "/reviews/{assignment_id:int}/decline",
        opt={"permission": EXPERTS},
        summary="Declare a conflict of interest and step aside (the application is reassigned)",
        status_code=200,
    )
    async def decline(
        self, principal: CurrentPrincipal, assignment_id: FromPath[int], data: JSONBody[ReasonBody]
    ) -> DeclineRead:
        return await reviewing.decline(principal, assignment_id, data.reason)
