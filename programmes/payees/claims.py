"""When an organisation is transferred to the one who claimed it (认领), the accounts its former members named stop
receiving money: pending ones are rejected, the verified one revoked — otherwise the squatter's account would still
be paid. Registered with ``app.organisations.claims.on_transfer`` where the programmes app loads
(``programmes/piccolo_app.py``), so every process that can approve a claim withdraws the accounts with it.
"""

from __future__ import annotations

from app.organisations.claims import on_transfer
from app.uow import unit_of_work
from app.workflow.engine import Actor
from programmes.payees.tables import BankAccount
from programmes.workflows.agreements import BANK_ACCOUNT, BankAccountStatus


@on_transfer
async def withdraw_accounts(organisation_id: int, claim_id: int, actor: Actor) -> None:
    """In the approval's transaction (the unit joins it), as the approving officer."""
    why = f"机构经认领申请 {claim_id} 转给认领人，原成员登记的账户停用"
    async with unit_of_work(actor) as uow:
        accounts = await BankAccount.select(BankAccount.id, BankAccount.status).where(
            (BankAccount.organisation == organisation_id) & BankAccount.status.is_in(BANK_ACCOUNT.states_with("in_use"))
        )
        for account in accounts:
            action = "reject" if account["status"] == BankAccountStatus.pending else "revoke"
            await uow.transition(BankAccount, account["id"], action, values={"decision_reason": why}, reason=why)
