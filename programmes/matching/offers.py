"""Service offers (服务项目): an organisation writes and submits one; officers in scope approve, reject, suspend or
resume it; the organisation withdraws it. Editing an approved offer first snapshots what it said (``OfferVersion``)
and bumps ``version``, so an order can always show the terms it was matched on.

Who may act: the organisation's members (for a filed group, its custodian centre's members — ``acting
organisation``, as for applications); staff whose district covers the offer's ``scope_district`` (the
organisation's district).

An offer may start from an approved 聚力计划 registration (a ``matching``-kind application): ``prefill`` gives the
body to review, and ``registration_id`` links the two.
"""

from __future__ import annotations

from typing import Any

from piccolo.columns import Column

from app.access import load
from app.auth.principal import Principal
from app.errors import DomainError, FieldError, conflict, not_found
from app.notifications.service import notify_organisations
from app.organisations.membership import acting_organisation_ids
from app.organisations.tables import Organisation
from app.paging import Page, PageParams, fetch_page
from app.timezone import now_utc
from app.uow import unit_of_work
from app.workflow.engine import Actor
from programmes.matching import access  # noqa: F401 — declares the ServiceOffer policy
from programmes.matching.access import scope_for
from programmes.matching.schemas_offer import (
    OfferContent,
    OfferPrefill,
    OfferRead,
    OfferVersionRead,
    ServiceOfferCreate,
)
from programmes.matching.tables import (
    FIELD_LABELS_ZH,
    DemandField,
    MatchOrder,
    OfferVersion,
    ServiceOffer,
)
from programmes.matching.tags import tag_errors, unusable_tags
from programmes.matching.track_record import shown as shown_record
from programmes.matching.track_record import track_records
from programmes.tables import Application, ProgrammeKind
from programmes.workflows.contest import ApplicationStatus
from programmes.workflows.demand import OFFER
from programmes.workflows.orders import ORDER, OrderStatus

WHAT = "服务项目"
# What a version snapshots: the content an edit may change.
CONTENT = tuple(OfferContent.model_fields)


async def _checked(data: OfferContent) -> None:
    """One 422 naming every bad field: unknown or inactive tags, no area served, an inverted price range."""
    errors: list[FieldError] = []
    if data.tags:
        errors.extend(tag_errors(*await unusable_tags(list(dict.fromkeys(data.tags)))))
        if len(set(data.tags)) != len(data.tags):
            errors.append(FieldError("tags", "duplicate_tag", "标签不能重复"))
    if not data.city_wide and not data.districts_served:
        errors.append(FieldError("districts_served", "no_area_served", "请选择服务的区，或勾选全市范围"))
    low, high = data.price_min_fen, data.price_max_fen
    if low is not None and high is not None and low > high:
        errors.append(FieldError("price_min_fen", "price_range_inverted", "报价下限不能高于上限"))
    if errors:
        raise DomainError(errors[0].code, "；".join(e.message for e in errors), 422, errors)


def _content(data: OfferContent) -> dict[str, Any]:
    values = data.model_dump(include=set(CONTENT))
    values["field"] = str(data.field)
    values["districts_served"] = [] if data.city_wide else sorted({str(d) for d in data.districts_served})
    return values


async def _acting_for(principal: Principal, organisation_id: int) -> dict[str, Any]:
    if organisation_id not in await acting_organisation_ids(principal.user_id):
        raise not_found("社会组织")
    org = (
        await Organisation.select(Organisation.id, Organisation.district)
        .where(Organisation.id == organisation_id)
        .first()
    )
    if org is None:
        raise not_found("社会组织")
    return dict(org)


async def _registration(organisation_id: int, application_id: int) -> dict[str, Any]:
    """An approved 聚力计划 registration of this organisation, or a 422 on ``registration_id``."""
    row = (
        await Application.select(
            Application.id,
            Application.organisation,
            Application.title,
            Application.status,
            Application.answers,
            Application.round._.edition._.programme._.kind.as_alias("kind"),
        )
        .where(Application.id == application_id)
        .output(load_json=True)
        .first()
    )
    if row is None or row["organisation"] != organisation_id or row["kind"] != ProgrammeKind.matching:
        raise DomainError(
            "registration_not_found",
            "未找到本机构的聚力计划服务项目登记",
            422,
            [FieldError("registration_id", "registration_not_found", "未找到本机构的聚力计划服务项目登记")],
        )
    if row["status"] != ApplicationStatus.approved:
        raise DomainError(
            "registration_not_approved",
            "服务项目登记尚未审核通过入库",
            422,
            [FieldError("registration_id", "registration_not_approved", "服务项目登记尚未审核通过入库")],
        )
    return dict(row)


