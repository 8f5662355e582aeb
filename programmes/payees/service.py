"""收款账户: an organisation's bank accounts for receiving funds, verified by an officer before any money goes there.

A change of account is a new ``pending`` row; verifying it supersedes the old ``verified`` one in the same
transaction, so payments switch over at one instant and never go to an unverified account. The database keeps at
most one ``verified`` account per organisation (partial unique index ``bank_account_one_verified``); every writer
locks the organisation row first, so concurrent submissions and verifications of one organisation queue instead of
colliding on that index.
"""

from __future__ import annotations

import re
from typing import Any

from app.access import load, protect
from app.auth.principal import Principal
from app.auth.tables import Role
from app.errors import DomainError, FieldError, conflict, not_found
from app.notifications.service import notify_organisations
from app.organisations.service import member_organisation_ids
from app.organisations.tables import Organisation, OrganisationType
from app.paging import Page, PageParams, fetch_page
from app.timezone import now_utc
from app.uow import unit_of_work
from app.workflow.engine import Actor
from programmes.payees.schemas import BankAccountCreate, BankAccountRead
from programmes.payees.tables import BankAccount
from programmes.workflows.agreements import BANK_ACCOUNT, BankAccountStatus

_DIGITS = re.compile(r"^[0-9]{8,32}$")
WHAT = "银行账户"
# Officers act on accounts of their scope's organisations (the account's scope_district is the organisation's).
ACCOUNTS = protect(BankAccount, WHAT)


def _comparable_name(name: str) -> str:
    # Bank forms and registration certificates mix full- and half-width brackets and spaces; the name is the same.
    return re.sub(r"\s+", "", name).replace("（", "(").replace("）", ")")


def _checked(org: dict[str, Any], data: BankAccountCreate) -> str:
    """The normalised account number, or one 422 naming every bad field."""
    if org["org_type"] == OrganisationType.filed_community_group.value:
        raise DomainError(
            "group_cannot_hold_account",
            "备案类社区群众活动团队不是法人，不能开立收款账户：资金拨付至财务代管的街镇社会组织服务中心",
            422,
        )
    errors = []
    if _comparable_name(data.account_name) != _comparable_name(org["name"]):
        errors.append(FieldError("account_name", "account_name_mismatch", f"户名须与登记名称「{org['name']}」一致"))
    number = re.sub(r"\s+", "", data.account_number)
    if not _DIGITS.match(number):
        errors.append(FieldError("account_number", "account_number_invalid", "账号须为 8–32 位数字"))
    if errors:
        raise DomainError(errors[0].code, "；".join(e.message for e in errors), 422, errors)
    return number


async def _organisation(organisation_id: int, *, lock: bool = False) -> dict[str, Any]:
    query = Organisation.select(Organisation.id, Organisation.name, Organisation.org_type, Organisation.district).where(
        Organisation.id == organisation_id
    )
    rows = await (query.lock_rows("UPDATE") if lock else query)
    if not rows:
        raise not_found("社会组织")
    return dict(rows[0])


async def submit(principal: Principal, organisation_id: int, data: BankAccountCreate) -> BankAccountRead:
    """A member of the organisation asks for an account (first one or a change); an officer verifies it later."""
    if organisation_id not in await member_organisation_ids(principal.user_id):
        raise not_found("社会组织")
    number = _checked(await _organisation(organisation_id), data)
    async with unit_of_work(Actor.of(principal)) as uow:
        org = await _organisation(organisation_id, lock=True)  # one pending request at a time, checked under lock
        if await BankAccount.exists().where(
            (BankAccount.organisation == organisation_id) & (BankAccount.status == BankAccountStatus.pending)
        ):
            raise conflict("bank_account_change_pending", "已有待核验的账户申请，请等待主管部门处理后再提交")
        rows = await BankAccount.insert(
            BankAccount(
                organisation=organisation_id,
                account_name=org["name"],
                bank_name=data.bank_name.strip(),
                account_number=number,
                status=BANK_ACCOUNT.initial,
                requested_by=principal.user_id,
                scope_district=org["district"],
            )
        ).returning(BankAccount.id)
        account_id = int(rows[0]["id"])
        await uow.audit(
            "bank_account.submit",
            "bank_account",
            account_id,
            after={"organisation_id": organisation_id, "bank_name": data.bank_name, "account_number": number},
        )
    return await read(account_id)


