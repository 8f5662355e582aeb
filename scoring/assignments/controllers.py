from __future__ import annotations

from typing import Any, Literal

from litestar import Controller, Request, Response, get, post
from litestar.di import Provide
from litestar.params import FromPath, FromQuery, JSONBody

from app.auth.principal import STAFF, CurrentPrincipal, provide_principal
from app.paging import Paging, page_response
from scoring.assignments import service
from scoring.assignments.schemas import (
    AssignmentCommitRead,
    AssignmentCreate,
    AssignmentPlanRead,
    AssignmentRead,
    AssignmentStepRead,
    ReasonBody,
    RoundAssignmentRead,
)

Mode = Literal["total", "fair"]


class AssignmentController(Controller):
    tags = ["review"]
    dependencies = {"principal": Provide(provide_principal)}

    @post("/assignments", opt={"permission": STAFF}, summary="Assign an expert by hand (conflicts always refused)")
    async def assign(self, principal: CurrentPrincipal, data: JSONBody[AssignmentCreate]) -> AssignmentRead:
        return await service.assign(principal, data)

    @post(
        "/rounds/{round_id:int}/assignment-preview",
        opt={"permission": STAFF},
        summary="Optimal expert assignment for a round, with the reasons for each pair (nothing written)",
        status_code=200,
    )
    async def preview(
        self, principal: CurrentPrincipal, round_id: FromPath[int], mode: FromQuery[Mode] = "total"
    ) -> AssignmentPlanRead:
        return await service.preview(principal, round_id, mode)

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
    ) -> AssignmentCommitRead:
        """``partial=true``: staff what can be staffed and list the rest (``unstaffed``) instead of a 409."""
        return await service.commit(principal, round_id, mode, partial)

    @get("/rounds/{round_id:int}/assignments", opt={"permission": STAFF}, summary="Who reviews what in a round")
    async def of_round(
        self, principal: CurrentPrincipal, round_id: FromPath[int], paging: Paging, request: Request[Any, Any, Any]
    ) -> Response[list[RoundAssignmentRead]]:
        return page_response(await service.round_assignments(principal, round_id, paging), request)

    @post(
        "/assignments/{assignment_id:int}/reopen",
        opt={"permission": STAFF},
        summary="Reopen a submitted review",
        status_code=200,
    )
    async def reopen(
        self, principal: CurrentPrincipal, assignment_id: FromPath[int], data: JSONBody[ReasonBody]
    ) -> AssignmentStepRead:
        return await service.officer_step(principal, assignment_id, "reopen", data.reason)

    @post(
        "/assignments/{assignment_id:int}/remove",
        opt={"permission": STAFF},
        summary="Remove an open assignment",
        status_code=200,
    )
    async def remove(
        self, principal: CurrentPrincipal, assignment_id: FromPath[int], data: JSONBody[ReasonBody]
    ) -> AssignmentStepRead:
        return await service.officer_step(principal, assignment_id, "remove", data.reason)
