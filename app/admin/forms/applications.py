"""Piccolo Admin forms for rounds and applications (项目与轮次, 申报与评审): open and close a round, bulk officer
actions, re-screening, the applications export. Each calls the same service function as the API."""

from __future__ import annotations

from piccolo_admin.endpoints import FormConfig
from pydantic import Field, field_validator
from starlette.requests import Request

from app.admin.downloads import download_url
from app.admin.forms.common import ID_LIST_CHARS, application_names, as_officer, parse_ids
from app.admin.picks import labelled, picked
from app.auth.principal import Principal
from app.types import FormId, RequestModel
from programmes.workflows import APPLICATION, BulkApplicationAction, application_action_label


class RoundAction(RequestModel):
    round_id: FormId = picked("round", title="轮次", description="轮次编号")


class ApplicationsAction(RequestModel):
    action: BulkApplicationAction = labelled(
        {action: application_action_label(action) or action for action in APPLICATION.bulk_actions()},
        title="操作",
        description="以项目类型的流程为准",
    )
    application_ids: str = Field(max_length=ID_LIST_CHARS, title="申报编号", description="多个编号用逗号分隔")
    reason: str = Field(default="", max_length=1000, title="原因", description="退回、驳回、未入选时必填，申报单位可见")

    @field_validator("application_ids")
    @classmethod
    def _valid_ids(cls, value: str) -> str:
        parse_ids(value)
        return value


class ApplicationsScreen(RequestModel):
    application_ids: str = Field(max_length=ID_LIST_CHARS, title="申报编号", description="多个编号用逗号分隔")

    @field_validator("application_ids")
    @classmethod
    def _valid_ids(cls, value: str) -> str:
        parse_ids(value)
        return value


async def _close_round(request: Request, data: RoundAction) -> str:
    from programmes.catalogue.service import close_round

    async def work(principal: Principal) -> str:
        ranking = await close_round(principal, data.round_id)
        return f"轮次 {data.round_id} 已关闭，{len(ranking)} 个申报完成排名"

    return await as_officer(request, work)


async def _open_round(request: Request, data: RoundAction) -> str:
    from programmes.catalogue.service import open_round

    async def work(principal: Principal) -> str:
        await open_round(principal, data.round_id)
        return f"轮次 {data.round_id} 已开放申报"

    return await as_officer(request, work)


async def _act_on_applications(request: Request, data: ApplicationsAction) -> str:
    from programmes.applications.officer_actions import act_in_bulk

    async def work(principal: Principal) -> str:
        results = await act_in_bulk(principal, parse_ids(data.application_ids), data.action, data.reason)
        names = await application_names([r.application_id for r in results if r.ok])
        done = [names.get(r.application_id, str(r.application_id)) for r in results if r.ok]
        failed = [f"{r.application_id}（{r.detail}）" for r in results if not r.ok]
        return f"成功 {len(done)} 件：{', '.join(done) or '无'}；未处理 {len(failed)} 件：{'；'.join(failed) or '无'}"

    return await as_officer(request, work)


async def _screen_applications(request: Request, data: ApplicationsScreen) -> str:
    from programmes.applications.screening import rescreen

    async def work(principal: Principal) -> str:
        results = await rescreen(principal, parse_ids(data.application_ids))
        summary = {r.application_id: r.eligibility_outcome for r in results}
        return "资格审查完成：" + "；".join(f"{k}: {v}" for k, v in summary.items())

    return await as_officer(request, work)


async def _export_applications(request: Request, data: RoundAction) -> str:
    from programmes.exports.service import request_export

    async def work(principal: Principal) -> str:
        job = await request_export(principal, data.round_id)
        return f"导出任务 {job.id} 已创建，可在「导出任务」中查看进度，完成后通过 {download_url(job.id)} 下载"

    return await as_officer(request, work)


APPLICATION_FORMS = [
    FormConfig("开放轮次", RoundAction, _open_round, description="开放草稿轮次接受申报", form_group="项目与轮次"),
    FormConfig(
        "关闭轮次并排名",
        RoundAction,
        _close_round,
        description="截止后关闭轮次，按加权平均分排名",
        form_group="项目与轮次",
    ),
    FormConfig(
        "申报批量操作",
        ApplicationsAction,
        _act_on_applications,
        description="对多个申报执行退回修改、驳回、晋级等操作；逐件处理并报告结果",
        form_group="申报与评审",
    ),
    FormConfig(
        "资格复审",
        ApplicationsScreen,
        _screen_applications,
        description="按轮次规则重新进行资格审查",
        form_group="申报与评审",
    ),
    FormConfig(
        "导出申报（xlsx）",
        RoundAction,
        _export_applications,
        description="后台生成轮次全部申报的 Excel 文件",
        form_group="申报与评审",
    ),
]
