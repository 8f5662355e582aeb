"""Applications to a demand (申请承接): an organisation with an approved offer applies to a published demand; the
community chooses.

Choosing creates a *matched* order, which the organisation then accepts (接单) like any other: capacity may have
been used elsewhere since it applied, and accepting is the one path that decides capacity under the offer's lock.
Once the demand's live orders reach its providers_wanted, the other pending applications are passed over. One
pending application per demand and organisation (a partial unique index; a concurrent second one is a 409).
"""

from __future__ import annotations

from typing import Any

from asyncpg.exceptions import UniqueViolationError

from app.access import Row, load
from app.auth.principal import Principal
from app.auth.tables import Role
from app.errors import conflict, invalid, not_found
from app.notifications.service import notify_organisations
from app.organisations.membership import acting_organisation_ids
from app.paging import Page, PageParams, fetch_page
from app.timezone import now_utc
from app.uow import unit_of_work
from app.workflow.engine import Actor
from programmes.matching import orders
from programmes.matching.access import BIDS
from programmes.matching.schemas_order import BidCreate, BidRead
from programmes.matching.tables import Demand, DemandBid, MatchOrder, ServiceOffer
from programmes.workflows.demand import DEMAND, OFFER
from programmes.workflows.orders import BID, ORDER, BidStatus


def reachable(demand: Row, offer: Row) -> bool:
    """The offer serves the demand's district, and an organisation of another district only where the demand
    allows it (跨区承接)."""
    serves = offer["city_wide"] or demand["district"] in (offer["districts_served"] or [])
    return bool(serves and (offer["scope_district"] == demand["district"] or demand["cross_district"]))


def _as_read(row: dict[str, Any]) -> BidRead:
    return BidRead(
        id=row["id"],
        demand_id=row["demand"],
        offer_id=row["offer"],
        organisation_id=row["organisation"],
        message=row["message"],
        status=row["status"],
        status_zh=BID.states[row["status"]],
        order_id=row["order"],
        created_at=row["created_at"],
    )


async def read(bid_id: int) -> BidRead:
    row = await DemandBid.select().where(DemandBid.id == bid_id).first()
    if row is None:
        raise not_found(BIDS.label_zh)
    return _as_read(row)


async def apply(principal: Principal, demand_id: int, data: BidCreate) -> BidRead:
    offer = await ServiceOffer.select().where(ServiceOffer.id == data.offer_id).first()
    if offer is None or offer["organisation"] not in await acting_organisation_ids(principal.user_id):
        raise invalid("offer_not_found", "服务项目不存在或不属于本机构", "offer_id")
    if not OFFER.has(offer["status"], "matchable"):
        raise invalid("offer_not_approved", "只有已入库（审核通过）的服务项目才能申请承接", "offer_id")
    try:
        async with unit_of_work(Actor.of(principal)) as uow:
            demand = await orders.lock_demand(demand_id)
            if not DEMAND.has(demand["status"], "listed"):
                raise not_found("需求")  # unpublished demands do not exist for organisations
            if not DEMAND.has(demand["status"], "takeable"):
                raise conflict("demand_not_takeable", f"该需求已不可承接（{DEMAND.states[demand['status']]}）")
            if not reachable(demand, offer):
                raise invalid(
                    "offer_out_of_area", "该服务项目的服务区域不覆盖此需求，或该需求不接受外区机构承接", "offer_id"
                )
            live = await MatchOrder.exists().where(
                MatchOrder.demand == demand_id,
                MatchOrder.organisation == offer["organisation"],
                MatchOrder.status.is_in(ORDER.states_with("holds_demand")),
            )
            if live:
                raise conflict("order_exists", "本机构已与该需求对接")
            rows = await DemandBid.insert(
                DemandBid(
                    demand=demand_id,
                    offer=offer["id"],
                    organisation=offer["organisation"],
                    message=data.message,
                    status=BID.initial,
                    scope_district=demand["scope_district"],
                    created_by=principal.user_id,
                    created_at=now_utc(),
                )
            ).returning(DemandBid.id)
            bid_id = int(rows[0]["id"])
            await uow.audit(
                "demand_bid.create", "demand_bid", bid_id, after={"demand_id": demand_id, "offer_id": offer["id"]}
            )
            await orders.notify_community(
                demand["community"],
                "demand_bid",
                "有机构申请承接需求",
                f"服务项目“{offer['title']}”申请承接需求“{demand['title']}”。",
                f"demand_bid:{bid_id}:created",
            )
    except UniqueViolationError as exc:
        raise conflict("bid_pending", "本机构已有一份待社区选择的申请") from exc
    return await read(bid_id)


