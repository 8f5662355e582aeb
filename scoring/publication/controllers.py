from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from litestar import Controller, get, post
from litestar.di import Provide
from litestar.params import FromPath, JSONBody, Parameter
from pydantic import BaseModel, ConfigDict, Field

from app.auth.principal import ANY_USER, PUBLIC, STAFF, CurrentPrincipal, provide_principal
from app.types import ExactInt, Id, RequestModel
from scoring.publication import rereview, service, ties
from scoring.publication.tie_schemas import CUTOFF, CutLineDecisionCreate, CutLineDecisionRead, CutLineTieRead


class PublishRequest(RequestModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"days": 7, "top_n": 30}]})
    days: ExactInt = Field(ge=1, le=60, description="公示天数")
    top_n: ExactInt | None = Field(default=None, ge=1, le=10000, description="入围总数；各赛道名额取赛道设置")
    cutoff: str | None = Field(
        default=None, max_length=11, pattern=r"^\d{1,4}(\.\d{1,6})?$", description="分数线（含）"
    )


class PublicEntry(BaseModel):
    application_id: int
    title: str
    organisation: str


class Correction(BaseModel):
    """更正公示: one dated change of the list after a re-review; the earlier list stays on record."""

    at: dt.datetime
    objection_ids: list[int]
    added: list[int]
    removed: list[int]
    ends_at: dt.datetime
    note: str


class PublicationRead(BaseModel):
    """The public notice: projects and organisations only — never scores or reviewer names."""

    id: int
    round_id: int
    round_name: str
    status: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    entries: list[PublicEntry]
    corrections: list[Correction] = []


class ObjectionCreate(RequestModel):
    model_config = ConfigDict(extra="forbid")
    application_id: Id
    reason: str = Field(min_length=10, max_length=1000)


class ObjectionResolve(RequestModel):
    model_config = ConfigDict(extra="forbid")
    decision: Literal["upheld", "dismissed"]
    resolution: str = Field(min_length=2, max_length=1000)


class RereviewConclude(RequestModel):
    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"days": 5, "note": "重新评审完成，更正公示名单"}]}
    )
    days: ExactInt = Field(ge=1, le=60, description="更正后重新公示的天数")
    note: str = Field(min_length=2, max_length=1000, description="更正说明（公开）")


class ObjectionRead(BaseModel):
    id: int
    publication_id: int
    application_id: int
    status: str
    reason: str
    resolution: str


class PublicationController(Controller):
    tags = ["公示"]
    dependencies = {"principal": Provide(provide_principal)}

    @post("/rounds/{round_id:int}/publication", opt={"permission": STAFF}, summary="Publish a closed round (公示)")
    async def publish(
        self, principal: CurrentPrincipal, round_id: FromPath[int], data: JSONBody[PublishRequest]
    ) -> PublicationRead:
        return PublicationRead(**await service.publish(principal, round_id, data.days, data.top_n, data.cutoff))

    @get("/publications", opt={"permission": PUBLIC}, summary="Public notices (no scores, no reviewer names)")
    async def public(self) -> list[PublicationRead]:
        return [PublicationRead(**row) for row in await service.public_list()]

    @post("/publications/{publication_id:int}/objections", opt={"permission": ANY_USER}, summary="File an objection")
    async def object(
        self, principal: CurrentPrincipal, publication_id: FromPath[int], data: JSONBody[ObjectionCreate]
    ) -> ObjectionRead:
        return ObjectionRead(
            **await service.file_objection(principal, publication_id, data.application_id, data.reason)
        )

    @post(
        "/objections/{objection_id:int}/resolve",
        opt={"permission": STAFF},
        summary="Uphold or dismiss",
        status_code=200,
    )
    async def resolve(
        self, principal: CurrentPrincipal, objection_id: FromPath[int], data: JSONBody[ObjectionResolve]
    ) -> ObjectionRead:
        return ObjectionRead(
            **await service.resolve(principal, objection_id, data.decision == "upheld", data.resolution)
        )

    @post(
        "/objections/{objection_id:int}/rereview",
        opt={"permission": STAFF},
        summary="Conclude the re-review of an upheld objection: re-rank, correct the notice (更正公示)",
        status_code=200,
    )
    async def conclude_rereview(
        self, principal: CurrentPrincipal, objection_id: FromPath[int], data: JSONBody[RereviewConclude]
    ) -> PublicationRead:
        return PublicationRead(**await rereview.conclude(principal, objection_id, data.days, data.note))

    @post(
        "/publications/{publication_id:int}/finalise",
        opt={"permission": STAFF},
        summary="Make the result final (after the period, no open objection)",
        status_code=200,
    )
    async def finalise(self, principal: CurrentPrincipal, publication_id: FromPath[int]) -> dict[str, Any]:
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
    ) -> list[CutLineTieRead]:
        return [CutLineTieRead(**t) for t in await ties.list_ties(principal, round_id, top_n, cutoff)]

    @post(
        "/rounds/{round_id:int}/cut-line-decisions",
        opt={"permission": STAFF},
        summary="Decide which tied entries pass a cut line (with a reason, audited); required before 公示",
    )
    async def decide_cut_line(
        self, principal: CurrentPrincipal, round_id: FromPath[int], data: JSONBody[CutLineDecisionCreate]
    ) -> CutLineDecisionRead:
        decided = await ties.decide(
            principal,
            round_id,
            line=data.line,
            rank=data.rank,
            passed=list(data.passed_application_ids),
            reason=data.reason,
            top_n=data.top_n,
            cutoff=data.cutoff,
        )
        return CutLineDecisionRead(**decided)
