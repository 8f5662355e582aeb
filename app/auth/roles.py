"""Changing an account's role or officer district (admins only): who may do what, so audited like any rule.

Kept apart from ``app.auth.service`` (login, passwords) because it is an administrator's business operation.
A change of role or district bumps the account's token version, so refresh tokens issued before it are refused;
an access token already issued keeps the old role until it expires (``SEEDBED_ACCESS_TOKEN_MINUTES``). The admin
session reads the role afresh on every request.
"""

from __future__ import annotations

from typing import Any

from piccolo.apps.user.tables import BaseUser

from app.auth.principal import Principal
from app.auth.schemas import AccountRoleChange as AccountRoleChange  # re-exported for the admin form
from app.auth.schemas import AccountRoleRead
from app.auth.tables import Account, Role
from app.errors import DomainError, FieldError, conflict, forbidden, invalid, not_found
from app.organisations.tables import OrganisationMember
from app.uow import unit_of_work
from app.workflow.engine import Actor


async def read_account(user_id: int) -> AccountRoleRead:
    user: Any = Account.user
    row = (
        await Account.select(Account.user, user.username, Account.role, Account.district, Account.display_name)
        .where(Account.user == user_id)
        .first()
    )
    if row is None:
        raise not_found("账户")
    return AccountRoleRead(
        user_id=row["user"],
        username=row["user.username"],
        role=row["role"],
        district=row["district"],
        display_name=row["display_name"],
    )


async def change_role(principal: Principal, user_id: int, data: AccountRoleChange) -> AccountRoleRead:
    """Admins only. Sets the role, the officer's district and Piccolo's admin/superuser flags together.

    Refused: a district for a non-officer (422), one's own role (409: the last admin could lock everyone out), and
    leaving the applicant role while the account still acts for an organisation (409: membership rights would
    outlive the role).
    """
    if principal.role is not Role.admin:
        raise forbidden("只有系统管理员可以调整账户角色")
    if data.district is not None and data.role is not Role.officer:
        raise invalid("district_only_for_officers", "只有项目官员可以设置所属区", "district")
    if user_id == principal.user_id:
        raise conflict("own_role_change", "不能调整自己的角色，请由另一位管理员办理")
    async with unit_of_work(Actor.of(principal)) as uow:
        rows = await Account.select().where(Account.user == user_id).lock_rows("UPDATE")
        if not rows:
            raise not_found("账户")
        current = rows[0]
        if (
            data.role is not Role.applicant
            and current["role"] == Role.applicant.value
            and await OrganisationMember.exists().where(OrganisationMember.user == user_id)
        ):
            message = "该账户仍是社会组织的成员，请先在机构成员中移除"
            raise DomainError(
                "account_has_memberships", message, 409, [FieldError("role", "account_has_memberships", message)]
            )
        wanted: dict[str, Any] = {
            "role": data.role.value,
            "district": data.district.value if data.district else None,
        }
        if data.display_name is not None:
            wanted["display_name"] = data.display_name
        changes = {k: v for k, v in wanted.items() if v != current[k]}
        if changes:
            values: dict[Any, Any] = {getattr(Account, k): v for k, v in changes.items()}
            if changes.keys() & {"role", "district"}:
                # Refresh tokens carry the old role: a new token version refuses them (app.auth.service.refresh).
                values[Account.token_version] = Account.token_version + 1
            await Account.update(values).where(Account.user == user_id)
            await BaseUser.update(
                {
                    BaseUser.admin: data.role in (Role.officer, Role.admin),
                    BaseUser.superuser: data.role is Role.admin,
                }
            ).where(BaseUser.id == user_id)
            await uow.audit(
                "account.change_role",
                "account",
                user_id,
                before={k: current[k] for k in changes},
                after=changes,
                reason=data.reason,
            )
    return await read_account(user_id)


async def user_id_for(username: str) -> int:
    """The user id behind a username typed into an admin form."""
    row = await BaseUser.select(BaseUser.id).where(BaseUser.username == username).first()
    if row is None:
        raise invalid("user_not_found", "没有这个用户名的账户", "username")
    return int(row["id"])
