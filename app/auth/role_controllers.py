from __future__ import annotations

from litestar import Controller, get, patch
from litestar.di import Provide
from litestar.params import FromPath, JSONBody

from app.auth import roles
from app.auth.principal import ADMINS, CurrentPrincipal, provide_principal
from app.auth.schemas import AccountRoleChange, AccountRoleRead


class AccountRoleController(Controller):
    path = "/accounts"
    tags = ["auth"]
    dependencies = {"principal": Provide(provide_principal)}

    @get("/{user_id:int}", opt={"permission": ADMINS}, summary="One account's role and district")
    async def read(self, user_id: FromPath[int]) -> AccountRoleRead:
        return await roles.read_account(user_id)

    @patch("/{user_id:int}", opt={"permission": ADMINS}, summary="Change an account's role or district (调整账户角色)")
    async def change_role(
        self, principal: CurrentPrincipal, user_id: FromPath[int], data: JSONBody[AccountRoleChange]
    ) -> AccountRoleRead:
        return await roles.change_role(principal, user_id, data)