async def choose(principal: Principal, bid_id: int) -> BidRead:
    """The community chooses an application: a matched order for the organisation to accept."""
    try:
        async with unit_of_work(Actor.of(principal)) as uow:
            bid = await load(principal, DemandBid, bid_id, "community")
            demand = await orders.lock_demand(bid["demand"])
            if bid["status"] == BidStatus.pending and not DEMAND.has(demand["status"], "takeable"):
                raise conflict("demand_not_takeable", f"该需求已不可承接（{DEMAND.states[demand['status']]}）")
            offer = await ServiceOffer.select(ServiceOffer.version).where(ServiceOffer.id == bid["offer"]).first()
            assert offer is not None
            await uow.transition(DemandBid, bid_id, "choose")
            rows = await MatchOrder.insert(
                MatchOrder(
                    demand=bid["demand"],
                    offer=bid["offer"],
                    organisation=bid["organisation"],
                    offer_version=offer["version"],
                    status=ORDER.initial,
                    scope_district=demand["scope_district"],
                    created_at=now_utc(),
                )
            ).returning(MatchOrder.id)
            order_id = int(rows[0]["id"])
            await DemandBid.update({DemandBid.order: order_id}).where(DemandBid.id == bid_id)
            await uow.audit("match_order.create", "match_order", order_id, after={"bid_id": bid_id})
            await notify_organisations(
                [bid["organisation"]],
                "demand_bid",
                "社区选定了您的承接申请",
                f"社区已选定贵机构承接需求“{demand['title']}”，请在订单中确认接单。",
                f"demand_bid:{bid_id}:chosen",
            )
            await _pass_over_if_full(demand)
    except UniqueViolationError as exc:
        raise conflict("order_exists", "该服务项目已与此需求对接") from exc
    return await read(bid_id)


async def _pass_over_if_full(demand: dict[str, Any]) -> None:
    live = await MatchOrder.count().where(
        MatchOrder.demand == demand["id"], MatchOrder.status.is_in(ORDER.states_with("holds_demand"))
    )
    if live < demand["providers_wanted"]:
        return
    others = await DemandBid.select(DemandBid.id, DemandBid.organisation).where(
        DemandBid.demand == demand["id"], DemandBid.status == BidStatus.pending
    )
    async with unit_of_work(Actor.system()) as seedbed:
        for other in others:
            await seedbed.transition(DemandBid, other["id"], "pass_over", reason="需求已选定承接机构")
            await notify_organisations(
                [other["organisation"]],
                "demand_bid",
                "承接申请未被选定",
                f"需求“{demand['title']}”已选定其他承接机构，感谢参与。",
                f"demand_bid:{other['id']}:passed_over",
            )


async def withdraw(principal: Principal, bid_id: int) -> BidRead:
    async with unit_of_work(Actor.of(principal)) as uow:
        await load(principal, DemandBid, bid_id, "organisation")
        await uow.transition(DemandBid, bid_id, "withdraw")
    return await read(bid_id)


async def list_for_demand(principal: Principal, demand_id: int, paging: PageParams) -> Page[BidRead]:
    """The demand's applications, for its community and staff in scope (others: 404)."""
    await load(principal, Demand, demand_id, "reader")  # its community, or staff in scope
    page = await fetch_page(DemandBid, DemandBid.select().order_by(DemandBid.id), paging, DemandBid.demand == demand_id)
    return page.map([_as_read(row) for row in page.items])


async def list_mine(principal: Principal, paging: PageParams) -> Page[BidRead]:
    mine = await acting_organisation_ids(principal.user_id) if principal.role is Role.applicant else []
    page = await fetch_page(
        DemandBid,
        DemandBid.select().order_by(DemandBid.id, ascending=False),
        paging,
        DemandBid.organisation.is_in(mine or [0]),
    )
    return page.map([_as_read(row) for row in page.items])