async def prefill(principal: Principal, application_id: int) -> OfferPrefill:
    """The offer body an approved registration suggests; the organisation reviews it and posts it to ``/offers``.

    Registration forms are per round, so only answers under the common keys (``field``, ``tags``,
    ``description``/``summary``) are carried over; everything else the organisation fills in."""
    app_row = await Application.select(Application.organisation).where(Application.id == application_id).first()
    if app_row is None:
        raise not_found("申报")
    organisation_id = int(app_row["organisation"])
    if organisation_id not in await acting_organisation_ids(principal.user_id):
        raise not_found("申报")
    row = await _registration(organisation_id, application_id)
    answers = row["answers"] if isinstance(row["answers"], dict) else {}
    field = answers.get("field")
    tags = answers.get("tags")
    return OfferPrefill(
        registration_id=application_id,
        organisation_id=organisation_id,
        title=row["title"],
        field=field if field in set(DemandField) else None,
        tags=[t for t in tags if isinstance(t, str)] if isinstance(tags, list) else [],
        description=str(answers.get("description") or answers.get("summary") or ""),
    )


async def create(principal: Principal, data: ServiceOfferCreate) -> OfferRead:
    org = await _acting_for(principal, data.organisation_id)
    await _checked(data)
    if data.registration_id is not None:
        await _registration(data.organisation_id, data.registration_id)
    content = _content(data)
    async with unit_of_work(Actor.of(principal)) as uow:
        rows = await ServiceOffer.insert(
            ServiceOffer(
                organisation=data.organisation_id,
                registration=data.registration_id,
                status=OFFER.initial,
                scope_district=org["district"],
                created_by=principal.user_id,
                created_at=now_utc(),
                updated_at=now_utc(),
                **content,
            )
        ).returning(ServiceOffer.id)
        offer_id = int(rows[0]["id"])
        await uow.audit("service_offer.create", "service_offer", offer_id, after=content)
    return await read(offer_id)


async def update(principal: Principal, offer_id: int, data: OfferContent) -> OfferRead:
    """Change an offer while ``organisation_edits``; an approved offer's previous content becomes version n and the
    offer version n+1 (stays approved: moderation judged the organisation, the history keeps what was agreed)."""
    await load(principal, ServiceOffer, offer_id, "organisation")
    await _checked(data)
    content = _content(data)
    async with unit_of_work(Actor.of(principal)) as uow:
        row = await load(principal, ServiceOffer, offer_id, "organisation", lock=True)
        if not OFFER.has(row["status"], "organisation_edits"):
            raise conflict("offer_not_editable", f"服务项目{OFFER.states[row['status']]}，不能修改")
        held = await MatchOrder.count().where(
            (MatchOrder.offer == offer_id) & MatchOrder.status.is_in(ORDER.states_with("holds_capacity"))
        )
        if data.capacity < held:
            message = f"已有 {held} 个订单在承接中，承接能力不能低于 {held}"
            raise DomainError(
                "capacity_below_held", message, 422, [FieldError("capacity", "capacity_below_held", message)]
            )
        before = {name: row[name] for name in CONTENT}
        values: dict[Column | str, Any] = {**{k: v for k, v in content.items()}, "updated_at": now_utc()}
        if OFFER.has(row["status"], "matchable"):
            await OfferVersion.insert(
                OfferVersion(offer=offer_id, version=row["version"], snapshot=before, created_at=now_utc())
            )
            values["version"] = row["version"] + 1
        await ServiceOffer.update(values).where(ServiceOffer.id == offer_id)
        await uow.audit("service_offer.update", "service_offer", offer_id, before=before, after=content)
    return await read(offer_id)


async def submit(principal: Principal, offer_id: int) -> OfferRead:
    return await _step(principal, offer_id, "submit", "organisation")


async def revise(principal: Principal, offer_id: int) -> OfferRead:
    """A rejected offer back to draft, to change and submit again."""
    return await _step(principal, offer_id, "revise", "organisation")


async def withdraw(principal: Principal, offer_id: int) -> OfferRead:
    return await _step(principal, offer_id, "withdraw", "organisation")


async def approve(principal: Principal, offer_id: int) -> OfferRead:
    return await _step(principal, offer_id, "approve", "staff", values={"approved_at": now_utc()})


async def reject(principal: Principal, offer_id: int, reason: str) -> OfferRead:
    return await _step(principal, offer_id, "reject", "staff", reason=reason)


async def suspend(principal: Principal, offer_id: int, reason: str) -> OfferRead:
    return await _step(principal, offer_id, "suspend", "staff", reason=reason)


async def resume(principal: Principal, offer_id: int) -> OfferRead:
    return await _step(principal, offer_id, "resume", "staff")


async def _ensure_no_live_orders(offer_id: int) -> None:
    """An offer that still has a matched order waiting for 接单, or one accepted or in delivery, cannot be withdrawn:
    the community would be left without its provider. Checked under the offer's row lock, which 接单 takes too."""
    live = [OrderStatus.matched, *ORDER.states_with("holds_capacity")]
    count = await MatchOrder.count().where((MatchOrder.offer == offer_id) & MatchOrder.status.is_in(live))
    if count:
        raise conflict("offer_has_live_orders", f"该服务项目还有 {count} 个未完成的订单（待接单或服务中），不能撤回")


