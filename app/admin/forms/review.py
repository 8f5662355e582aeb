"""Piccolo Admin forms for review (评审): inviting an expert into the pool, and ties at a quota's cut line (issue 11) —
list them, decide one. Each calls the same service as the API (scoring.experts, scoring.publication.ties), so the
rules and the audit row are the same."""

from __future__ import annotations

from typing import TYPE_CHECKING

from piccolo_admin.endpoints import FormConfig
from pydantic import Field, field_validator
from starlette.requests import Request

from app.admin.forms.common import as_officer, parse_ids, validated
from app.admin.picks import picked
from app.auth.contact import Email, Mobile
from app.auth.principal import Principal
from app.types import FormId, RequestModel

if TYPE_CHECKING:
    from scoring.publication.schemas import CutLineTieRead


class ExpertInvitation(RequestModel):
    username: str = Field(title="用户名", min_length=3, max_length=50, pattern=r"^[A-Za-z0-9_.-]+$")
    display_name: str = Field(title="姓名", min_length=1, max_length=100)
    initial_password: str = Field(title="初始密码", min_length=8, max_length=200, description="请专家登录后修改")
    domains: str = Field(
        default="", max_length=1000, title="擅长领域", description="多个用逗号分隔，例如 为老服务,社区治理"
    )
    max_load_per_round: int = Field(default=30, ge=0, le=1000, title="每轮最多评审数")
    # So notices and password resets reach the expert; optional because an officer may not have them at hand.
    email: Email | None = Field(default=None, title="电子邮箱", description="用于通知和找回密码")
    mobile: Mobile | None = Field(default=None, title="手机号", description="11 位中国大陆手机号")

    @field_validator("email", "mobile", mode="before")
    @classmethod
    def _blank_is_none(cls, value: object) -> object:
        # The admin form sends an empty string for a field left blank.
        return None if isinstance(value, str) and not value.strip() else value


async def _invite_expert(request: Request, data: ExpertInvitation) -> str:
    from scoring.experts.schemas import ExpertProfileWrite
    from scoring.experts.service import invite_expert

    async def work(principal: Principal) -> str:
        domains = [d.strip() for d in data.domains.replace("，", ",").split(",") if d.strip()]
        await invite_expert(
            principal,
            username=data.username,
            password=data.initial_password,
            display_name=data.display_name,
            email=data.email,
            mobile=data.mobile,
            profile=ExpertProfileWrite(domains=domains, max_load_per_round=data.max_load_per_round),
        )
        return f"已将 {data.display_name}（{data.username}）加入评估专家库，专家可用初始密码登录 API"

    return await as_officer(request, work)


class CutLineQuery(RequestModel):
    round_id: FormId = picked("round", title="轮次")
    top_n: str = Field(default="", max_length=5, title="入围总数", description="与公示时一致；留空表示只看各赛道名额")


class CutLineDecisionForm(RequestModel):
    round_id: FormId = picked("round", title="轮次")
    line: str = Field(max_length=32, title="入围线", description="overall（入围总数）或 track:<赛道编号>")
    rank: str = Field(max_length=7, title="并列名次")
    top_n: str = Field(default="", max_length=5, title="入围总数", description="与公示时一致；留空表示不限")
    passed_application_ids: str = Field(max_length=1000, title="入围的申报编号", description="多个编号用逗号分隔")
    reason: str = Field(min_length=2, max_length=1000, title="裁定理由", description="记入审计日志")


def _number(text: str) -> int | str | None:
    text = text.strip()
    return None if not text else int(text) if text.isdigit() else text  # the schema says what is wrong


async def _list_ties(request: Request, data: CutLineQuery) -> str:
    from scoring.publication.schemas import CutLineDecisionCreate
    from scoring.publication.ties import list_ties

    top_n = _number(data.top_n)
    if top_n is not None:  # the same bounds as the API
        validated(
            CutLineDecisionCreate,
            {"line": "overall", "rank": 1, "top_n": top_n, "passed_application_ids": [1], "reason": "查询"},
        )

    async def work(principal: Principal) -> str:
        ties = await list_ties(principal, data.round_id, top_n if isinstance(top_n, int) else None, None)
        if not ties:
            return f"轮次 {data.round_id} 的入围线上没有并列"
        return "；".join(_describe(t) for t in ties)

    return await as_officer(request, work)


def _describe(tie: CutLineTieRead) -> str:
    tied = "、".join(map(str, tie.tied_application_ids))
    state = "已裁定入围 " + "、".join(map(str, tie.passed_application_ids or [])) if tie.decided else "待裁定"
    return f"{tie.line} 第 {tie.rank} 名并列：{tied}（{tie.places} 个名额，{state}）"


async def _decide_tie(request: Request, data: CutLineDecisionForm) -> str:
    from scoring.publication.schemas import CutLineDecisionCreate
    from scoring.publication.ties import decide

    decision = validated(
        CutLineDecisionCreate,
        {
            "line": data.line.strip(),
            "rank": _number(data.rank),
            "top_n": _number(data.top_n),
            "passed_application_ids": parse_ids(data.passed_application_ids, most=500),
            "reason": data.reason,
        },
    )

    async def work(principal: Principal) -> str:
        decided = await decide(
            principal,
            data.round_id,
            line=decision.line,
            rank=decision.rank,
            passed=list(decision.passed_application_ids),
            reason=decision.reason,
            top_n=decision.top_n,
            cutoff=None,
        )
        passed = "、".join(map(str, decided.passed_application_ids or []))
        return f"已裁定：{decided.line} 第 {decided.rank} 名并列中 {passed} 入围"

    return await as_officer(request, work)


REVIEW_FORMS = [
    FormConfig(
        "邀请评审专家",
        ExpertInvitation,
        _invite_expert,
        description="创建专家账户并加入评估专家库",
        form_group="专家与评审",
    ),
    FormConfig(
        "入围线并列查询",
        CutLineQuery,
        _list_ties,
        description="列出名额线上的并列申报及其裁定情况；未裁定的并列会阻止公示",
        form_group="申报与评审",
    ),
    FormConfig(
        "入围线并列裁定",
        CutLineDecisionForm,
        _decide_tie,
        description="从并列的申报中选出入围者并说明理由（与 POST /rounds/{id}/cut-line-decisions 同一规则并留痕）",
        form_group="申报与评审",
    ),
]
