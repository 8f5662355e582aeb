from __future__ import annotations

from litestar import Controller, get, post
from litestar.di import Provide
from litestar.params import JSONBody

from app.auth import service
from app.auth.principal import ANY_USER, PUBLIC, CurrentPrincipal, provide_principal
from app.auth.schemas import LoginRequest, Me, RefreshRequest, TokenPair


class AuthController(Controller):
    path = "/auth"
    tags = ["auth"]
    dependencies = {"principal": Provide(provide_principal)}

    @post(
        "/login", opt={"permission": PUBLIC, "rate_limit": "login"}, summary="Log in (用户名密码登录)", status_code=200
    )
    async def login(self, data: JSONBody[LoginRequest]) -> TokenPair:
        return await service.login(data.username, data.password)

    @post("/refresh", opt={"permission": PUBLIC}, summary="Exchange a refresh token", status_code=200)
    async def refresh(self, data: JSONBody[RefreshRequest]) -> TokenPair:
        return await service.refresh(data.refresh_token)

    @get("/me", opt={"permission": ANY_USER}, summary="Who am I")
    async def me(self, principal: CurrentPrincipal) -> Me:
        return service.me(principal)
