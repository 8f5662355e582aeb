"""Piccolo Admin forms for fair review (issue 11): ties at a quota's cut line — list them, decide one. Each calls
the same service as the API (scoring.publication.ties), so the rules and the audit row are the same."""

from __future__ import annotations

from typing import TYPE_CHECKING

from piccolo_admin.endpoints import FormConfig
from pydantic import Field
from starlette.requests import Request

from app.admin_forms import _as_officer, parse_ids
from app.admin_settings_forms import _schema
from app.auth.principal import Principal
from app.types import FormId, RequestModel

if TYPE_CHECKING:
    from scoring.publication.schemas import CutLineTieRead


class CutLineQuery(RequestModel):
    round_id: FormId = Field(title="轮次编号")
    top_n: str = Field(default="", max_length=5, title="入围总数", description="与公示时一致；留空表示只看各赛道名额")


class CutLineDecisionForm(RequestModel):
    round_id: FormId = Field(title="轮次编号")
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
        _schema(
            CutLineDecisionCreate,
            {"line": "overall", "rank": 1, "top_n": top_n, "passed_application_ids": [1], "reason": "查询"},
        )

    async def work(principal: Principal) -> str:
        ties = await list_ties(principal, data.round_id, top_n if isinstance(top_n, int) else None, None)
        if not ties:
            return f"轮次 {data.round_id} 的入围线上没有并列"
        return "；".join(_describe(t) for t in ties)

    return await _as_officer(request, work)


def _describe(tie: CutLineTieRead) -> str:
    tied = "、".join(map(str, tie.tied_application_ids))
    state = "已裁定入围 " + "、".join(map(str, tie.passed_application_ids or [])) if tie.decided else "待裁定"
    return f"{tie.line} 第 {tie.rank} 名并列：{tied}（{tie.places} 个名额，{state}）"


async def _decide_tie(request: Request, data: CutLineDecisionForm) -> str:
    from scoring.publication.schemas import CutLineDecisionCreate
    from scoring.publication.ties import decide

    decision = _schema(
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

    return await _as_officer(request, work)


REVIEW_FORMS = [
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