_DECISION_TITLES = {
    "approve": "服务项目已审核通过入库",
    "reject": "服务项目未通过审核",
    "suspend": "服务项目已暂停对接",
    "resume": "服务项目已恢复对接",
}


async def _step(
    principal: Principal,
    offer_id: int,
    action: str,
    need: str,
    *,
    reason: str = "",
    values: dict[str, Any] | None = None,
) -> OfferRead:
    """One workflow step (the engine checks the state, role and reason, and audits); staff decisions notify the
    organisation's members after the commit."""
    await load(
        principal, ServiceOffer, offer_id, need, columns=(ServiceOffer.organisation, ServiceOffer.scope_district)
    )
    async with unit_of_work(Actor.of(principal)) as uow:
        row = await load(principal, ServiceOffer, offer_id, need, lock=True)
        if action == "withdraw":
            await _ensure_no_live_orders(offer_id)
        step_values = {**(values or {}), "updated_at": now_utc()}
        step = OFFER.transition_for(action)
        if step is not None and step.requires_reason:
            step_values["decision_reason"] = reason
        await uow.transition(ServiceOffer, offer_id, action, values=step_values, reason=reason)
        title = _DECISION_TITLES.get(action)
        if title is not None:
            body = f"「{row['title']}」{title}" + (f"。原因：{reason}" if reason else "。")
            await notify_organisations(
                [int(row["organisation"])],
                f"service_offer_{action}",
                title,
                body,
                f"service_offer:{offer_id}:{action}:{row['version']}:{now_utc().isoformat()}",
            )
    return await read(offer_id)


# ---- reading ----


async def _shown_many(rows: list[dict[str, Any]]) -> list[OfferRead]:
    """Read models for a page of offers: one query for the organisations' names, one for their track records."""
    org_ids = sorted({int(r["organisation"]) for r in rows})
    names = (
        {
            int(o["id"]): str(o["name"])
            for o in (
                await Organisation.select(Organisation.id, Organisation.name).where(Organisation.id.is_in(org_ids))
            )
        }
        if org_ids
        else {}
    )
    records = await track_records(org_ids)
    return [
        OfferRead(
            id=r["id"],
            organisation_id=r["organisation"],
            organisation_name=names.get(int(r["organisation"]), ""),
            registration_id=r["registration"],
            field=r["field"],
            field_zh=FIELD_LABELS_ZH.get(r["field"], r["field"]),
            tags=list(r["tags"] or []),
            title=r["title"],
            description=r["description"],
            city_wide=r["city_wide"],
            districts_served=list(r["districts_served"] or []),
            capacity=r["capacity"],
            price_min_fen=r["price_min_fen"],
            price_max_fen=r["price_max_fen"],
            free_of_charge=r["price_min_fen"] is None and r["price_max_fen"] is None,
            delivery_days=r["delivery_days"],
            version=r["version"],
            status=r["status"],
            status_zh=OFFER.states[r["status"]],
            decision_reason=r["decision_reason"],
            track_record=shown_record(records[int(r["organisation"])]),
            approved_at=r["approved_at"],
            created_at=r["created_at"],
            updated_at=r["updated_at"],
        )
        for r in rows
    ]


async def read(offer_id: int) -> OfferRead:
    row = await ServiceOffer.select().where(ServiceOffer.id == offer_id).first()
    if row is None:
        raise not_found(WHAT)
    return (await _shown_many([dict(row)]))[0]


async def read_for(principal: Principal, offer_id: int) -> OfferRead:
    row = await load(principal, ServiceOffer, offer_id, "reader")
    return (await _shown_many([row]))[0]


async def list_for(principal: Principal, paging: PageParams, status: str | None = None) -> Page[OfferRead]:
    """Offers the caller may see (staff in scope, an organisation its own), newest first, optionally one state."""
    where = [
        *await scope_for(
            principal, scope_column=ServiceOffer.scope_district, organisation_column=ServiceOffer.organisation
        )
    ]
    if status is not None:
        where.append(ServiceOffer.status == status)
    page = await fetch_page(
        ServiceOffer, ServiceOffer.select().order_by(ServiceOffer.id, ascending=False), paging, *where
    )
    return page.map(await _shown_many(page.items))


async def versions(principal: Principal, offer_id: int, paging: PageParams) -> Page[OfferVersionRead]:
    """What an approved offer said before each edit, oldest first (its current content is the offer itself)."""
    await load(
        principal, ServiceOffer, offer_id, "reader", columns=(ServiceOffer.organisation, ServiceOffer.scope_district)
    )
    query = (
        OfferVersion.select(OfferVersion.id, OfferVersion.version, OfferVersion.snapshot, OfferVersion.created_at)
        .order_by(OfferVersion.version)
        .order_by(OfferVersion.id)
        .output(load_json=True)
    )
    page = await fetch_page(OfferVersion, query, paging, OfferVersion.offer == offer_id)
    return page.map(
        [OfferVersionRead(version=r["version"], snapshot=r["snapshot"], created_at=r["created_at"]) for r in page.items]
    )
