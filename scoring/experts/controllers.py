from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, get, post, put
from litestar.di import Provide
from litestar.params import FromPath, JSONBody

from app.auth.principal import EXPERTS, STAFF, CurrentPrincipal, provide_principal
from app.paging import Paging, page_response
from scoring.assignments.schemas import ReasonBody
from scoring.experts import service
from scoring.experts.schemas import (
    ConflictCreate,
    ConflictRead,
    DeclaredConflict,
    ExpertProfileRead,
    ExpertProfileWrite,
)


class ExpertController(Controller):
    tags = ["experts"]
    dependencies = {"principal": Provide(provide_principal)}

    @get("/experts", opt={"permission": STAFF}, summary="The expert pool (评估专家库)")
    async def pool(self, paging: Paging, request: Request[Any, Any, Any]) -> Response[list[ExpertProfileRead]]:
        return page_response(await service.list_profiles(paging), request)

    @put(
        "/experts/{expert_id:int}/profile",
        opt={"permission": STAFF},
        summary="Set an expert's profile and affiliations",
    )
    async def save(
        self, principal: CurrentPrincipal, expert_id: FromPath[int], data: JSONBody[ExpertProfileWrite]
    ) -> ExpertProfileRead:
        return await service.save_profile(principal, expert_id, data)

    @post("/conflicts", opt={"permission": STAFF}, summary="Record a conflict of interest (利益冲突)")
    async def record(self, principal: CurrentPrincipal, data: JSONBody[ConflictCreate]) -> ConflictRead:
        return await service.record_conflict(principal, data)

    @post(
        "/conflicts/mine",
        opt={"permission": EXPERTS},
        summary="Declare my own conflict of interest in advance (assignments on it are retracted and refilled)",
    )
    async def declare(self, principal: CurrentPrincipal, data: JSONBody[DeclaredConflict]) -> ConflictRead:
        return await service.declare_conflict(principal, data)

    @get("/conflicts/mine", opt={"permission": EXPERTS}, summary="My live declared and recorded conflicts")
    async def mine(
        self, principal: CurrentPrincipal, paging: Paging, request: Request[Any, Any, Any]
    ) -> Response[list[ConflictRead]]:
        return page_response(await service.my_conflicts(principal, paging), request)

    @post(
        "/conflicts/{conflict_id:int}/revoke",
        opt={"permission": STAFF},
        summary="Revoke a recorded conflict",
        status_code=200,
    )
    async def revoke(
        self, principal: CurrentPrincipal, conflict_id: FromPath[int], data: JSONBody[ReasonBody]
    ) -> ConflictRead:
        return await service.revoke_conflict(principal, conflict_id, data.reason)
