"""The signed-in user's own account: read it, and keep its e-mail, mobile and display name current."""

from __future__ import annotations

from typing import Any

from asyncpg.exceptions import UniqueViolationError
from piccolo.apps.user.tables import BaseUser
from piccolo.columns import Column

from app.auth.contact import email_taken, real_email
from app.auth.principal import Principal
from app.auth.schemas import AccountRead, ContactUpdate
from app.auth.tables import Account
from app.errors import invalid, not_found
from app.uow import unit_of_work
from app.workflow.engine import Actor


async def read_account(user_id: int) -> AccountRead:
    row = (
        await Account.select(
            Account.role,
            Account.district,
            Account.display_name,
            Account.mobile,
            Account.user.username.as_alias("username"),
            Account.user.email.as_alias("email"),
        )
        .where(Account.user == user_id)
        .first()
    )
    if row is None:
        raise not_found("账户")
    return AccountRead(
        user_id=user_id,
        username=row["username"],
        role=row["role"],
        district=row["district"],
        display_name=row["display_name"],
        email=real_email(row["email"]),
        mobile=row["mobile"],
    )


async def update_contact(principal: Principal, data: ContactUpdate) -> AccountRead:
    """The signed-in user, any role, own account only. Audited with before/after."""
    sent = data.model_fields_set
    if "email" in sent and data.email is None:
        raise invalid("email_required", "邮箱不能删除，只能更换为新的邮箱", "email")
    if "display_name" in sent and data.display_name is None:
        raise invalid("display_name_required", "姓名不能为空", "display_name")
    before = await read_account(principal.user_id)
    changes = {name: getattr(data, name) for name in sent if getattr(data, name) != getattr(before, name)}
    if not changes:
        return before
    if "email" in changes and await BaseUser.exists().where(
        (BaseUser.email == changes["email"]) & (BaseUser.id != principal.user_id)
    ):
        raise email_taken()
    try:
        async with unit_of_work(Actor.of(principal)) as uow:
            if "email" in changes:
                await BaseUser.update({BaseUser.email: changes["email"]}).where(BaseUser.id == principal.user_id)
            columns: dict[str, Column] = {"mobile": Account.mobile, "display_name": Account.display_name}
            account_changes: dict[Column | str, Any] = {columns[k]: v for k, v in changes.items() if k in columns}
            if account_changes:
                await Account.update(account_changes).where(Account.user == principal.user_id)
            await uow.audit(
                "account.contact_update",
                "account",
                principal.user_id,
                before={k: getattr(before, k) for k in changes},
                after=changes,
            )
    except UniqueViolationError as exc:  # another account took the address between the check and the write
        raise email_taken() from exc
    return await read_account(principal.user_id)
