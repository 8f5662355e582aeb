from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, Response, get, post
from litestar.di import Provide
from litestar.params import FromPath, JSONBody, Parameter

from app.auth.principal import ANY_USER, PUBLIC, STAFF, CurrentPrincipal, provide_principal
from app.paging import Paging, page_of, page_response
from scoring.publication import objections, rereview, service, ties
from scoring.publication.schemas import (
    CUTOFF,
    CutLineDecisionCreate,
    CutLineDecisionRead,
    CutLineTieRead,
    ObjectionCreate,
    ObjectionRead,
    ObjectionResolve,
    PublicationRead,
    PublishRequest,
    RereviewConclude,
)


class PublicationController(Controller):
    tags = ["公示"]
    dependencies = {"principal": Provide(provide_principal)}

    @post("/rounds/{round_id:int}/publication", opt={"permission": STAFF}, summary="Publish a closed round (公示)")
    async def publish(
        self, principal: CurrentPrincipal, round_id: FromPath[int], data: JSONBody[PublishRequest]
    ) -> PublicationRead:
        return await service.publish(principal, round_id, data.days, data.top_n, data.cutoff)

    @get("/publications", opt={"permission": PUBLIC}, summary="Public notices (no scores, no reviewer names)")
    async def public(self, paging: Paging, request: Request[Any, Any, Any]) -> Response[list[PublicationRead]]:
        return page_response(await service.public_list(paging), request)

    @post("/publications/{publication_id:int}/objections", opt={"permission": ANY_USER}, summary="File an objection")
    async def object(
        self, principal: CurrentPrincipal, publication_id: FromPath[int], data: JSONBody[ObjectionCreate]
    ) -> ObjectionRead:
        return await objections.file_objection(principal, publication_id, data.application_id, data.reason)

    @get(
        "/publications/{publication_id:int}/objections",
        opt={"permission": STAFF},
        summary="A notice's objections (staff in scope)",
    )
    async def list_objections(
        self,
        principal: CurrentPrincipal,
        publication_id: FromPath[int],
        paging: Paging,
        request: Request[Any, Any, Any],
    ) -> Response[list[ObjectionRead]]:
        return page_response(await objections.publication_objections(principal, publication_id, paging), request)

    @post(
        "/objections/{objection_id:int}/resolve",
        opt={"permission": STAFF},
        summary="Uphold or dismiss",
        status_code=200,
    )
    async def resolve(
        self, principal: CurrentPrincipal, objection_id: FromPath[int], data: JSONBody[ObjectionResolve]
    ) -> ObjectionRead:
        return await objections.resolve(principal, objection_id, data.decision == "upheld", data.resolution)

    @post(
        "/objections/{objection_id:int}/rereview",
        opt={"permission": STAFF},
        summary="Conclude the re-review of an upheld objection: re-rank, correct the notice (更正公示)",
        status_code=200,
    )
    async def conclude_rereview(
        self, principal: CurrentPrincipal, objection_id: FromPath[int], data: JSONBody[RereviewConclude]
    ) -> PublicationRead:
        return await rereview.conclude(principal, objection_id, data.days, data.note)

    @post(
        "/publications/{publication_id:int}/finalise",
        opt={"permission": STAFF},
        summary="Make the result final (after the period, no open objection)",
        status_code=200,
    )
    async def finalise(self, principal: CurrentPrincipal, publication_id: FromPath[int]) -> PublicationRead:
        return await service.finalise(principal, publication_id)

    @get(
        "/rounds/{round_id:int}/cut-line-ties",
        opt={"permission": STAFF},
        summary="Entries tied at a quota's cut line (track quotas, and top_n if given), with their decisions",
    )
    async def cut_line_ties(
        self,
        principal: CurrentPrincipal,
        round_id: FromPath[int],
        top_n: Annotated[int | None, Parameter(ge=1, le=10000)] = None,
        cutoff: Annotated[str | None, Parameter(max_length=11, pattern=CUTOFF)] = None,
        *,
        paging: Paging,
        request: Request[Any, Any, Any],
    ) -> Response[list[CutLineTieRead]]:
        # Computed from the ranking in one pass (a handful of lines per round): paged in memory.
        return page_response(page_of(await ties.list_ties(principal, round_id, top_n, cutoff), paging), request)

    @post(
        "/rounds/{round_id:int}/cut-line-decisions",
        opt={"permission": STAFF},
        summary="Decide which tied entries pass a cut line (with a reason, audited); required before 公示",
    )
    async def decide_cut_line(
        self, principal: CurrentPrincipal, round_id: FromPath[int], data: JSONBody[CutLineDecisionCreate]
    ) -> CutLineDecisionRead:
        return await ties.decide(
            principal,
            round_id,
            line=data.line,
            rank=data.rank,
            passed=list(data.passed_application_ids),
            reason=data.reason,
            top_n=data.top_n,
            cutoff=data.cutoff,
        )
