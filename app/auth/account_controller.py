"""Self-service routes of an account: profile and contact, password change, logout, password reset."""

from __future__ import annotations

from litestar import Controller, Response, get, patch, post
from litestar.background_tasks import BackgroundTask
from litestar.di import Provide
from litestar.params import JSONBody

from app.auth import passwords, self_service
from app.auth.principal import ANY_USER, PUBLIC, CurrentPrincipal, provide_principal
from app.auth.schemas import (
    Accepted,
    AccountRead,
    ContactUpdate,
    PasswordChange,
    PasswordResetConfirm,
    PasswordResetRequest,
    TokenPair,
)

RESET_ACCEPTED = "如果该账户存在且登记了邮箱，重置码已发送到该邮箱，请查收"


class AccountController(Controller):
    path = "/auth"
    tags = ["auth"]
    dependencies = {"principal": Provide(provide_principal)}

    @get("/account", opt={"permission": ANY_USER}, summary="My account and contact details (我的账户)")
    async def read(self, principal: CurrentPrincipal) -> AccountRead:
        return await self_service.read_account(principal.user_id)

    @patch("/account", opt={"permission": ANY_USER}, summary="Update my e-mail, mobile or name (修改联系方式)")
    async def update(self, principal: CurrentPrincipal, data: JSONBody[ContactUpdate]) -> AccountRead:
        return await self_service.update_contact(principal, data)

    @post(
        "/password",
        opt={"permission": ANY_USER},
        summary="Change my password (修改密码); other sessions are signed out",
        status_code=200,
    )
    async def change_password(self, principal: CurrentPrincipal, data: JSONBody[PasswordChange]) -> TokenPair:
        return await passwords.change_password(principal, data.old_password, data.new_password)

    @post(
        "/logout",
        opt={"permission": ANY_USER},
        summary="Log out everywhere: every refresh token of the account stops working (退出登录)",
        status_code=204,
    )
    async def logout(self, principal: CurrentPrincipal) -> None:
        await passwords.logout(principal)

    @post(
        "/password-reset",
        opt={"permission": PUBLIC, "rate_limit": "password_reset"},
        summary="Ask for a password reset code by e-mail (忘记密码); same answer whether or not the account exists",
        status_code=202,
    )
    async def request_reset(self, data: JSONBody[PasswordResetRequest]) -> Response[Accepted]:
        # The lookup and the e-mail run after the answer is sent, so its timing does not tell whether the account
        # exists either.
        return Response(
            Accepted(detail=RESET_ACCEPTED),
            status_code=202,
            background=BackgroundTask(passwords.request_reset, data.account),
        )

    @post(
        "/password-reset/confirm",
        opt={"permission": PUBLIC},
        summary="Set a new password with the e-mailed code (重置密码); signs the account out everywhere",
        status_code=204,
    )
    async def confirm_reset(self, data: JSONBody[PasswordResetConfirm]) -> None:
        await passwords.confirm_reset(data.token, data.new_password)
