"""The case library (可复制、可推广的优秀项目案例): officers promote an evaluated order to a case, publish and
withdraw it; anyone reads the published ones. Replication and lineage: ``programmes.matching.replication``.

A case holds no personal data: title, summary and outcomes are the officer's text, beneficiaries a count summed
from the order's delivery records, photos chosen from the order's delivery files (image ``DeliveryFile`` rows), the
place only district and street.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from piccolo.custom_types import Combinable

import programmes.matching.access  # noqa: F401  (the matching room's policies: ORDERS, CASES, COMMUNITIES)
from app.access import can, load
from app.auth.principal import Principal
from app.errors import DomainError, FieldError, not_found
from app.notifications.service import notify_organisations, notify_user
from app.paging import Page, PageParams, fetch_page
from app.timezone import now_utc
from app.uow import unit_of_work
from app.workflow.engine import Actor
from programmes.matching.access import CASES
from programmes.matching.schemas_case import (
    CasePromote,
    CaseRead,
    CaseStaffRead,
)
from programmes.matching.tables import (
    FIELD_LABELS_ZH,
    CommunityMember,
    DeliveryRecord,
    Demand,
    DemandField,
    MatchingCase,
    MatchOrder,
)
from programmes.matching.tables_delivery import DeliveryFile
from programmes.matching.tags import ensure_usable
from programmes.workflows.orders import CASE, CaseStatus, OrderStatus


def refusal(code: str, field: str, message: str, status: int = 422) -> DomainError:
    return DomainError(code, message, status, [FieldError(field, code, message)])


async def _active_tags(tags: list[str]) -> list[str]:
    """The tags, each an active code of the vocabulary (unknown or inactive: 422 on ``tags``, as for demands)."""
    wanted = sorted(set(tags))
    await ensure_usable(wanted)
    return wanted


async def _delivery_photos(order_id: int, photo_ids: list[int]) -> list[int]:
    """``photo_ids`` if each is an image file of one of the order's delivery records (else 422 on ``photo_ids``)."""
    if not photo_ids:
        return []
    ours = {
        int(r["id"])
        for r in await DeliveryFile.select(DeliveryFile.id).where(
            (DeliveryFile.order == order_id)
            & DeliveryFile.id.is_in(photo_ids)
            & DeliveryFile.content_type.like("image/%")
        )
    }
    strangers = [i for i in photo_ids if i not in ours]
    if strangers:
        message = f"照片须从该订单服务记录的图片中选取：{'、'.join(map(str, strangers))} 不符合"
        raise refusal("photo_not_from_delivery", "photo_ids", message)
    return list(dict.fromkeys(photo_ids))


async def promote(principal: Principal, data: CasePromote) -> CaseStaffRead:
    """Officer in scope: an evaluated order becomes a draft case (one case per order)."""
    order = await load(principal, MatchOrder, data.order_id, "staff")
    if order["status"] != OrderStatus.evaluated:
        raise refusal("order_not_evaluated", "order_id", "只有已评价的订单才能推荐为案例", 409)
    demand = await Demand.select(Demand.field, Demand.tags).where(Demand.id == order["demand"]).first()
    assert demand is not None
    tags = await _active_tags(data.tags if data.tags is not None else list(demand["tags"] or []))
    photos = await _delivery_photos(data.order_id, list(data.photo_ids))
    served = await DeliveryRecord.select(DeliveryRecord.beneficiaries_served).where(
        DeliveryRecord.order == data.order_id
    )
    async with unit_of_work(Actor.of(principal)) as uow:
        # Under the order's row lock: of concurrent promotions one inserts, the others find its case.
        await MatchOrder.select(MatchOrder.id).where(MatchOrder.id == data.order_id).lock_rows("UPDATE")
        if await MatchingCase.exists().where(MatchingCase.order == data.order_id):
            raise refusal("case_exists", "order_id", "该订单已推荐为案例", 409)
        rows = await MatchingCase.insert(
            MatchingCase(
                order=data.order_id,
                title=data.title.strip(),
                summary=data.summary.strip(),
                field=demand["field"],
                tags=tags,
                outcomes=data.outcomes.strip(),
                beneficiaries=sum(int(r["beneficiaries_served"]) for r in served),
                photo_ids=photos,
                status=CASE.initial,
                scope_district=order["scope_district"],
                created_by=principal.user_id,
                created_at=now_utc(),
            )
        ).returning(MatchingCase.id)
        case_id = int(rows[0]["id"])
        await uow.audit("matching_case.promote", "matching_case", case_id, after={"order_id": data.order_id})
    return await read_for_staff(principal, case_id)


async def publish(principal: Principal, case_id: int) -> CaseStaffRead:
    """Officer in scope: the case enters the public library."""
    await load(principal, MatchingCase, case_id, "staff")
    row = await case_row(case_id)
    async with unit_of_work(Actor.of(principal)) as uow:
        await uow.transition(MatchingCase, case_id, "publish", values={"published_at": now_utc()})
        await _tell_the_parties(row)
    return await read_for_staff(principal, case_id)


