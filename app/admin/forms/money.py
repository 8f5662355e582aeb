"""Piccolo Admin forms for money (资金): payment batches (build, approve, discard, re-run, progress), clawbacks and
refunds, dismissing a risk warning, money exports. Each calls the same service function as the API."""

from __future__ import annotations

from piccolo_admin.endpoints import FormConfig
from pydantic import Field, field_validator
from starlette.requests import Request

from app.admin.downloads import download_url
from app.admin.forms.common import ID_LIST_CHARS, as_officer, parse_ids
from app.admin.picks import picked
from app.auth.principal import Principal
from app.money import yuan
from app.types import FormId, RequestModel
from programmes.workflows.disbursement import BatchItemStatus


class BatchApproval(RequestModel):
    batch_id: FormId = picked("payment_batch", title="支付批次", description="支付批次编号")


class WarningDismissal(RequestModel):
    warning_id: FormId = picked("risk_warning", title="预警", description="预警编号")
    reason: str = Field(title="排除理由", min_length=2, max_length=1000, description="核实情况，记入审计日志")


class BatchBuild(RequestModel):
    title: str = Field(title="批次名称", min_length=2, max_length=200, description="例如：2026 年第一批拨付")
    tranche_ids: str = Field(
        max_length=ID_LIST_CHARS, title="拨付款项编号", description="可拨付（或支付失败）的款项编号，用逗号分隔"
    )

    @field_validator("tranche_ids")
    @classmethod
    def _valid_ids(cls, value: str) -> str:
        tranche_ids(value)
        return value


def tranche_ids(value: str) -> list[int]:
    return parse_ids(value, "款项编号", most=1000)


class BatchDiscardForm(RequestModel):
    batch_id: FormId = picked("payment_batch", title="支付批次", description="草稿状态的支付批次编号")
    reason: str = Field(title="作废理由", min_length=2, max_length=1000, description="记入审计日志")


class BatchTrancheRemovalForm(RequestModel):
    batch_id: FormId = picked("payment_batch", title="支付批次", description="草稿状态的支付批次编号")
    tranche_id: FormId = Field(title="款项编号", description="要移出批次的款项编号")
    reason: str = Field(title="移出理由", min_length=2, max_length=1000, description="记入审计日志")


class ClawbackDemand(RequestModel):
    award_id: FormId = picked("award", title="资助")
    amount_fen: int = Field(title="追回金额（分）", gt=0, le=10**13, description="以分为单位，例如 1000 元填 100000")
    finding: str = Field(title="审计发现", min_length=2, max_length=1000)


class RefundEntry(RequestModel):
    clawback_id: FormId = picked("clawback", title="追回")
    amount_fen: int = Field(title="到账金额（分）", gt=0, le=10**13)
    bank_reference: str = Field(
        title="银行流水号",
        min_length=4,
        max_length=64,
        pattern=r"^[A-Za-z0-9_-]+$",
        description="重复登记同一流水号不会重复记账",
    )


class NoInput(RequestModel):
    confirm: bool = Field(default=True, title="确认导出", description="区级官员仅导出本区数据")


def _export_done(job_id: int) -> str:
    return f"导出任务 {job_id} 已创建，可在「导出任务」中查看进度，完成后通过 {download_url(job_id)} 下载"


async def _approve_batch(request: Request, data: BatchApproval) -> str:
    from programmes.disbursements.service import approve_batch

    async def work(principal: Principal) -> str:
        batch = await approve_batch(principal, data.batch_id)
        return f"支付批次 {batch.id} 已审批，共 {yuan(batch.total_fen)}，正在后台支付"

    return await as_officer(request, work)


async def _demand_clawback(request: Request, data: ClawbackDemand) -> str:
    from programmes.clawbacks.service import demand

    async def work(principal: Principal) -> str:
        clawback = await demand(principal, data.award_id, data.amount_fen, data.finding)
        return f"追回 {clawback.id} 已发起：{yuan(clawback.amount_fen)}，已通知机构"

    return await as_officer(request, work)


async def _record_refund(request: Request, data: RefundEntry) -> str:
    from programmes.clawbacks.service import record_refund

    async def work(principal: Principal) -> str:
        clawback = await record_refund(principal, data.clawback_id, data.amount_fen, data.bank_reference)
        return (
            f"追回 {clawback.id}：已退回 {yuan(clawback.refunded_fen)}，"
            f"待退 {yuan(clawback.outstanding_fen)}，状态 {clawback.status_zh}"
        )

    return await as_officer(request, work)


async def _dismiss_warning(request: Request, data: WarningDismissal) -> str:
    from programmes.risk.service import dismiss_warning

    async def work(principal: Principal) -> str:
        warning = await dismiss_warning(principal, data.warning_id, data.reason)
        return f"预警 {warning.id}（{warning.kind_zh}）已核实排除，同一事项不再重复预警"

    return await as_officer(request, work)


