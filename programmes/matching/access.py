"""Who may see or act on the matching room's rows: one policy per table, declared once, imported by every service.

Needs (beside the built-in ``staff`` — officers and admins whose district covers ``scope_district`` — and ``any``):

- ``community``: the caller is a community account of the row's community (a demand's, an order's or a bid's
  demand's community; for a ``Community`` row, that community itself);
- ``organisation``: the caller acts for the row's organisation (offers, orders, bids);
- ``reader``: either party above, or staff in scope;
- ``public`` (cases, demands): anyone may read a published case / a listed demand; others as ``reader``.

Anything else is the uniform 404 ``<label>不存在或无权访问``. List scopes (``community_scope``,
``organisation_scope``) give the same answer for a list's WHERE clause.
"""

from __future__ import annotations

from piccolo.columns import Column
from piccolo.custom_types import Combinable

from app.access import Row, Rule, no_rows, protect, staff_filter
from app.auth.principal import Principal
from app.auth.tables import Role
from app.organisations.membership import acting_organisation_ids
from programmes.matching.tables import (
    Community,
    CommunityMember,
    Demand,
    DemandBid,
    MatchingCase,
    MatchOrder,
    ServiceOffer,
)
from programmes.workflows.demand import DEMAND
from programmes.workflows.orders import CaseStatus


async def community_of_user(user_id: int) -> int | None:
    """The one community a community account belongs to (``None``: not a community account)."""
    row = await CommunityMember.select(CommunityMember.community).where(CommunityMember.user == user_id).first()
    return int(row["community"]) if row is not None else None


async def _community_of_demand(demand_id: int) -> int | None:
    row = await Demand.select(Demand.community).where(Demand.id == demand_id).first()
    return int(row["community"]) if row is not None else None


async def _is_community(principal: Principal, community_id: int | None) -> tuple[bool, str]:
    if principal.role is not Role.community:
        return False, "not_community"
    if community_id is None or await community_of_user(principal.user_id) != community_id:
        return False, "other_community"
    return True, "ok"


async def _staff(principal: Principal, row: Row) -> tuple[bool, str]:
    if not principal.is_staff:
        return False, "not_staff"
    if not principal.can_see_district(row.get("scope_district")):
        return False, "out_of_scope"
    return True, "ok"


async def _own_community(principal: Principal, row: Row) -> tuple[bool, str]:
    return await _is_community(principal, int(row["id"]))


async def _demand_community(principal: Principal, row: Row) -> tuple[bool, str]:
    return await _is_community(principal, int(row["community"]))


async def _via_demand_community(principal: Principal, row: Row) -> tuple[bool, str]:
    return await _is_community(principal, await _community_of_demand(int(row["demand"])))


async def _organisation(principal: Principal, row: Row) -> tuple[bool, str]:
    if principal.role is not Role.applicant:
        return False, "not_applicant"
    if int(row["organisation"]) in await acting_organisation_ids(principal.user_id):
        return True, "ok"
    return False, "other_organisation"


def _either(*rules: Rule) -> Rule:
    async def rule(principal: Principal, row: Row) -> tuple[bool, str]:
        reason = "no_rule"
        for one in rules:
            allowed, reason = await one(principal, row)
            if allowed:
                return True, "ok"
        return False, reason

    return rule


async def _listed_demand(principal: Principal, row: Row) -> tuple[bool, str]:
    if DEMAND.has(row["status"], "listed"):
        return True, "ok"
    return await _either(_demand_community, _staff)(principal, row)


async def _published_case(principal: Principal, row: Row) -> tuple[bool, str]:
    if row["status"] == CaseStatus.published:
        return True, "ok"
    return await _staff(principal, row)


COMMUNITIES = protect(Community, "社区", rules={"community": _own_community, "reader": _either(_own_community, _staff)})
DEMANDS = protect(
    Demand,
    "需求",
    rules={
        "community": _demand_community,
        "reader": _either(_demand_community, _staff),
        "public": _listed_demand,
    },
)
OFFERS = protect(
    ServiceOffer, "服务项目", rules={"organisation": _organisation, "reader": _either(_organisation, _staff)}
)
ORDERS = protect(
    MatchOrder,
    "对接订单",
    rules={
        "organisation": _organisation,
        "community": _via_demand_community,
        "reader": _either(_organisation, _via_demand_community, _staff),
    },
)
BIDS = protect(
    DemandBid,
    "承接申请",
    rules={
        "organisation": _organisation,
        "community": _via_demand_community,
        "reader": _either(_organisation, _via_demand_community, _staff),
    },
)
CASES = protect(MatchingCase, "案例", rules={"public": _published_case})


async def community_scope(principal: Principal, column: Column) -> tuple[Combinable, ...]:
    """A list's filter on a community column for a community account: its own community only."""
    community_id = await community_of_user(principal.user_id) if principal.role is Role.community else None
    if community_id is None:
        return no_rows(column)
    return (column == community_id,)


async def organisation_scope(principal: Principal, column: Column) -> tuple[Combinable, ...]:
    """A list's filter on an organisation column for an applicant: the organisations they act for."""
    ids = await acting_organisation_ids(principal.user_id) if principal.role is Role.applicant else []
    if not ids:
        return no_rows(column)
    return (column.is_in(ids),)


async def scope_for(
    principal: Principal,
    *,
    scope_column: Column,
    community_column: Column | None = None,
    organisation_column: Column | None = None,
) -> tuple[Combinable, ...]:
    """The one list filter for any caller: staff by district, a community by its community, an organisation by
    the organisations it acts for."""
    if principal.is_staff:
        return staff_filter(principal, scope_column)
    if principal.role is Role.community and community_column is not None:
        return await community_scope(principal, community_column)
    if principal.role is Role.applicant and organisation_column is not None:
        return await organisation_scope(principal, organisation_column)
    return no_rows(scope_column)
