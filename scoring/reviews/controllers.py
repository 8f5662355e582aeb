from __future__ import annotations

from typing import Any, Literal

from litestar import Controller, get, post, put
from litestar.di import Provide
from litestar.params import FromPath, FromQuery, JSONBody

from app.auth.principal import EXPERTS, STAFF, CurrentPrincipal, provide_principal
from scoring.assignments import service as assignments
from scoring.reviews import reviewing, service
from scoring.reviews.schemas import AssignmentCreate, AssignmentRead, ExpertAssignmentView, ReasonBody, ReviewDraft

Mode = Literal["total", "fair"]


class ReviewController(Controller):
    tags = ["review"]
    dependencies = {"principal": Provide(provide_principal)}

    @post("/assignments", opt={"permission": STAFF}, summary="Assign an expert by hand (conflicts always refused)")
    async def assign(self, principal: CurrentPrincipal, data: JSONBody[AssignmentCreate]) -> AssignmentRead:
        return AssignmentRead(**await service.assign(principal, data))

    @post(
        "/rounds/{round_id:int}/assignment-preview",
        opt={"permission": STAFF},
        summary="Optimal expert assignment for a round, with the reasons for each pair (nothing written)",
        status_code=200,
    )
    async def preview(
        self, principal: CurrentPrincipal, round_id: FromPath[int], mode: FromQuery[Mode] = "total"
    ) -> dict[str, Any]:
        return await assignments.preview(principal, round_id, mode)

    @post(
        "/rounds/{round_id:int}/assignments",
        opt={"permission": STAFF},
        summary="Commit the optimal assignment (existing pairs are kept)",
        status_code=201,
    )
    async def commit(
        self,
        principal: CurrentPrincipal,
        round_id: FromPath[int],
        mode: FromQuery[Mode] = "total",
        partial: FromQuery[bool] = False,
    ) -> dict[str, Any]:
        """``partial=true``: staff what can be staffed and list the rest (``unstaffed``) instead of a 409."""
        return await assignments.commit(principal, round_id, mode, partial)

    @post(
        "/assignments/{assignment_id:int}/reopen",
        opt={"permission": STAFF},
        summary="Reopen a submitted review",
        status_code=200,
    )
    async def reopen(
        self, principal: CurrentPrincipal, assignment_id: FromPath[int], data: JSONBody[ReasonBody]
    ) -> dict[str, Any]:
        return await reviewing.officer_step(principal, assignment_id, "reopen", data.reason)

    @post(
        "/assignments/{assignment_id:int}/remove",
        opt={"permission": STAFF},
        summary="Remove an open assignment",
        status_code=200,
    )
    async def remove(
        self, principal: CurrentPrincipal, assignment_id: FromPath[int], data: JSONBody[ReasonBody]
    ) -> dict[str, Any]:
        return await reviewing.officer_step(principal, assignment_id, "remove", data.reason)

    @get("/reviews/mine", opt={"permission": EXPERTS}, summary="My review assignments (blind where configured)")
    async def mine(self, principal: CurrentPrincipal) -> list[ExpertAssignmentView]:
        return [ExpertAssignmentView(**row) for row in await service.my_assignments(principal)]

    @get("/reviews/{assignment_id:int}", opt={"permission": EXPERTS}, summary="One of my review assignments")
    async def read(self, principal: CurrentPrincipal, assignment_id: FromPath[int]) -> ExpertAssignmentView:
        return ExpertAssignmentView(**await service.expert_view(principal, assignment_id))

    @put("/reviews/{assignment_id:int}/draft", opt={"permission": EXPERTS}, summary="Save a draft review")
    async def draft(
        self, principal: CurrentPrincipal, assignment_id: FromPath[int], data: JSONBody[ReviewDraft]
    ) -> ExpertAssignmentView:
        return ExpertAssignmentView(**await reviewing.save_draft(principal, assignment_id, data))

    @post("/reviews/{assignment_id:int}/submit", opt={"permission": EXPERTS}, summary="Submit scores", status_code=200)
    async def submit(
        self, principal: CurrentPrincipal, assignment_id: FromPath[int], data: JSONBody[ReviewDraft]
    ) -> ExpertAssignmentView:
        return ExpertAssignmentView(**await reviewing.submit(principal, assignment_id, data))

    @post(
        "/reviews/{assignment_id:int}/decline",
        opt={"permission": EXPERTS},
        summary="Declare a conflict of interest and step aside (the application is reassigned)",
        status_code=200,
    )
    async def decline(
        self, principal: CurrentPrincipal, assignment_id: FromPath[int], data: JSONBody[ReasonBody]
    ) -> dict[str, Any]:
        return await reviewing.decline(principal, assignment_id, data.reason)
