"""Accounts: creation by role, login and token refresh."""

from __future__ import annotations

from typing import Any

from piccolo.apps.user.tables import BaseUser

from app import audit
from app.auth.tables import Account, Role
from app.auth.tokens import issue_pair
from app.errors import DomainError, conflict, invalid
from app.reference import District


async def create_account(
    *, username: str, password: str, role: Role, district: District | None = None, display_name: str = ""
) -> int:
    """Create a user with a role. Officers and admins get Piccolo Admin access; others never do.

    Called by the CLI, the admin, demo data, and (for applicants) organisation self-registration.
    """
    if district is not None and role is not Role.officer:
        raise invalid("district_only_for_officers", "只有项目官员可以设置所属区", "district")
    if await BaseUser.exists().where(BaseUser.username == username):
        raise conflict("username_taken", "该用户名已被使用")
    try:
        user = await BaseUser.create_user(
            username=username,
            password=password,
            # Piccolo's email column is unique; accounts here are identified by username.
            email=f"{username}@users.seedbed.invalid",
            active=True,
            admin=role in (Role.officer, Role.admin),
            superuser=role is Role.admin,
        )
    except ValueError as exc:  # Piccolo's password rules (length etc.)
        raise invalid("password_rejected", "密码不符合要求（至少 6 位）", "password") from exc
    await Account.insert(
        Account(user=user.id, role=role, district=district.value if district else None, display_name=display_name)
    )
    await audit.record(
        actor_id=None,
        actor_role="system",
        action="account.create",
        object_type="account",
        object_id=user.id,
        after={"username": username, "role": role.value, "district": district.value if district else None},
    )
    return int(user.id)


async def login(username: str, password: str) -> dict[str, Any]:
    user_id = await BaseUser.login(username=username, password=password)
    if user_id is None:
        raise DomainError("login_failed", "用户名或密码错误", 401)
    return await _pair_for(user_id)


async def refresh(user_id: int) -> dict[str, Any]:
    user = await BaseUser.objects().get(BaseUser.id == user_id)
    if user is None or not user.active:
        raise DomainError("login_failed", "账户不存在或已停用", 401)
    return await _pair_for(user_id)


async def _pair_for(user_id: int) -> dict[str, Any]:
    account = (
        await Account.select(Account.role, Account.district, Account.user.username)
        .where(Account.user == user_id)
        .first()
    )
    if account is None:
        raise DomainError("account_without_role", "该账户尚未分配角色，请联系管理员", 403)
    return issue_pair(user_id, account["user.username"], account["role"], account["district"])
