"""Piccolo Admin forms for 公示 (publish, objections, re-review, finalise) and 双随机 draws; each calls the service
the API calls, so scope, workflow, audit and notifications are the same on both paths."""

from __future__ import annotations

from typing import Literal

from piccolo_admin.endpoints import FormConfig
from pydantic import Field
from starlette.requests import Request

from app.admin.forms.common import as_officer
from app.admin.picks import labelled, picked
from app.auth.principal import Principal
from app.timezone import shown
from app.types import FormId, RequestModel
from programmes.workflows.publication import ObjectionStatus


class PublishRound(RequestModel):
    round_id: FormId = picked("round", title="轮次", description="已关闭并完成排名的轮次")
    days: int = Field(ge=1, le=60, title="公示天数")
    top_n: int | None = Field(default=None, ge=1, le=10000, title="入围总数", description="留空则按各赛道名额")


class ResolveObjection(RequestModel):
    objection_id: FormId = picked("objection", title="异议")
    decision: Literal["upheld", "dismissed"] = labelled(
        {"upheld": "异议成立", "dismissed": "异议不成立"}, title="处理结果"
    )
    resolution: str = Field(min_length=2, max_length=1000, title="处理说明", description="异议人和申报单位可见")


class ConcludeRereview(RequestModel):
    objection_id: FormId = picked("objection", title="异议")
    days: int = Field(ge=1, le=60, title="更正后公示天数")
    note: str = Field(min_length=2, max_length=1000, title="更正说明", description="公开")


class PublicationAction(RequestModel):
    publication_id: FormId = picked("publication", title="公示")


class CommitDraw(RequestModel):
    edition_id: FormId = picked("edition", title="届次")
    projects: int = Field(ge=1, le=1000, title="抽取项目数")
    inspectors_per_project: int = Field(ge=1, le=10, title="每个项目检查人员数")
    redraw_reason: str = Field(default="", max_length=1000, title="重抽原因", description="本届次已有抽查时必填，公开")


class DrawAction(RequestModel):
    draw_id: FormId = picked("inspection_draw", title="抽查")


class RecordFinding(RequestModel):
    draw_id: FormId = picked("inspection_draw", title="抽查")
    award_id: FormId = picked("award", title="资助")
    finding: str = Field(min_length=2, max_length=1000, title="检查结果", description="公开")
    corrects: FormId | None = Field(default=None, title="更正的检查结果编号", description="更正时填写；原结果保留")


async def _publish(request: Request, data: PublishRound) -> str:
    from scoring.publication.service import publish

    async def work(principal: Principal) -> str:
        done = await publish(principal, data.round_id, data.days, data.top_n, None)
        return f"公示 {done.id} 已发布，{len(done.entries)} 个项目，公示期至 {shown(done.ends_at):%Y-%m-%d %H:%M}"

    return await as_officer(request, work)


async def _resolve(request: Request, data: ResolveObjection) -> str:
    from scoring.publication.objections import resolve

    async def work(principal: Principal) -> str:
        done = await resolve(principal, data.objection_id, data.decision == "upheld", data.resolution)
        return f"异议 {done.id} 已处理：" + (
            "成立，项目进入重新评审" if done.status == ObjectionStatus.upheld else "不成立"
        )

    return await as_officer(request, work)


async def _conclude(request: Request, data: ConcludeRereview) -> str:
    from scoring.publication.rereview import conclude

    async def work(principal: Principal) -> str:
        done = await conclude(principal, data.objection_id, data.days, data.note)
        last = done.corrections[-1]
        return f"公示 {done.id} 已更正：新增 {last.added or '无'}，移出 {last.removed or '无'}"

    return await as_officer(request, work)


async def _finalise(request: Request, data: PublicationAction) -> str:
    from scoring.publication.service import finalise

    async def work(principal: Principal) -> str:
        await finalise(principal, data.publication_id)
        return f"公示 {data.publication_id} 结果已生效"

    return await as_officer(request, work)


async def _commit_draw(request: Request, data: CommitDraw) -> str:
    from programmes.draws.service import commit_draw

    async def work(principal: Principal) -> str:
        done = await commit_draw(
            principal, data.edition_id, data.projects, data.inspectors_per_project, data.redraw_reason
        )
        return f"抽查 {done.id} 已登记，种子摘要（SHA-256）：{done.seed_hash}"

    return await as_officer(request, work)


async def _execute_draw(request: Request, data: DrawAction) -> str:
    from programmes.draws.service import execute_draw

    async def work(principal: Principal) -> str:
        done = await execute_draw(principal, data.draw_id)
        return f"抽查 {done.id} 已抽取，种子：{done.seed}，抽中资助：{[p.award_id for p in done.projects]}"

    return await as_officer(request, work)


async def _record_finding(request: Request, data: RecordFinding) -> str:
    from programmes.draws.service import record_finding

    async def work(principal: Principal) -> str:
        await record_finding(principal, data.draw_id, data.award_id, data.finding, data.corrects)
        return f"抽查 {data.draw_id} 资助 {data.award_id} 的检查结果已登记（公开）"

    return await as_officer(request, work)


NOTICE_FORMS = [
    FormConfig("发布公示", PublishRound, _publish, description="轮次关闭并排名后公示入围项目", form_group="公示与抽查"),
    FormConfig(
        "处理公示异议",
        ResolveObjection,
        _resolve,
        description="异议成立则该项目重新评审（专家评分退回）",
        form_group="公示与抽查",
    ),
    FormConfig(
        "完成重新评审并更正公示",
        ConcludeRereview,
        _conclude,
        description="重新评审全部提交后重新排名，更正公示名单并重新计算公示期",
        form_group="公示与抽查",
    ),
    FormConfig(
        "公示结果生效", PublicationAction, _finalise, description="公示期满且无待处理异议", form_group="公示与抽查"
    ),
    FormConfig(
        "双随机：登记抽查",
        CommitDraw,
        _commit_draw,
        description="种子由系统生成，先公布其摘要；已有抽查时须填写重抽原因",
        form_group="公示与抽查",
    ),
    FormConfig(
        "双随机：公开种子并抽取",
        DrawAction,
        _execute_draw,
        description="公开种子并抽取项目与检查人员",
        form_group="公示与抽查",
    ),
    FormConfig(
        "登记抽查结果",
        RecordFinding,
        _record_finding,
        description="检查结果只增不改：更正时填写被更正的结果编号",
        form_group="公示与抽查",
    ),
]
