"""Who is calling, and the permission every route must declare."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import jwt
from litestar import Request
from litestar.connection import ASGIConnection
from litestar.di import NamedDependency
from litestar.exceptions import NotAuthorizedException, PermissionDeniedException
from litestar.handlers.base import BaseRouteHandler

from app.auth.tables import Role
from app.settings import get_settings

ALGORITHM = "HS256"


@dataclass(frozen=True)
class Principal:
    user_id: int
    username: str
    role: Role
    district: str | None  # officers only: None = city scope

    @property
    def is_city_staff(self) -> bool:
        return self.role is Role.admin or (self.role is Role.officer and self.district is None)

    @property
    def is_staff(self) -> bool:
        return self.role in (Role.officer, Role.admin)

    def can_see_district(self, scope_district: str | None) -> bool:
        """Officers at district level see only rows of their own district's programmes."""
        return self.is_city_staff or (self.role is Role.officer and scope_district == self.district)


# Handlers take ``principal: CurrentPrincipal``; each controller provides it with ``provide_principal``.
CurrentPrincipal = NamedDependency[Principal]


@dataclass(frozen=True)
class Permission:
    """Declared on every route via ``opt={"permission": ...}``; the app-wide guard enforces it."""

    roles: frozenset[Role] | None  # None: anyone, no login needed
    note: str

    @property
    def is_public(self) -> bool:
        return self.roles is None


PUBLIC = Permission(None, "公开，无需登录 / public")
ANY_USER = Permission(frozenset(Role), "任何已登录用户 / any signed-in user")
APPLICANTS = Permission(frozenset({Role.applicant}), "申报单位成员，仅限本单位对象 / applicant, own organisations only")
EXPERTS = Permission(frozenset({Role.expert}), "评审专家，仅限分配给本人的申报 / expert, assigned applications only")
STAFF = Permission(
    frozenset({Role.officer, Role.admin}),
    "项目官员（市级或本区）与管理员，区级官员仅限本区项目 / officer in scope, or admin",
)
APPLICANTS_AND_STAFF = Permission(
    frozenset({Role.applicant, Role.officer, Role.admin}),
    "申报单位成员（仅限本单位对象）或范围内的项目官员与管理员 / applicant (own organisations) or staff in scope",
)
ADMINS = Permission(frozenset({Role.admin}), "系统管理员 / admin only")
COMMUNITIES = Permission(
    frozenset({Role.community}), "社区（街道/居村委）账户，仅限本社区对象 / community staff, own community only"
)
COMMUNITIES_AND_STAFF = Permission(
    frozenset({Role.community, Role.officer, Role.admin}),
    "社区账户（仅限本社区对象）或范围内的项目官员与管理员 / community (own) or staff in scope",
)


def decode_token(token: str, expected_type: str) -> dict[str, Any]:
    try:
        claims: dict[str, Any] = jwt.decode(
            token, get_settings().jwt_secret, algorithms=[ALGORITHM], options={"require": ["exp", "sub"]}
        )
    except jwt.PyJWTError as exc:
        raise NotAuthorizedException("invalid token") from exc
    if claims.get("typ") != expected_type:
        raise NotAuthorizedException("wrong token type")
    return claims


def principal_from(connection: ASGIConnection[Any, Any, Any, Any]) -> Principal | None:
    header = connection.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token:
        return None
    return principal_from_token(token.strip())


def principal_from_token(access_token: str) -> Principal:
    """The principal an access token names (the bearer header's, or the one the portal's session is refreshed to)."""
    claims = decode_token(access_token, "access")
    try:
        return Principal(
            user_id=int(claims["sub"]),
            username=str(claims.get("username", "")),
            role=Role(claims["role"]),
            district=claims.get("district"),
        )
    except (KeyError, ValueError) as exc:
        raise NotAuthorizedException("invalid token") from exc


async def enforce_permission(connection: ASGIConnection[Any, Any, Any, Any], handler: BaseRouteHandler) -> None:
    """App-wide guard. Fails closed: a route without a declared permission answers 403 to everyone."""
    permission = handler.opt.get("permission")
    if not isinstance(permission, Permission):
        raise PermissionDeniedException("route declares no permission")
    if permission.is_public:
        return
    principal = principal_from(connection)
    if principal is None:
        raise NotAuthorizedException("login required")
    assert permission.roles is not None
    if principal.role not in permission.roles:
        raise PermissionDeniedException("role not allowed")
    connection.state["principal"] = principal


async def provide_principal(request: Request[Any, Any, Any]) -> Principal:
    """Dependency for handlers; the guard has already authenticated the caller."""
    principal = request.state.get("principal")
    if not isinstance(principal, Principal):
        raise NotAuthorizedException("login required")
    return principal
