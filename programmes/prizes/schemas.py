"""The prizes' typed boundary: tier sets, the preview and confirmation of an edition's prizes, prizes and the
public certificate check."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field, model_validator

from app.types import ExactInt, Id, RequestModel

MAX_PRIZE_FEN = 10**11  # 1 亿元 per prize: far above any prize, well inside BIGINT


class TierPlace(RequestModel):
    track: str | None = Field(default=None, min_length=1, max_length=100, description="赛道名称；留空为不分赛道")
    count: ExactInt = Field(ge=0, le=1000, description="名额")
    amount_fen: ExactInt = Field(ge=0, le=MAX_PRIZE_FEN, description="每个名额的奖金（分），0 为无奖金")


class TierIn(RequestModel):
    name: str = Field(min_length=2, max_length=20, description="奖项名称，如 一等奖")
    position: ExactInt = Field(ge=1, le=100, description="名次（1 为最高）")
    budget_line_id: Id | None = Field(default=None, description="奖金所用预算科目（有奖金时必填）")
    places: list[TierPlace] = Field(min_length=1, max_length=50)

    @model_validator(mode="after")
    def _one_place_per_track(self) -> TierIn:
        tracks = [p.track for p in self.places]
        if len(set(tracks)) != len(tracks):
            raise ValueError("同一赛道只能设置一次名额")
        if None in tracks and len(tracks) > 1:
            raise ValueError("不分赛道的名额不能与分赛道的名额同时设置")
        return self


class TierSet(RequestModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "tiers": [
                        {
                            "name": "一等奖",
                            "position": 1,
                            "budget_line_id": 1,
                            "places": [{"track": None, "count": 1, "amount_fen": 5_000_000}],
                        },
                        {"name": "优秀奖", "position": 2, "places": [{"track": None, "count": 3, "amount_fen": 0}]},
                    ]
                }
            ]
        },
    )
    tiers: list[TierIn] = Field(min_length=1, max_length=10)


class TierPlaceRead(BaseModel):
    track: str | None
    count: int
    amount_fen: int


class TierRead(BaseModel):
    id: int
    edition_id: int
    name: str
    position: int
    budget_line_id: int | None
    places: list[TierPlaceRead]
    total_fen: int


class TieDecision(RequestModel):
    key: str = Field(min_length=3, max_length=140, description="预览中并列的编号（奖项:赛道:名次）")
    application_ids: list[Id] = Field(min_length=1, max_length=1000, description="取得该奖项名额的申报")
    reason: str = Field(min_length=2, max_length=1000, description="裁定理由")


class PrizeRequest(RequestModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"round_id": 3, "tie_decisions": []}]})
    round_id: Id | None = Field(default=None, description="依据的轮次；省略时为本届决赛（stage=final）")
    tie_decisions: list[TieDecision] = Field(default_factory=list, max_length=200)

    @model_validator(mode="after")
    def _one_decision_per_tie(self) -> PrizeRequest:
        keys = [d.key for d in self.tie_decisions]
        if len(set(keys)) != len(keys):
            raise ValueError("同一并列只能裁定一次")
        return self


class WinnerRead(BaseModel):
    application_id: int
    title: str
    organisation_name: str
    rank: int
    amount_fen: int
    tie_reason: str = ""


class TierFillRead(BaseModel):
    tier_id: int
    name: str
    track: str | None
    places: int
    amount_fen: int
    winners: list[WinnerRead]


class TieRead(BaseModel):
    key: str
    tier_id: int
    tier_name: str
    track: str | None
    rank: int
    places: int = Field(description="该奖项尚余的名额")
    candidates: list[WinnerRead]
    decided: bool


class PrizePreview(BaseModel):
    edition_id: int
    round_id: int
    notice_final: bool = Field(description="决赛公示结果已生效（确定奖项的前提）")
    tiers: list[TierFillRead]
    ties: list[TieRead]
    invalid_decisions: list[str]
    total_fen: int
    confirmable: bool
    confirmed: bool


class PrizeRead(BaseModel):
    id: int
    edition_id: int
    tier_id: int
    tier_name: str
    application_id: int
    title: str
    organisation_id: int
    organisation_name: str
    track: str | None
    rank: int
    amount_fen: int
    award_id: int | None
    tie_reason: str
    verification_code: str
    certificate_url: str
    created_at: datetime


class PrizeConfirmationRead(BaseModel):
    id: int
    edition_id: int
    round_id: int
    confirmed_at: datetime
    prizes: list[PrizeRead]
    awards: int = Field(description="有奖金的奖项数（各有一项资助）")


class AwardCertificateCheck(BaseModel):
    """What the public check shows: exactly what the certificate shows, nothing personal."""

    valid: bool
    verification_code: str
    organisation_name: str
    project_title: str
    prize: str
    edition: str
