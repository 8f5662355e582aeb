"""Schemas of the expert's scoring: drafts, submission, the (blind) view of an assignment."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field

from app.types import ExactInt, RequestModel, at_most_entries


class ReviewDraft(RequestModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"scores": {"innovation": 85, "feasibility": 78}, "comment": "思路清晰"}]},
    )
    scores: Annotated[dict[str, ExactInt | None], at_most_entries(30)] = Field(
        description="评分项代码 → 分数；null = 不适用 (N/A，仅限允许的评分项)；最多 30 项",
        json_schema_extra={"maxProperties": 30},
    )
    comment: str = Field(default="", max_length=5000)
    comment_shareable: bool = Field(
        default=False,
        description=(
            "评语是否可匿名分享给申报单位：勾选后，公示期结束后申报单位可看到这条评语（不显示专家姓名或身份）；"
            "默认不分享，仅项目官员可见"
        ),
    )


ReviewSubmit = ReviewDraft  # the same body; submit validates completely, a draft only the criterion codes


class ExpertCriterion(BaseModel):
    code: str
    name: str
    weight: int
    max_score: int
    allow_na: bool
    comment_below: int | None
    anchors: dict[str, str]


class ExpertAssignmentView(BaseModel):
    """What an expert sees. In blind rounds it never names the applicant organisation."""

    assignment_id: int
    status: str
    round_id: int
    round_name: str
    blind: bool
    application_id: int
    title: str
    answers: dict[str, Any]
    organisation_name: str | None = Field(description="盲评轮次中为 null")
    criteria: list[ExpertCriterion]
    scores: dict[str, int | None]
    comment: str
    comment_shareable: bool = Field(description="评语是否可在公示期结束后匿名分享给申报单位")
    submitted_at: dt.datetime | None
    due_at: dt.datetime | None = Field(default=None, description="评分截止时间")


class DeclineRead(BaseModel):
    assignment_id: int
    status: str
    replacements: int = Field(description="重新分配的评审专家人数")
