"""Piccolo Admin forms for receiving accounts (收款账户): verify or reject; each calls the API's service function."""

from __future__ import annotations

from piccolo_admin.endpoints import FormConfig
from pydantic import Field
from starlette.requests import Request

from app.admin.forms.common import as_officer
from app.admin.picks import picked
from app.auth.principal import Principal
from app.types import FormId, RequestModel


class BankAccountAction(RequestModel):
    account_id: FormId = picked("bank_account", title="银行账户")


class BankAccountRejection(RequestModel):
    account_id: FormId = picked("bank_account", title="银行账户")
    reason: str = Field(title="驳回原因", min_length=2, max_length=1000, description="机构可见")


async def _verify_account(request: Request, data: BankAccountAction) -> str:
    from programmes.payees.service import verify

    async def work(principal: Principal) -> str:
        account = await verify(principal, data.account_id)
        return f"银行账户 {account.id}（尾号 {account.account_number[-4:]}）已核验，此后拨款汇入该账户"

    return await as_officer(request, work)


async def _reject_account(request: Request, data: BankAccountRejection) -> str:
    from programmes.payees.service import reject

    async def work(principal: Principal) -> str:
        account = await reject(principal, data.account_id, data.reason)
        return f"银行账户 {account.id} 已驳回，已通知机构"

    return await as_officer(request, work)


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
]