async def _build_batch(request: Request, data: BatchBuild) -> str:
    from programmes.disbursements.schemas import BatchCreate
    from programmes.disbursements.service import create_batch

    async def work(principal: Principal) -> str:
        batch = await create_batch(principal, BatchCreate(title=data.title, tranche_ids=tranche_ids(data.tranche_ids)))
        count, total = len(batch.items), yuan(batch.total_fen)
        return f"支付批次 {batch.id}「{batch.title}」已建立（草稿），共 {count} 笔 {total}，审批后支付"

    return await as_officer(request, work)


async def _discard_batch(request: Request, data: BatchDiscardForm) -> str:
    from programmes.disbursements.drafts import discard_batch

    async def work(principal: Principal) -> str:
        batch = await discard_batch(principal, data.batch_id, data.reason)
        count = sum(1 for i in batch.items if i.status == BatchItemStatus.removed)
        return f"支付批次 {batch.id}「{batch.title}」已作废，{count} 笔款项恢复为可拨付"

    return await as_officer(request, work)


async def _remove_tranche(request: Request, data: BatchTrancheRemovalForm) -> str:
    from programmes.disbursements.drafts import remove_tranche

    async def work(principal: Principal) -> str:
        batch = await remove_tranche(principal, data.batch_id, data.tranche_id, data.reason)
        return f"款项 {data.tranche_id} 已移出支付批次 {batch.id}，批次现余 {yuan(batch.total_fen)}"

    return await as_officer(request, work)


async def _export_money_summary(request: Request, data: NoInput) -> str:
    from programmes.exports.service import request_money_summary

    async def work(principal: Principal) -> str:
        return _export_done((await request_money_summary(principal)).id)

    return await as_officer(request, work)


async def _export_batch_payments(request: Request, data: BatchApproval) -> str:
    from programmes.exports.service import request_batch_payments

    async def work(principal: Principal) -> str:
        return _export_done((await request_batch_payments(principal, data.batch_id)).id)

    return await as_officer(request, work)


async def _rerun_batch(request: Request, data: BatchApproval) -> str:
    from programmes.disbursements.service import progress_summary_zh, rerun_batch

    async def work(principal: Principal) -> str:
        batch = await rerun_batch(principal, data.batch_id)
        return "已重新提交支付任务。" + progress_summary_zh(batch)

    return await as_officer(request, work)


async def _batch_progress(request: Request, data: BatchApproval) -> str:
    from programmes.disbursements.service import progress_summary_zh, read_batch_for

    async def work(principal: Principal) -> str:
        return progress_summary_zh(await read_batch_for(principal, data.batch_id))

    return await as_officer(request, work)


MONEY_FORMS = [
    FormConfig(
        "审批支付批次",
        BatchApproval,
        _approve_batch,
        description="须由建立批次以外的另一名官员审批（双人复核）；审批后由后台任务逐笔支付",
        form_group="资金",
    ),
    FormConfig(
        "发起追回", ClawbackDemand, _demand_clawback, description="依审计发现要求退回已拨付资金", form_group="资金"
    ),
    FormConfig(
        "登记退款",
        RefundEntry,
        _record_refund,
        description="登记银行已到账的退款；退足后追回自动结清",
        form_group="资金",
    ),
    FormConfig(
        "新建支付批次",
        BatchBuild,
        _build_batch,
        description="将可拨付的款项列入新的支付批次（同一批次须同属市级或同一区，收款账户须已核验）",
        form_group="资金",
    ),
    FormConfig(
        "作废支付批次",
        BatchDiscardForm,
        _discard_batch,
        description="作废草稿状态的支付批次，其中款项恢复为可拨付（可再变更或撤销资助）",
        form_group="资金",
    ),
    FormConfig(
        "移出批次款项",
        BatchTrancheRemovalForm,
        _remove_tranche,
        description="将款项移出草稿状态的支付批次，恢复为可拨付（批次最后一笔请作废批次）",
        form_group="资金",
    ),
    FormConfig(
        "排除预警", WarningDismissal, _dismiss_warning, description="经核实不构成风险的预警予以排除", form_group="资金"
    ),
    FormConfig(
        "导出资金汇总",
        NoInput,
        _export_money_summary,
        description="按资金来源、区、项目汇总预算、承诺、拨付、退回与余额（xlsx）",
        form_group="资金",
    ),
    FormConfig(
        "导出批次支付明细",
        BatchApproval,
        _export_batch_payments,
        description="支付批次逐笔明细（账号仅显示后四位，xlsx）",
        form_group="资金",
    ),
    FormConfig(
        "重新执行支付批次",
        BatchApproval,
        _rerun_batch,
        description="已审批且仍有待支付款项的批次，重新提交后台支付任务（不会重复支付）",
        form_group="资金",
    ),
    FormConfig(
        "查看支付批次进度",
        BatchApproval,
        _batch_progress,
        description="已支付、失败、待支付的笔数与金额",
        form_group="资金",
    ),
]
