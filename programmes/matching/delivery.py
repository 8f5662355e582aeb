"""Delivery (服务过程): the organisation records what it delivered, the community confirms the service complete."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from app.access import load
from app.auth.principal import Principal
from app.errors import conflict, invalid
from app.notifications.service import notify_organisations
from app.paging import Page, PageParams, fetch_page
from app.timezone import now_utc, today_shanghai
from app.uow import unit_of_work
from app.workflow.engine import Actor
from programmes.matching import orders
from programmes.matching.order_money import release_on_delivery
from programmes.matching.schemas_order import DeliveryRecordCreate, DeliveryRecordRead, OrderRead
from programmes.matching.tables import DeliveryRecord, Demand, MatchOrder
from programmes.workflows.orders import ORDER, OrderStatus

# A record may be dated in the demand's period, a little before (preparation) or never in the future.
EARLY_DAYS = 30


def _as_read(row: dict[str, Any]) -> DeliveryRecordRead:
    fields = ("id", "delivered_on", "activity", "beneficiaries_served", "notes", "created_at")
    return DeliveryRecordRead(order_id=row["order"], **{name: row[name] for name in fields})


async def add_record(principal: Principal, order_id: int, data: DeliveryRecordCreate) -> DeliveryRecordRead:
    """The organisation records one day's delivery while the order is accepted or in delivery."""
    async with unit_of_work(Actor.of(principal)) as uow:
        order = await load(principal, MatchOrder, order_id, "organisation", lock=True)
        if not ORDER.has(order["status"], "records_delivery"):
            raise conflict("order_not_in_delivery", f"当前订单状态（{ORDER.states[order['status']]}）不能登记服务记录")
        demand = await Demand.select(Demand.period_start).where(Demand.id == order["demand"]).first()
        assert demand is not None
        today = today_shanghai()
        if data.delivered_on > today or data.delivered_on < demand["period_start"] - timedelta(days=EARLY_DAYS):
            raise invalid(
                "delivery_date_out_of_range", "服务日期不能晚于今天，也不能早于需求开始日期 30 天以上", "delivered_on"
            )
        rows = await DeliveryRecord.insert(
            DeliveryRecord(
                order=order_id,
                delivered_on=data.delivered_on,
                activity=data.activity,
                beneficiaries_served=data.beneficiaries_served,
                notes=data.notes,
                scope_district=order["scope_district"],
                created_by=principal.user_id,
                created_at=now_utc(),
            )
        ).returning(*DeliveryRecord.all_columns())
        record = dict(rows[0])
        await uow.audit(
            "delivery_record.create",
            "delivery_record",
            record["id"],
            after={
                "order_id": order_id,
                "delivered_on": data.delivered_on.isoformat(),
                "beneficiaries_served": data.beneficiaries_served,
            },
        )
    return _as_read(record)


async def list_records(principal: Principal, order_id: int, paging: PageParams) -> Page[DeliveryRecordRead]:
    await load(principal, MatchOrder, order_id, "reader")
    query = DeliveryRecord.select().order_by(DeliveryRecord.delivered_on).order_by(DeliveryRecord.id)
    page = await fetch_page(DeliveryRecord, query, paging, DeliveryRecord.order == order_id)
    return page.map([_as_read(row) for row in page.items])


async def confirm(principal: Principal, order_id: int) -> OrderRead:
    """The community confirms the service complete — only once something has been recorded; an order bought as a
    service (政府购买服务) has its tranche released for payment."""
    async with unit_of_work(Actor.of(principal)) as uow:
        order = await load(principal, MatchOrder, order_id, "community", lock=True)
        if order["status"] == OrderStatus.in_delivery and not await DeliveryRecord.exists().where(
            DeliveryRecord.order == order_id
        ):
            raise conflict("delivery_unrecorded", "承接机构尚未登记任何服务记录，暂不能确认完成")
        await uow.transition(MatchOrder, order_id, "confirm_delivery", values={"delivered_at": now_utc()})
        await release_on_delivery(order)  # a purchased service becomes payable
        await notify_organisations(
            [order["organisation"]],
            "match_order",
            "社区已确认服务完成",
            "社区已确认服务完成，请留意社区评价。",
            f"match_order:{order_id}:delivered",
        )
    return await orders.read(order_id)