async def _tell_the_parties(row: dict[str, Any]) -> None:
    """The organisation's members and the community's accounts learn their project is a public case (once)."""
    order = (
        await MatchOrder.select(MatchOrder.organisation, MatchOrder.demand._.community.as_alias("community"))
        .where(MatchOrder.id == row["order"])
        .first()
    )
    assert order is not None
    title = f"项目入选聚力计划案例库：{row['title']}"
    body = f"您参与的项目「{row['title']}」已作为可复制、可推广的优秀案例在聚力计划案例库公开。"
    key = f"matching_case.published:{row['id']}"
    await notify_organisations([order["organisation"]], "status_change", title, body, key)
    members = await CommunityMember.select(CommunityMember.user).where(CommunityMember.community == order["community"])
    for member in members:
        await notify_user(member["user"], "status_change", title, body, f"{key}:community:{member['user']}")


async def withdraw(principal: Principal, case_id: int, reason: str) -> CaseStaffRead:
    """Officer in scope: the case leaves the public library (reason audited and kept for staff)."""
    await load(principal, MatchingCase, case_id, "staff")
    async with unit_of_work(Actor.of(principal)) as uow:
        await uow.transition(
            MatchingCase, case_id, "withdraw", values={"withdrawn_reason": reason.strip()}, reason=reason.strip()
        )
    return await read_for_staff(principal, case_id)


_CASE_COLUMNS: tuple[Any, ...] = (
    *MatchingCase.all_columns(),
    MatchingCase.order._.demand._.district.as_alias("district"),
    MatchingCase.order._.demand._.street.as_alias("street"),
    MatchingCase.order._.organisation._.name.as_alias("organisation"),
)


def _select() -> Any:
    return MatchingCase.select(*_CASE_COLUMNS)


async def _replication_counts(case_ids: list[int]) -> Counter[int]:
    rows = await Demand.select(Demand.source_case).where(Demand.source_case.is_in(case_ids or [0]))
    return Counter(int(r["source_case"]) for r in rows)


def _shown(row: dict[str, Any], replications: int) -> dict[str, Any]:
    return {
        "id": row["id"],
        "order_id": row["order"],
        "title": row["title"],
        "summary": row["summary"],
        "field": row["field"],
        "field_label": FIELD_LABELS_ZH.get(row["field"], row["field"]),
        "tags": list(row["tags"] or []),
        "outcomes": row["outcomes"],
        "beneficiaries": row["beneficiaries"],
        "photo_ids": list(row["photo_ids"] or []),
        "district": row["district"],
        "street": row["street"],
        "organisation": row["organisation"],
        "status": row["status"],
        "replications": replications,
        "published_at": row["published_at"],
        "created_at": row["created_at"],
        "withdrawn_reason": row["withdrawn_reason"],
    }


async def case_row(case_id: int) -> dict[str, Any]:
    row = await _select().where(MatchingCase.id == case_id).first()
    if row is None:
        raise not_found(CASES.label_zh)
    return dict(row)


async def read_for_staff(principal: Principal, case_id: int) -> CaseStaffRead:
    await load(principal, MatchingCase, case_id, "staff")
    row = await case_row(case_id)
    return CaseStaffRead(**_shown(row, (await _replication_counts([case_id]))[case_id]))


async def read_public(principal: Principal | None, case_id: int) -> CaseRead:
    """A published case for anyone; a draft or withdrawn one only for staff in scope (others: 404)."""
    row = await case_row(case_id)
    if row["status"] != CaseStatus.published:
        allowed = principal is not None and (await can(principal, "staff", MatchingCase, row))[0]
        if not allowed:
            raise not_found(CASES.label_zh)
    return CaseRead(**_shown(row, (await _replication_counts([case_id]))[case_id]))


async def library(
    paging: PageParams,
    *,
    field: DemandField | None = None,
    tag: str | None = None,
    district: str | None = None,
    text: str | None = None,
) -> Page[CaseRead]:
    """The public case library: published cases, newest first (then by id), filtered."""
    where: list[Combinable] = [MatchingCase.status == CaseStatus.published]
    if field is not None:
        where.append(MatchingCase.field == field)
    if tag:
        where.append(MatchingCase.tags.any(tag))
    if district:
        where.append(MatchingCase.scope_district == district)
    if text and text.strip():
        pattern = f"%{text.strip().replace('%', '').replace('_', '')}%"
        where.append(MatchingCase.title.ilike(pattern) | MatchingCase.summary.ilike(pattern))
    query = _select().order_by(MatchingCase.published_at, MatchingCase.id, ascending=False)
    page = await fetch_page(MatchingCase, query, paging, *where)
    counts = await _replication_counts([r["id"] for r in page.items])
    return page.map([CaseRead(**_shown(r, counts[r["id"]])) for r in page.items])


async def staff_list(principal: Principal, paging: PageParams, status: CaseStatus | None = None) -> Page[CaseStaffRead]:
    """Staff: the cases in their scope, any status, newest first."""
    where: list[Combinable] = []
    if not principal.is_city_staff:
        where.append(MatchingCase.scope_district == principal.district)
    if status is not None:
        where.append(MatchingCase.status == status)
    query = _select().order_by(MatchingCase.id, ascending=False)
    page = await fetch_page(MatchingCase, query, paging, *where)
    counts = await _replication_counts([r["id"] for r in page.items])
    return page.map([CaseStaffRead(**_shown(r, counts[r["id"]])) for r in page.items])
