from __future__ import annotations

from litestar import Controller, get, post
from litestar.di import Provide
from litestar.params import FromPath, JSONBody

from app.auth.principal import EXPERTS, STAFF, CurrentPrincipal, provide_principal
from scoring.reviews import service
from scoring.reviews.schemas import AssignmentCreate, AssignmentRead, ExpertAssignmentView, ReviewSubmit


class ReviewController(Controller):
    tags = ["review"]
    dependencies = {"principal": Provide(provide_principal)}

    @post("/assignments", opt={"permission": STAFF}, summary="Assign an expert to an application (分配评审专家)")
    async def assign(self, principal: CurrentPrincipal, data: JSONBody[AssignmentCreate]) -> AssignmentRead:
        return AssignmentRead(**await service.assign(principal, data))

    @get("/reviews/mine", opt={"permission": EXPERTS}, summary="My review assignments (blind where configured)")
    async def mine(self, principal: CurrentPrincipal) -> list[ExpertAssignmentView]:
        return [ExpertAssignmentView(**row) for row in await service.my_assignments(principal)]

    @get("/reviews/{assignment_id:int}", opt={"permission": EXPERTS}, summary="One of my review assignments")
    async def read(self, principal: CurrentPrincipal, assignment_id: FromPath[int]) -> ExpertAssignmentView:
        return ExpertAssignmentView(**await service.expert_view(principal, assignment_id))

    @post(
        "/reviews/{assignment_id:int}/submit",
        opt={"permission": EXPERTS},
        summary="Submit scores for every rubric criterion",
        status_code=200,
    )
    async def submit(
        self, principal: CurrentPrincipal, assignment_id: FromPath[int], data: JSONBody[ReviewSubmit]
    ) -> ExpertAssignmentView:
        return ExpertAssignmentView(**await service.submit_review(principal, assignment_id, data))
