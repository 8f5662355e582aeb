"""The open-data rows (一公开): the stable public schema, field by field in docs/open-data.md. Adding a field is
compatible; renaming or removing one is not (a new dataset name instead)."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, Field


class OpenCall(BaseModel):
    """A round (征集/评审轮次) once it is no longer a draft."""

    round_id: int
    programme: str
    programme_kind: str = Field(description="contest | support_plan | matching")
    edition_year: int
    edition: str
    round: str
    stage: str = Field(
        description="call | district_recommendation | preliminary | semifinal | final | custom | graduation"
    )
    opens_at: dt.datetime
    closes_at: dt.datetime
    status: str = Field(description="open | closed")
    status_zh: str
    district: str | None = Field(description="区级项目的区；市级为 null")


class OpenAward(BaseModel):
    """A grant or prize (资助/奖励)."""

    award_id: int
    programme: str
    edition: str
    round: str
    organisation: str
    project: str
    track: str | None
    prize: str | None = Field(description="奖项（一等奖等）；尚未设置时为 null")
    amount_fen: int = Field(description="金额（分）")
    fund_source_kind: str = Field(description="welfare_lottery | fiscal | foundation")
    award_type: str
    status: str = Field(description="active | cancelled")
    awarded_at: dt.datetime


class OpenDisbursement(BaseModel):
    """What the ledger holds for one award (sums of its movements)."""

    award_id: int
    organisation: str
    project: str
    amount_fen: int = Field(description="资助金额（分）")
    obligated_fen: int = Field(description="净承诺额（分）：承诺 − 冲回 − 退回")
    disbursed_fen: int = Field(description="已拨付（分）")
    refunded_fen: int = Field(description="已追回退款（分）")


class OpenInspection(BaseModel):
    """双随机抽查: one drawn project of a draw (a draw not yet executed appears once, without a project)."""

    draw_id: int
    programme: str
    edition: str
    status: str = Field(description="committed | executed | superseded 等")
    seed_hash: str
    seed: str | None = Field(description="抽取后公开")
    committed_at: dt.datetime
    drawn_at: dt.datetime | None
    superseded_by: int | None
    redraw_reason: str
    award_id: int | None
    organisation: str | None
    project: str | None
    finding: str | None = Field(description="现行检查结果（最近一次记录）")
    findings_recorded: int = Field(description="记录的检查结果条数（含被更正的）")
    finding_recorded_at: dt.datetime | None


class OpenCase(BaseModel):
    """A published 聚力计划 case."""

    case_id: int
    title: str
    summary: str
    field: str
    field_label: str
    tags: list[str] = Field(description="CSV 中以分号分隔")
    outcomes: str
    beneficiaries: int
    district: str
    street: str
    organisation: str
    published_at: dt.datetime | None
