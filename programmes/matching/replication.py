"""Replication (复制推广): a community turns a published case into a draft demand of its own, and the lineage
case → replications → their orders is read back."""

from __future__ import annotations

from piccolo.custom_types import Combinable

from app.auth.principal import Principal
from app.auth.tables import Role
from app.errors import DomainError, not_found
from app.timezone import now_utc, today_shanghai
from app.uow import unit_of_work
from app.workflow.engine import Actor
from programmes.matching.access import CASES, community_of_user
from programmes.matching.cases import case_row, read_public, refusal
from programmes.matching.schemas_case import (
    CaseReplicate,
    LineageDemandRead,
    LineageOrderRead,
    LineageRead,
    ReplicatedDemandRead,
)
from programmes.matching.tables import Community, Demand, MatchOrder
from programmes.workflows.demand import DEMAND
from programmes.workflows.orders import CaseStatus


async def replicate(principal: Principal, case_id: int, data: CaseReplicate) -> ReplicatedDemandRead:
    """A community account: a new draft demand of its own community (its district and street), pre-filled from the
    published case and the demand behind it, linked by ``demand.source_case``. The community then edits and
    submits it like any other demand; the contact is left for it to fill."""
    row = await case_row(case_id)
    if row["status"] != CaseStatus.published:
        raise not_found(CASES.label_zh)
    if principal.role is not Role.community:
        raise DomainError("community_only", "只有社区账户可以复制案例", 403)
    community_id = await community_of_user(principal.user_id)
    place = await Community.select(Community.district, Community.street).where(Community.id == community_id).first()
    if place is None:
        raise DomainError("community_only", "只有社区账户可以复制案例", 403)
    order = await MatchOrder.select(MatchOrder.demand).where(MatchOrder.id == row["order"]).first()
    assert order is not None
    source = await Demand.select().where(Demand.id == order["demand"]).first()
    assert source is not None
    start = data.period_start or today_shanghai()
    end = data.period_end or start + (source["period_end"] - source["period_start"])
    if end < start:
        raise refusal("period_invalid", "period_end", "结束日期不能早于开始日期")
    if end < today_shanghai():
        raise refusal("period_past", "period_end", "结束日期不能早于今天")
    async with unit_of_work(Actor.of(principal)) as uow:
        rows = await Demand.insert(
            Demand(
                community=community_id,
                field=row["field"],
                tags=list(row["tags"] or []),
                title=(data.title or row["title"]).strip(),
                description=f"{row['summary']}\n\n（复制自案例「{row['title']}」）",
                district=place["district"],
                street=place["street"],
                paired_area=source["paired_area"] if place["district"] == source["district"] else "",
                beneficiary_group=source["beneficiary_group"],
                expected_beneficiaries=data.expected_beneficiaries
                if data.expected_beneficiaries is not None
                else source["expected_beneficiaries"],
                period_start=start,
                period_end=end,
                budget_min_fen=source["budget_min_fen"],
                budget_max_fen=source["budget_max_fen"],
                providers_wanted=source["providers_wanted"],
                cross_district=source["cross_district"],
                status=DEMAND.initial,
                source_case=case_id,
                scope_district=place["district"],
                created_by=principal.user_id,
                created_at=now_utc(),
                updated_at=now_utc(),
            )
        ).returning(Demand.id)
        demand_id = int(rows[0]["id"])
        await uow.audit("demand.replicate", "demand", demand_id, after={"source_case": case_id})
    made = await Demand.select().where(Demand.id == demand_id).first()
    assert made is not None
    return ReplicatedDemandRead(
        id=demand_id,
        source_case=case_id,
        title=made["title"],
        status=made["status"],
        district=made["district"],
        street=made["street"],
        period_start=made["period_start"],
        period_end=made["period_end"],
    )


async def lineage(principal: Principal | None, case_id: int) -> LineageRead:
    """Case → replications → their orders. The public sees replications once published (a draft demand is its
    community's own business); staff in scope see them all."""
    case = await read_public(principal, case_id)
    staff = principal is not None and principal.is_staff
    where: Combinable = Demand.source_case == case_id
    if not staff:
        where &= Demand.published_at.is_not_null()
    demands = (
        await Demand.select(Demand.id, Demand.title, Demand.status, Demand.district, Demand.street, Demand.created_at)
        .where(where)
        .order_by(Demand.id)
    )
    orders = (
        await MatchOrder.select(
            MatchOrder.id,
            MatchOrder.demand,
            MatchOrder.status,
            MatchOrder.delivered_at,
            MatchOrder.organisation._.name.as_alias("organisation"),
        )
        .where(MatchOrder.demand.is_in([d["id"] for d in demands] or [0]))
        .order_by(MatchOrder.id)
    )
    by_demand: dict[int, list[LineageOrderRead]] = {}
    for o in orders:
        by_demand.setdefault(o["demand"], []).append(
            LineageOrderRead(
                id=o["id"], status=o["status"], organisation=o["organisation"], delivered_at=o["delivered_at"]
            )
        )
    return LineageRead(
        case=case,
        replications=[
            LineageDemandRead(
                id=d["id"],
                title=d["title"],
                status=d["status"],
                district=d["district"],
                street=d["street"],
                created_at=d["created_at"],
                orders=by_demand.get(d["id"], []),
            )
            for d in demands
        ],
    )
