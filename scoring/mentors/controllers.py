"""Routes of the mentor room (导师)."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, get, post, put
from litestar.di import Provide
from litestar.params import FromPath, JSONBody

from app.auth.principal import ANY_USER, APPLICANTS, EXPERTS, STAFF, CurrentPrincipal, provide_principal
from app.paging import Paging, page_response
from app.params import OptionalQueryId
from scoring.assignments.schemas import ReasonBody
from scoring.mentors import service
from scoring.mentors.schemas import (
    MeetingRead,
    MeetingWrite,
    MentorPlanRead,
    MentorPlanRequest,
    MentorProfileRead,
    MentorProfileWrite,
    MentorshipRead,
    RatingRead,
    RatingWrite,
)


class MentorController(Controller):
    path = "/mentors"
    tags = ["mentors"]
    dependencies = {"principal": Provide(provide_principal)}

    @put("/profiles/{expert_id:int}", opt={"permission": STAFF}, summary="Set an expert's mentor flag and domains")
    async def save_profile(
        self, principal: CurrentPrincipal, expert_id: FromPath[int], data: JSONBody[MentorProfileWrite]
    ) -> MentorProfileRead:
        return await service.save_profile(principal, expert_id, data)

    @get("/profiles", opt={"permission": STAFF}, summary="The mentor pool")
    async def profiles(self, paging: Paging, request: Request[Any, Any, Any]) -> Response[list[MentorProfileRead]]:
        return page_response(await service.list_profiles(paging), request)

    @post(
        "/rounds/{round_id:int}/preview",
        opt={"permission": STAFF},
        summary="The solver's mentor plan for a 沪社星耀 round's supported projects (nothing written)",
        status_code=200,
    )
    async def preview(
        self, principal: CurrentPrincipal, round_id: FromPath[int], data: JSONBody[MentorPlanRequest]
    ) -> MentorPlanRead:
        return await service.preview(principal, round_id, data.mentors_per_project)

    @post("/rounds/{round_id:int}/commit", opt={"permission": STAFF}, summary="Write the solver's mentor plan")
    async def commit(
        self, principal: CurrentPrincipal, round_id: FromPath[int], data: JSONBody[MentorPlanRequest]
    ) -> MentorPlanRead:
        return await service.commit(principal, round_id, data.mentors_per_project)

    @get(
        "/mentorships",
        opt={"permission": ANY_USER},
        summary="Mentorships in reach (staff: scope; a mentor: own; an organisation: its projects')",
    )
    async def list_all(
        self,
        principal: CurrentPrincipal,
        paging: Paging,
        request: Request[Any, Any, Any],
        round_id: OptionalQueryId = None,
    ) -> Response[list[MentorshipRead]]:
        return page_response(await service.list_for(principal, paging, round_id), request)

    @get("/mentorships/{mentorship_id:int}", opt={"permission": ANY_USER}, summary="A mentorship")
    async def read(self, principal: CurrentPrincipal, mentorship_id: FromPath[int]) -> MentorshipRead:
        return await service.read_for(principal, mentorship_id)

    @post("/mentorships/{mentorship_id:int}/end", opt={"permission": STAFF}, summary="End a mentorship with a reason")
    async def end(
        self, principal: CurrentPrincipal, mentorship_id: FromPath[int], data: JSONBody[ReasonBody]
    ) -> MentorshipRead:
        return await service.end(principal, mentorship_id, data.reason)

    @post("/mentorships/{mentorship_id:int}/meetings", opt={"permission": EXPERTS}, summary="The mentor logs a meeting")
    async def log_meeting(
        self, principal: CurrentPrincipal, mentorship_id: FromPath[int], data: JSONBody[MeetingWrite]
    ) -> MeetingRead:
        return await service.log_meeting(principal, mentorship_id, data)

    @get(
        "/mentorships/{mentorship_id:int}/meetings",
        opt={"permission": ANY_USER},
        summary="Meetings (the mentor, the project's organisation, officers in scope)",
    )
    async def meetings(
        self, principal: CurrentPrincipal, mentorship_id: FromPath[int], paging: Paging, request: Request[Any, Any, Any]
    ) -> Response[list[MeetingRead]]:
        return page_response(await service.meetings(principal, mentorship_id, paging), request)

    @post(
        "/mentorships/{mentorship_id:int}/rating",
        opt={"permission": APPLICANTS},
        summary="The project rates its mentor once, at or after graduation (结项评估)",
    )
    async def rate(
        self, principal: CurrentPrincipal, mentorship_id: FromPath[int], data: JSONBody[RatingWrite]
    ) -> RatingRead:
        return await service.rate(principal, mentorship_id, data)