async def verify(principal: Principal, account_id: int) -> BankAccountRead:
    """Officer in scope verifies a pending account: the organisation's verified account (if any) is superseded and
    this one verified, in one transaction; payments from now on go here. Members are notified."""
    account = await load(principal, BankAccount, account_id)
    async with unit_of_work(Actor.of(principal)) as uow:
        # Lock order: organisation, then its accounts. Two verifications for one organisation run one after the
        # other; the second supersedes what the first verified, and the one-verified index is never hit.
        org = await _organisation(account["organisation"], lock=True)
        if _comparable_name(account["account_name"]) != _comparable_name(org["name"]):
            raise conflict("account_name_mismatch", f"户名与现登记名称「{org['name']}」不一致，请驳回后重新申请")
        current = await BankAccount.select(BankAccount.id).where(
            (BankAccount.organisation == org["id"])
            & (BankAccount.status == BankAccountStatus.verified)
            & (BankAccount.id != account_id)
        )
        async with unit_of_work(Actor.system()) as system:  # the switch-over is Seedbed's, not the officer's
            for old in current:
                await system.transition(BankAccount, old["id"], "supersede", reason=f"新账户 {account_id} 核验通过")
        await uow.transition(
            BankAccount, account_id, "verify", values={"verified_by": principal.user_id, "verified_at": now_utc()}
        )
        await _notify(
            org["id"],
            account_id,
            "verified",
            "收款账户已核验",
            f"尾号 {account['account_number'][-4:]} 的账户已核验，此后拨款汇入该账户。",
        )
    return await read(account_id)


async def reject(principal: Principal, account_id: int, reason: str) -> BankAccountRead:
    """Officer in scope refuses a pending account (with the reason the organisation sees)."""
    return await _decide(principal, account_id, "reject", reason, "收款账户未通过核验")


async def revoke(principal: Principal, account_id: int, reason: str) -> BankAccountRead:
    """Officer in scope withdraws a verified account (closed, frozen, wrong): nothing is paid until a new one is
    verified; payment jobs already queued fail the item with a reason instead of guessing (see disbursements.jobs)."""
    return await _decide(principal, account_id, "revoke", reason, "收款账户核验已撤销")


async def _decide(principal: Principal, account_id: int, action: str, reason: str, title: str) -> BankAccountRead:
    account = await load(
        principal, BankAccount, account_id, columns=(BankAccount.organisation, BankAccount.scope_district)
    )
    async with unit_of_work(Actor.of(principal)) as uow:
        await _organisation(account["organisation"], lock=True)
        await uow.transition(BankAccount, account_id, action, values={"decision_reason": reason}, reason=reason)
        await _notify(account["organisation"], account_id, action, title, f"原因：{reason}")
    return await read(account_id)


async def _notify(organisation_id: int, account_id: int, event: str, title: str, body: str) -> None:
    await notify_organisations(
        [organisation_id], f"bank_account_{event}", title, body, f"bank_account:{account_id}:{event}"
    )


async def verified_account(organisation_id: int) -> BankAccountRead | None:
    """The one account money may go to now (unique index ``bank_account_one_verified``), or None."""
    row = (
        await BankAccount.select()
        .where((BankAccount.organisation == organisation_id) & (BankAccount.status == BankAccountStatus.verified))
        .first()
    )
    return _shown(row) if row is not None else None


def _shown(row: dict[str, Any]) -> BankAccountRead:
    return BankAccountRead(
        id=row["id"],
        organisation_id=row["organisation"],
        account_name=row["account_name"],
        bank_name=row["bank_name"],
        account_number=row["account_number"],
        status=row["status"],
        status_zh=BANK_ACCOUNT.states[row["status"]],
        decision_reason=row["decision_reason"],
        verified_at=row["verified_at"],
        created_at=row["created_at"],
    )


async def read(account_id: int) -> BankAccountRead:
    row = await BankAccount.select().where(BankAccount.id == account_id).first()
    if row is None:
        raise not_found(WHAT)
    return _shown(row)


async def read_for(principal: Principal, account_id: int) -> BankAccountRead:
    row = await load(principal, BankAccount, account_id, "any")
    await _ensure_visible(principal, int(row["organisation"]))
    return _shown(row)


async def _ensure_visible(principal: Principal, organisation_id: int) -> None:
    """Account numbers are shown in full, so only the organisation's own members and staff in scope see them
    (an organisation-level rule: the list answers for an organisation, not for one account row)."""
    org = await _organisation(organisation_id)
    if principal.role is Role.applicant:
        if organisation_id not in await member_organisation_ids(principal.user_id):
            raise not_found("社会组织")
    elif not (principal.is_staff and principal.can_see_district(org["district"])):
        raise not_found("社会组织")


async def list_for(principal: Principal, organisation_id: int, paging: PageParams) -> Page[BankAccountRead]:
    """The organisation's accounts, newest first: its members, or staff whose scope covers its district."""
    await _ensure_visible(principal, organisation_id)
    page = await fetch_page(
        BankAccount,
        BankAccount.select().order_by(BankAccount.id, ascending=False),
        paging,
        BankAccount.organisation == organisation_id,
    )
    return page.map([_shown(r) for r in page.items])
