"""Piccolo Admin forms for contest stages (赛程阶段, issue 15): a round's stage and place in the order, and the stage
advance with quotas per track and per district (preview, decide a tie at a cut line, commit). Each calls the API's
service (programmes.catalogue.settings, scoring.advancement), so the rules, audit rows and notifications are the
same."""

from __future__ import annotations

from typing import Any, Literal

from piccolo_admin.endpoints import FormConfig
from pydantic import Field
from starlette.requests import Request

from app.admin.forms.common import as_officer, parse_ids, validated
from app.admin.picks import labelled, picked
from app.auth.principal import Principal
from app.types import FormId, RequestModel
from programmes.kinds import ROUND_STAGE_ZH

StageName = Literal["call", "district_recommendation", "preliminary", "semifinal", "final", "custom", "graduation"]


class StageOrderForm(RequestModel):
    round_id: FormId = picked("round", title="轮次")
    stage: StageName = labelled(
        {stage.value: label for stage, label in ROUND_STAGE_ZH.items()},
        title="阶段",
        description="结项评估仅用于沪社星耀",
    )
    position: int = Field(ge=0, le=100, title="阶段顺序", description="小的在前；轮次有申报后不能修改")
    reason: str = Field(default="", max_length=1000, title="修改原因")


async def _order(request: Request, data: StageOrderForm) -> str:
    from programmes.catalogue.settings import update_round_settings
    from programmes.catalogue.settings_schemas import RoundSettingsUpdate

    change = validated(RoundSettingsUpdate, {"stage": data.stage, "position": data.position, "reason": data.reason})

    async def work(principal: Principal) -> str:
        done = await update_round_settings(principal, data.round_id, change)
        return f"轮次 {done.id}「{done.name}」：阶段 {done.stage}，顺序 {done.position}"

    return await as_officer(request, work)


def _pairs(text: str, what: str) -> list[tuple[str, str]]:
    """``key=value`` pairs separated by commas or new lines (half- or full-width)."""
    pairs = []
    for part in text.replace("，", ",").replace("\n", ",").split(","):
        if not part.strip():
            continue
        if "=" not in part:
            raise ValueError(f"无法识别的{what}「{part.strip()}」，格式：键=名额")
        key, value = (p.strip() for p in part.split("=", 1))
        pairs.append((key, value))
    return pairs


class QuotaFields(RequestModel):
    round_id: FormId = picked("round", title="本阶段轮次", description="已关闭并完成排名的轮次")
    top_n: str = Field(default="", max_length=6, title="晋级总数", description="留空表示不限")
    track_quotas: str = Field(
        default="", max_length=1000, title="赛道名额", description="赛道编号=名额，逗号分隔；留空取赛道设置"
    )
    district_quotas: str = Field(
        default="", max_length=1000, title="各区名额", description="区=名额，逗号分隔，例如 pudong=3, xuhui=2"
    )


class StageAdvanceForm(QuotaFields):
    step: Literal["预览", "确认晋级"] = Field(
        title="操作", description="预览不写入；确认晋级使晋级项目带入下一阶段、其余为未晋级并通知"
    )


def _number(text: str) -> int | str:
    return int(text) if text.isdigit() else text  # the schema says what is wrong with anything else


def _quota(data: QuotaFields) -> dict[str, Any]:
    top_n = data.top_n.strip()
    return {
        "top_n": _number(top_n) if top_n else None,
        "track_quotas": [
            {"track_id": _number(k), "quota": _number(v)} for k, v in _pairs(data.track_quotas, "赛道名额")
        ],
        "district_quotas": [{"district": k, "quota": _number(v)} for k, v in _pairs(data.district_quotas, "区名额")],
    }


async def _advance(request: Request, data: StageAdvanceForm) -> str:
    from scoring.advancement import service
    from scoring.advancement.schemas import StageQuota

    quota = validated(StageQuota, _quota(data))

    async def work(principal: Principal) -> str:
        if data.step == "预览":
            seen = await service.preview(principal, data.round_id, quota)
            going = "、".join(str(e.application_id) for e in seen.entries if e.advancing)
            ties = "；".join(f"{t.line} 第 {t.rank} 名并列 {t.tied_application_ids}" for t in seen.ties)
            return f"预览（未写入）：晋级 {going or '无'}；待裁定并列 {seen.undecided_ties} 处" + (
                f"（{ties}）" if ties else ""
            )
        done = await service.commit(principal, data.round_id, quota)
        return (
            f"已确认晋级：本次晋级 {len(done.advanced_now)} 个、未晋级 {len(done.not_advanced_now)} 个，"
            f"带入「{done.next_round_name}」{len(done.carried_now)} 个"
        )

    return await as_officer(request, work)


class StageTieForm(QuotaFields):
    line: str = Field(max_length=32, title="入围线", description="overall、track:<赛道编号> 或 district:<区>")
    rank: int = Field(ge=1, le=1_000_000, title="并列名次")
    passed_application_ids: str = Field(max_length=1000, title="晋级的申报编号", description="逗号分隔")
    reason: str = Field(min_length=2, max_length=1000, title="裁定理由")


async def _decide(request: Request, data: StageTieForm) -> str:
    from scoring.advancement import service
    from scoring.advancement.schemas import StageTieDecision

    decision = validated(
        StageTieDecision,
        {
            **_quota(data),
            "line": data.line.strip(),
            "rank": data.rank,
            "passed_application_ids": parse_ids(data.passed_application_ids, most=500),
            "reason": data.reason,
        },
    )

    async def work(principal: Principal) -> str:
        made = await service.decide_tie(principal, data.round_id, decision)
        return (
            f"已裁定：{made.line} 第 {made.rank} 名并列中 {'、'.join(map(str, made.passed_application_ids or []))} 晋级"
        )

    return await as_officer(request, work)


STAGE_FORMS = [
    FormConfig(
        "设置轮次阶段与顺序",
        StageOrderForm,
        _order,
        description="与 PATCH /rounds/{id} 的 stage、position 同一规则（每届一个决赛；有申报后不能修改）",
        form_group="项目与轮次",
    ),
    FormConfig(
        "晋级下一阶段（预览或确认）",
        StageAdvanceForm,
        _advance,
        description="与 POST /rounds/{id}/stage-advance/preview 和 /stage-advance 同一名额、并列与带入规则",
        form_group="申报与评审",
    ),
    FormConfig(
        "裁定晋级线并列",
        StageTieForm,
        _decide,
        description="与 POST /rounds/{id}/stage-advance/tie-decisions 相同；名额须与预览时一致",
        form_group="申报与评审",
    ),
]
