"""Scope rules shared by every programme module.

Reading a row in scope is ``app.access.load`` (the uniform 404); ``ensure_staff_scope`` remains for the rooms that
have not moved to it yet. ``district_for_new_programme`` decides a new programme's district (no row exists yet).
"""

from __future__ import annotations

from app.auth.principal import Principal
from app.auth.tables import Role
from app.errors import DomainError, not_found


def ensure_staff_scope(principal: Principal, scope_district: str | None, what_zh: str) -> None:
    """District officers act only on their district's programmes; outside scope looks like 'not found'."""
    if not principal.can_see_district(scope_district):
        raise not_found(what_zh)


def district_for_new_programme(principal: Principal, requested: str | None) -> str | None:
    """City staff may create city-level or any district's programme; district officers only their own."""
    if principal.is_city_staff:
        return requested
    if principal.role is Role.officer and requested in (None, principal.district):
        return principal.district
    raise DomainError("scope_forbidden", "区级项目官员只能创建本区的项目", 403)
