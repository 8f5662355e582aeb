"""Piccolo Admin forms: officers' actions that carry rules. Each calls the same service function as the API."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Literal

from piccolo_admin.endpoints import FormConfig
from pydantic import Field, field_validator
from starlette.requests import Request

from app.admin_account_forms import ACCOUNT_FORMS
from app.admin_downloads import download_url
from app.admin_scope import admin_principal
from app.auth.contact import Email, Mobile
from app.auth.principal import Principal
from app.errors import DomainError
from app.money import yuan
from app.types import ID_MAX, ID_MIN, FormId, RequestModel


class BatchApproval(RequestModel):
    batch_id: FormId = Field(title="支付批次编号", description="支付批次编号")


class RoundAction(RequestModel):
    round_id: FormId = Field(title="轮次编号", description="轮次编号")


# Room for the 500 ids a bulk action accepts (OfficerAction.application_ids), or 1,000 tranche ids.
ID_LIST_CHARS = 12_000


def parse_ids(value: str, what_zh: str = "申报编号", most: int | None = None) -> list[int]:
    """Ids typed into an admin form: digits separated by commas (half- or full-width) or spaces."""
    parts = [p for p in value.replace("，", ",").replace(" ", ",").split(",") if p]
    if not parts or (most is not None and len(parts) > most) or not all(p.isdigit() for p in parts):
        count = f" 1–{most} 个" if most is not None else ""
        raise ValueError(f"请填写{count}{what_zh}，用逗号分隔，例如 12,13,15")
    ids = [int(p) for p in parts]
    if not all(ID_MIN <= i <= ID_MAX for i in ids):
        raise ValueError(f"{what_zh}超出范围（1–{ID_MAX}）")
    return ids


class ApplicationsAction(RequestModel):
    action: Literal["return_for_revision", "reject", "advance", "select", "decline", "approve"] = Field(
        title="操作", description="退回修改 / 驳回 / 晋级 / 入选 / 未入选 / 审核通过（以项目类型的流程为准）"
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


async def _as_officer(request: Request, work: Callable[[Principal], Awaitable[str]]) -> str:
    principal = await admin_principal(request)
    try:
        return await work(principal)
    except DomainError as exc:  # Piccolo Admin shows a ValueError's text in the form
        raise ValueError(exc.detail) from exc


async def _approve_batch(request: Request, data: BatchApproval) -> str:
    from programmes.disbursements.service import approve_batch

    async def work(principal: Principal) -> str:
        batch = await approve_batch(principal, data.batch_id)
        return f"支付批次 {batch.id} 已审批，共 {yuan(batch.total_fen)}，正在后台支付"

    return await _as_officer(request, work)


async def _close_round(request: Request, data: RoundAction) -> str:
    from programmes.catalogue.service import close_round

    async def work(principal: Principal) -> str:
        ranking = await close_round(principal, data.round_id)
        return f"轮次 {data.round_id} 已关闭，{len(ranking)} 个申报完成排名"

    return await _as_officer(request, work)


async def _open_round(request: Request, data: RoundAction) -> str:
    from programmes.catalogue.service import open_round

    async def work(principal: Principal) -> str:
        await open_round(principal, data.round_id)
        return f"轮次 {data.round_id} 已开放申报"

    return await _as_officer(request, work)


async def _act_on_applications(request: Request, data: ApplicationsAction) -> str:
    from programmes.applications.officer_actions import act_in_bulk

    async def work(principal: Principal) -> str:
        results = await act_in_bulk(principal, parse_ids(data.application_ids), data.action, data.reason)
        done = [str(r["application_id"]) for r in results if r["ok"]]
        failed = [f"{r['application_id']}（{r['detail']}）" for r in results if not r["ok"]]
        return f"成功 {len(done)} 件：{', '.join(done) or '无'}；未处理 {len(failed)} 件：{'；'.join(failed) or '无'}"

    return await _as_officer(request, work)


async def _screen_applications(request: Request, data: ApplicationsScreen) -> str:
    from programmes.applications.screening import rescreen

    async def work(principal: Principal) -> str:
        results = await rescreen(principal, parse_ids(data.application_ids))
        summary = {r["application_id"]: r["eligibility_outcome"] for r in results}
        return "资格审查完成：" + "；".join(f"{k}: {v}" for k, v in summary.items())

    return await _as_officer(request, work)


async def _export_applications(request: Request, data: RoundAction) -> str:
    from programmes.exports.service import request_export

    async def work(principal: Principal) -> str:
        job = await request_export(principal, data.round_id)
        return f"导出任务 {job['id']} 已创建，可在「导出任务」中查看进度，完成后通过 {download_url(job['id'])} 下载"

    return await _as_officer(request, work)


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

    return await _as_officer(request, work)


ADMIN_FORMS = [
    FormConfig(
        "审批支付批次",
        BatchApproval,
        _approve_batch,
        description="须由建立批次以外的另一名官员审批（双人复核）；审批后由后台任务逐笔支付",
        form_group="资金",
    ),
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
        "邀请评审专家",
        ExpertInvitation,
        _invite_expert,
        description="创建专家账户并加入评估专家库",
        form_group="专家与评审",
    ),
    FormConfig(
        "导出申报（xlsx）",
        RoundAction,
        _export_applications,
        description="后台生成轮次全部申报的 Excel 文件",
        form_group="申报与评审",
    ),
    *ACCOUNT_FORMS,
]
