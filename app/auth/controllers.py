from __future__ import annotations

from litestar import Controller, get, post
from litestar.di import Provide
from litestar.exceptions import NotAuthorizedException
from litestar.params import JSONBody

from app.auth import service
from app.auth.principal import ANY_USER, PUBLIC, CurrentPrincipal, decode_token, provide_principal
from app.auth.schemas import LoginRequest, Me, RefreshRequest, TokenPair


class AuthController(Controller):
    path = "/auth"
    tags = ["auth"]
    dependencies = {"principal": Provide(provide_principal)}

    @post(
        "/login", opt={"permission": PUBLIC, "rate_limit": "login"}, summary="Log in (用户名密码登录)", status_code=200
    )
    async def login(self, data: JSONBody[LoginRequest]) -> TokenPair:
        return TokenPair(**await service.login(data.username, data.password))

    @post("/refresh", opt={"permission": PUBLIC}, summary="Exchange a refresh token", status_code=200)
    async def refresh(self, data: JSONBody[RefreshRequest]) -> TokenPair:
        claims = decode_token(data.refresh_token, "refresh")
        # Tokens issued before token versions existed carry no "ver": they count as version 0.
        version = claims.get("ver", 0)
        if not isinstance(version, int):
            raise NotAuthorizedException("invalid token")
        return TokenPair(**await service.refresh(int(claims["sub"]), version))

    @get("/me", opt={"permission": ANY_USER}, summary="Who am I")
    async def me(self, principal: CurrentPrincipal) -> Me:
        return Me(
            user_id=principal.user_id,
            username=principal.username,
            role=principal.role.value,
            district=principal.district,
        )
