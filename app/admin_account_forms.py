"""Piccolo Admin forms for receiving accounts (收款账户) and clawbacks (追回); each calls the API's service function."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from piccolo_admin.endpoints import FormConfig
from pydantic import Field
from starlette.requests import Request

from app.auth.principal import Principal
from app.money import yuan
from app.types import FormId, RequestModel


class BankAccountAction(RequestModel):
    account_id: FormId = Field(title="银行账户编号", description="「银行账户」列表中的编号")


class BankAccountRejection(RequestModel):
    account_id: FormId = Field(title="银行账户编号", description="「银行账户」列表中的编号")
    reason: str = Field(title="驳回原因", min_length=2, max_length=1000, description="机构可见")


class ClawbackDemand(RequestModel):
    award_id: FormId = Field(title="资助编号")
    amount_fen: int = Field(title="追回金额（分）", gt=0, le=10**13, description="以分为单位，例如 1000 元填 100000")
    finding: str = Field(title="审计发现", min_length=2, max_length=1000)


class RefundEntry(RequestModel):
    clawback_id: FormId = Field(title="追回编号")
    amount_fen: int = Field(title="到账金额（分）", gt=0, le=10**13)
    bank_reference: str = Field(
        title="银行流水号",
        min_length=4,
        max_length=64,
        pattern=r"^[A-Za-z0-9_-]+$",
        description="重复登记同一流水号不会重复记账",
    )


async def _as_officer(request: Request, work: Callable[[Principal], Awaitable[str]]) -> str:
    from app.admin_forms import _as_officer as run  # app.admin_forms imports this module while it loads

    return await run(request, work)


async def _verify_account(request: Request, data: BankAccountAction) -> str:
    from programmes.payees.service import verify

    async def work(principal: Principal) -> str:
        account = await verify(principal, data.account_id)
        return f"银行账户 {account['id']}（尾号 {account['account_number'][-4:]}）已核验，此后拨款汇入该账户"

    return await _as_officer(request, work)


async def _reject_account(request: Request, data: BankAccountRejection) -> str:
    from programmes.payees.service import reject

    async def work(principal: Principal) -> str:
        account = await reject(principal, data.account_id, data.reason)
        return f"银行账户 {account['id']} 已驳回，已通知机构"

    return await _as_officer(request, work)


async def _demand_clawback(request: Request, data: ClawbackDemand) -> str:
    from programmes.clawbacks.service import demand

    async def work(principal: Principal) -> str:
        clawback = await demand(principal, data.award_id, data.amount_fen, data.finding)
        return f"追回 {clawback.id} 已发起：{yuan(clawback.amount_fen)}，已通知机构"

    return await _as_officer(request, work)


async def _record_refund(request: Request, data: RefundEntry) -> str:
    from programmes.clawbacks.service import record_refund

    async def work(principal: Principal) -> str:
        clawback = await record_refund(principal, data.clawback_id, data.amount_fen, data.bank_reference)
        return (
            f"追回 {clawback.id}：已退回 {yuan(clawback.refunded_fen)}，"
            f"待退 {yuan(clawback.outstanding_fen)}，状态 {clawback.status_zh}"
        )

    return await _as_officer(request, work)


ACCOUNT_FORMS = [
    FormConfig(
        "核验银行账户",
        BankAccountAction,
        _verify_account,
        description="核验待核验的收款账户；原已核验账户自动停用",
        form_group="社会组织",
    ),
    FormConfig(
        "驳回银行账户", BankAccountRejection, _reject_account, description="账户核验不通过", form_group="社会组织"
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
]
