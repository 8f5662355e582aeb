"""Accounts: creation by role, login and token refresh."""

from __future__ import annotations

from litestar.exceptions import NotAuthorizedException
from piccolo.apps.user.tables import BaseUser

from app.auth import hashing
from app.auth.contact import email_taken, placeholder_email
from app.auth.principal import Principal, decode_token
from app.auth.schemas import Me, TokenPair
from app.auth.tables import Account, Role
from app.auth.tokens import issue_pair
from app.errors import DomainError, conflict, invalid
from app.reference import District
from app.uow import unit_of_work
from app.workflow.engine import Actor


async def create_account(
    *,
    username: str,
    password: str,
    role: Role,
    district: District | None = None,
    display_name: str = "",
    email: str | None = None,
    mobile: str | None = None,
) -> int:
    """Create a user with a role. Officers and admins get Piccolo Admin access; others never do.

    Called by the CLI, the admin, demo data, and (for applicants) organisation self-registration. ``email`` and
    ``mobile`` arrive validated (app.auth.contact); without an e-mail the account gets the never-mailed placeholder.
    """
    if district is not None and role is not Role.officer:
        raise invalid("district_only_for_officers", "只有项目官员可以设置所属区", "district")
    if await BaseUser.exists().where(BaseUser.username == username):
        raise conflict("username_taken", "该用户名已被使用")
    if email is not None and await BaseUser.exists().where(BaseUser.email == email):
        raise email_taken()
    async with unit_of_work(Actor.system()) as uow:
        user_id = await _create_user(username, password, role, email)
        await Account.insert(
            Account(
                user=user_id,
                role=role,
                district=district.value if district else None,
                display_name=display_name,
                mobile=mobile,
            )
        )
        await uow.audit(
            "account.create",
            "account",
            user_id,
            after={
                "username": username,
                "role": role.value,
                "district": district.value if district else None,
                "email": email,
                "mobile": mobile,
            },
        )
    return user_id


async def _create_user(username: str, password: str, role: Role, email: str | None) -> int:
    try:
        user = await hashing.new_user(
            username,
            password,
            # Piccolo's email column is unique and required: accounts without an address get a placeholder.
            email=email or placeholder_email(username),
            active=True,
            admin=role in (Role.officer, Role.admin),
            superuser=role is Role.admin,
        )
    except ValueError as exc:  # Piccolo's password rules (length etc.)
        raise invalid("password_rejected", "密码不符合要求（至少 6 位）", "password") from exc
    return int(user.id)


async def login(username: str, password: str) -> TokenPair:
    # Off the event loop, and an unknown username costs a hash too (app.auth.hashing).
    user_id = await hashing.login(username, password)
    if user_id is None:
        raise DomainError("login_failed", "用户名或密码错误", 401)
    # Piccolo's login checks the password only; a deactivated account must not get tokens (refresh checks it too).
    if not await BaseUser.exists().where((BaseUser.id == user_id) & (BaseUser.active == True)):  # noqa: E712
        raise DomainError("login_failed", "账户不存在或已停用", 401)
    return await token_pair(user_id)


async def refresh(refresh_token: str) -> TokenPair:
    """Anyone holding a refresh token. Refused once the account's token version moved on (logout, password)."""
    claims = decode_token(refresh_token, "refresh")
    # Tokens issued before token versions existed carry no "ver": they count as version 0.
    token_version = claims.get("ver", 0)
    if not isinstance(token_version, int):
        raise NotAuthorizedException("invalid token")
    user_id = int(claims["sub"])
    user = await BaseUser.objects().get(BaseUser.id == user_id)
    if user is None or not user.active:
        raise DomainError("login_failed", "账户不存在或已停用", 401)
    return await token_pair(user_id, expected_version=token_version)


async def token_pair(user_id: int, expected_version: int | None = None) -> TokenPair:
    account = (
        await Account.select(Account.role, Account.district, Account.token_version, Account.user.username)
        .where(Account.user == user_id)
        .first()
    )
    if account is None:
        raise DomainError("account_without_role", "该账户尚未分配角色，请联系管理员", 403)
    if expected_version is not None and account["token_version"] != expected_version:
        raise DomainError("token_revoked", "登录已失效（已退出或已修改密码），请重新登录", 401)
    return issue_pair(user_id, account["user.username"], account["role"], account["district"], account["token_version"])


def me(principal: Principal) -> Me:
    """Who the token says the caller is (no database read)."""
    return Me(
        user_id=principal.user_id, username=principal.username, role=principal.role.value, district=principal.district
    )
