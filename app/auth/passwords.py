"""Passwords and sessions of the signed-in user: change, logout, and reset by an e-mailed code.

Every change here bumps the account's token version, so refresh tokens issued before it stop working; access
tokens are not looked up per request and lapse within ``SEEDBED_ACCESS_TOKEN_MINUTES``.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from datetime import timedelta

from piccolo.apps.user.tables import BaseUser

from app.auth import hashing
from app.auth.contact import real_email
from app.auth.principal import Principal
from app.auth.schemas import TokenPair
from app.auth.service import token_pair
from app.auth.tables import Account, PasswordResetToken
from app.errors import invalid
from app.notifications.service import notify_user
from app.settings import get_settings
from app.timezone import now_utc
from app.uow import unit_of_work
from app.workflow.engine import Actor

log = logging.getLogger(__name__)


async def _password_matches(user_id: int, password: str) -> bool:
    row = await BaseUser.select(BaseUser.password).where(BaseUser.id == user_id).first()
    if row is None:
        return False
    return await hashing.password_matches(password, row["password"])


async def _bump_token_version(user_id: int) -> None:
    await Account.update({Account.token_version: Account.token_version + 1}).where(Account.user == user_id)


async def change_password(principal: Principal, old_password: str, new_password: str) -> TokenPair:
    """The signed-in user, any role. Needs the current password; other sessions are signed out (token version).

    Returns a fresh token pair so the caller's own session carries on.
    """
    if not await _password_matches(principal.user_id, old_password):
        raise invalid("password_incorrect", "当前密码不正确", "old_password")
    if old_password == new_password:
        raise invalid("password_unchanged", "新密码不能与当前密码相同", "new_password")
    hashed = await hashing.hash_password(new_password)
    async with unit_of_work(Actor.of(principal)) as uow:
        await BaseUser.update({BaseUser.password: hashed}).where(BaseUser.id == principal.user_id)
        await _bump_token_version(principal.user_id)
        # Never the password, not even hashed: the log is read by auditors.
        await uow.audit("account.password_change", "account", principal.user_id)
    return await token_pair(principal.user_id)


async def logout(principal: Principal) -> None:
    """The signed-in user. Every refresh token of the account (all devices) stops working."""
    async with unit_of_work(Actor.of(principal)) as uow:
        await _bump_token_version(principal.user_id)
        await uow.audit("account.logout", "account", principal.user_id)


def _token_hash(token: str) -> str:
    # The code carries 256 random bits, so a fast hash is enough; only the hash is stored.
    return hashlib.sha256(token.encode()).hexdigest()


async def request_reset(account: str) -> None:
    """Anyone. Sends a reset code to the account's e-mail when ``account`` (username or e-mail) names an active
    account with a real address; otherwise does nothing. The caller learns nothing either way."""
    settings = get_settings()
    needle = account.strip()
    user = (
        await BaseUser.select(BaseUser.id, BaseUser.email, BaseUser.active)
        .where((BaseUser.username == needle) | (BaseUser.email == needle.lower()))
        .first()
    )
    if user is None or not user["active"] or real_email(user["email"]) is None:
        return
    if not settings.smtp_host:
        log.warning("password reset requested but SEEDBED_SMTP_HOST is unset; no e-mail can be sent")
        return
    token = secrets.token_urlsafe(32)
    minutes = settings.password_reset_minutes
    async with unit_of_work(Actor.system()) as uow:
        rows = await PasswordResetToken.insert(
            PasswordResetToken(
                user=user["id"], token_hash=_token_hash(token), expires_at=now_utc() + timedelta(minutes=minutes)
            )
        ).returning(PasswordResetToken.id)
        await notify_user(
            user["id"],
            "password_reset",
            "Seedbed 密码重置",
            "已向您登记的邮箱发送密码重置码。如非本人操作，请忽略并考虑修改密码。",
            f"password_reset:{rows[0]['id']}",
            email_body=(
                f"您（或他人）申请重置 Seedbed 账户密码。重置码：\n\n{token}\n\n"
                f"请在 {minutes} 分钟内打开平台的「重置密码」页面（/portal/password-reset/confirm）填写重置码和新密码"
                "（接口调用：POST /auth/password-reset/confirm）；重置码仅可使用一次。"
                "如非本人操作，请忽略本邮件，您的密码不会改变。"
            ),
        )
        await uow.audit("account.password_reset_request", "account", user["id"])
    # The e-mail job staged by notify_user is delivered by the unit of work after the commit.


async def confirm_reset(token: str, new_password: str) -> None:
    """Anyone holding a valid code. Sets the password, uses up every open code of the account and signs it out
    everywhere. Of concurrent uses of one code exactly one succeeds: the claim is a single conditional UPDATE."""
    async with unit_of_work(Actor.system()):
        claimed = await PasswordResetToken.raw(
            "UPDATE password_reset_token SET used_at = now() "
            'WHERE token_hash = {} AND used_at IS NULL AND expires_at > now() RETURNING "user"',
            _token_hash(token),
        )
        if not claimed:
            raise invalid("reset_token_invalid", "重置码无效、已使用或已过期，请重新申请", "token")
        user_id = int(claimed[0]["user"])
        # Hashed only after the claim: a wrong code costs the server nothing.
        hashed = await hashing.hash_password(new_password)
        await BaseUser.update({BaseUser.password: hashed}).where(BaseUser.id == user_id)
        await PasswordResetToken.update({PasswordResetToken.used_at: now_utc()}).where(
            (PasswordResetToken.user == user_id) & PasswordResetToken.used_at.is_null()
        )
        await _bump_token_version(user_id)
        role = await Account.select(Account.role).where(Account.user == user_id).first()
        # The holder of the code acts: known only once the code is claimed, so a joined unit names them.
        async with unit_of_work(Actor(user_id, role["role"] if role else "")) as uow:
            await uow.audit("account.password_reset", "account", user_id)
