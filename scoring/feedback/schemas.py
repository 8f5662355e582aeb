"""Schemas of the applicant's feedback after the 公示 (issue 15): aggregates only, never a reviewer's identity."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from pydantic import BaseModel, Field


class RankBand(StrEnum):
    """Where the entry stands, by the share of the round's ranked entries placed ahead of it."""

    top_10 = "top_10"  # fewer than 10 % ahead
    from_10_to_30 = "10_30"  # 10 % up to 30 % ahead
    from_30_to_60 = "30_60"  # 30 % up to 60 % ahead
    rest = "rest"  # 60 % or more ahead


RANK_BANDS_ZH = {
    RankBand.top_10: "前 10%",
    RankBand.from_10_to_30: "前 10%–30%",
    RankBand.from_30_to_60: "前 30%–60%",
    RankBand.rest: "60% 之后",
}


class NextStep(StrEnum):
    awarded = "awarded"  # an active award (资助/奖励) was made
    advanced = "advanced"  # listed in the notice: advanced to the next stage, or selected
    not_advanced = "not_advanced"  # not listed


class CriterionFeedback(BaseModel):
    code: str
    name: str
    max_score: int
    scored_reviews: int = Field(description="对此评分项打分的评审份数（不适用的不计）")
    mean: str | None = Field(description="平均分（一位小数）；少于 2 份评审打分时不提供")
    min: int | None = Field(description="最低分；少于 2 份评审打分时不提供")
    max: int | None = Field(description="最高分；少于 2 份评审打分时不提供")


class FeedbackRead(BaseModel):
    """评审反馈: per-criterion means and ranges, the comments experts chose to share, the rank band, the next step."""

    application_id: int
    title: str
    round_id: int
    round_name: str
    notice_ended_at: dt.datetime
    result_final: bool = Field(description="公示结果是否已生效（未生效时晋级情况仍可能因异议更正）")
    reviews: int = Field(description="已提交的评审份数")
    criteria: list[CriterionFeedback]
    overall_score: str | None = Field(description="加权综合得分（两位小数）；少于 2 份评审时不提供")
    comments: list[str] = Field(description="专家选择公开的评语（匿名，不标注专家，不按评审排序）")
    rank_band: RankBand | None = Field(description="排名区间；未进入排名时为 null")
    rank_band_zh: str | None
    ranked_entries: int = Field(description="本轮进入排名的申报数")
    next_step: NextStep
    next_step_zh: str
    next_round_name: str | None = Field(description="晋级的下一阶段轮次名称（如有）")
