"""Demand lists (需求清单): a community writes and submits its demands, officers in scope publish or reject them,
either closes them, and a daily job expires what is past its period.

State rules are the DEMAND workflow's (``community_edits``, ``listed``, ``takeable``); access is the room's
policy (``programmes.matching.access``). ``check_demand`` holds the cross-field rules, shared with the xlsx import.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from piccolo.columns.combination import WhereRaw

from app.access import can, load, staff_filter
from app.auth.principal import Principal
from app.auth.tables import Role
from app.errors import DomainError, FieldError, conflict, forbidden, not_found
from app.notifications.service import notify_user
from app.paging import Page, PageParams, fetch_page
from app.timezone import now_utc
from app.uow import unit_of_work
from app.workflow.engine import Actor
from programmes.matching.access import DEMANDS, community_of_user
from programmes.matching.schemas_demand import DemandPublicRead, DemandRead, DemandWrite
from programmes.matching.tables import FIELD_LABELS_ZH, Community, CommunityMember, Demand, DemandField
from programmes.matching.tags import tag_errors, unusable_tags
from programmes.workflows.demand import DEMAND, DemandStatus


def check_demand(data: DemandWrite) -> list[FieldError]:
    """The rules one field alone cannot state. Each error names its field."""
    errors = []
    if data.period_start > data.period_end:
        errors.append(FieldError("period_end", "period_reversed", "结束日期不能早于开始日期"))
    low, high = data.budget_min_fen, data.budget_max_fen
    if (low is None) != (high is None):
        field = "budget_max_fen" if high is None else "budget_min_fen"
        errors.append(
            FieldError(field, "budget_incomplete", "预算须同时填写下限和上限，或均不填（无资金，以资源形式对接）")
        )
    elif low is not None and high is not None and low > high:
        errors.append(FieldError("budget_max_fen", "budget_reversed", "预算上限不能低于下限"))
    if data.field == DemandField.rural_urban and not data.paired_area.strip():
        errors.append(FieldError("paired_area", "paired_area_required", "城乡帮扶需求须填写对口地区"))
    if len(set(data.tags)) != len(data.tags):
        errors.append(FieldError("tags", "tag_duplicate", "标签不能重复"))
    return errors


async def validate(data: DemandWrite) -> None:
    errors = check_demand(data) + tag_errors(*await unusable_tags(data.tags))
    if errors:
        raise DomainError(errors[0].code, errors[0].message, 422, errors)


def _values(data: DemandWrite) -> dict[str, Any]:
    return data.model_dump()


def _public(row: dict[str, Any], community_name: str) -> dict[str, Any]:
    return {
        "id": row["id"],
        "community_id": row["community"],
        "community_name": community_name,
        "field": row["field"],
        "field_zh": FIELD_LABELS_ZH.get(row["field"], row["field"]),
        "tags": list(row["tags"] or []),
        "title": row["title"],
        "description": row["description"],
        "district": row["district"],
        "street": row["street"],
        "paired_area": row["paired_area"],
        "beneficiary_group": row["beneficiary_group"],
        "expected_beneficiaries": row["expected_beneficiaries"],
        "period_start": row["period_start"],
        "period_end": row["period_end"],
        "budget_min_fen": row["budget_min_fen"],
        "budget_max_fen": row["budget_max_fen"],
        "in_kind": row["budget_min_fen"] is None,
        "providers_wanted": row["providers_wanted"],
        "cross_district": row["cross_district"],
        "status": row["status"],
        "status_zh": DEMAND.states.get(row["status"], row["status"]),
        "published_at": row["published_at"],
    }


def _full(row: dict[str, Any], community_name: str) -> DemandRead:
    return DemandRead(
        **_public(row, community_name),
        contact_name=row["contact_name"],
        contact_phone=row["contact_phone"],
        rejected_reason=row["rejected_reason"],
        import_batch=row["import_batch"],
        source_case_id=row["source_case"],
        submitted_at=row["submitted_at"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
    )


async def _names(rows: list[dict[str, Any]]) -> dict[int, str]:
    ids = sorted({int(row["community"]) for row in rows})
    if not ids:
        return {}
    found = await Community.select(Community.id, Community.name).where(Community.id.is_in(ids))
    return {int(r["id"]): r["name"] for r in found}


async def read(demand_id: int) -> DemandRead:
    row = await Demand.select().where(Demand.id == demand_id).first()
    assert row is not None
    return _full(dict(row), (await _names([row]))[int(row["community"])])


async def caller_community(principal: Principal) -> dict[str, Any]:
    community_id = await community_of_user(principal.user_id)
    if community_id is None:
        raise forbidden("该账户未关联社区", "no_community")
    row = await Community.select().where(Community.id == community_id).first()
    assert row is not None
    return dict(row)


async def create(principal: Principal, data: DemandWrite, *, import_batch: str = "") -> DemandRead:
    """A community account writes a draft demand in its own district and street."""
    community = await caller_community(principal)
    await validate(data)
    async with unit_of_work(Actor.of(principal)) as uow:
        demand_id = await insert(principal, community, data, import_batch)
        await uow.audit("demand.create", "demand", demand_id, after=data.model_dump(mode="json"))
    return await read(demand_id)


async def insert(principal: Principal, community: dict[str, Any], data: DemandWrite, import_batch: str = "") -> int:
    """Insert one checked draft (inside the caller's unit of work)."""
    now = now_utc()
    rows = await Demand.insert(
        Demand(
            **_values(data),
            community=community["id"],
            district=community["district"],
            street=community["street"],
            status=DEMAND.initial,
            import_batch=import_batch,
            scope_district=community["district"],
            created_by=principal.user_id,
            created_at=now,
            updated_at=now,
        )
    ).returning(Demand.id)
    return int(rows[0]["id"])


async def update(principal: Principal, demand_id: int, data: DemandWrite) -> DemandRead:
    """The community edits its demand while the workflow lets it (draft, rejected)."""
    await validate(data)
    async with unit_of_work(Actor.of(principal)) as uow:
        before = await load(principal, Demand, demand_id, "community", lock=True)
        if not DEMAND.has(before["status"], "community_edits"):
            raise conflict("demand_not_editable", f"需求当前状态为「{DEMAND.states[before['status']]}」，不能修改")
        values = _values(data)
        await Demand.update({**{getattr(Demand, k): v for k, v in values.items()}, Demand.updated_at: now_utc()}).where(
            Demand.id == demand_id
        )
        await uow.audit(
            "demand.update",
            "demand",
            demand_id,
            before={k: before[k] for k in ("title", "field", "tags", "period_start", "period_end")},
            after=data.model_dump(mode="json"),
        )
    return await read(demand_id)


# The community hears about moderation outcomes (by notification, and e-mail when its accounts have one).
NOTICES = {
    "publish": ("需求已发布", "您的需求「{title}」已审核通过并发布，社会组织可以查看和申请承接。"),
    "reject": ("需求审核未通过", "您的需求「{title}」审核未通过：{reason}。请修改后重新提交。"),
}


async def _notify_community(community_id: int, demand_id: int, action: str, title: str, reason: str) -> None:
    members = await CommunityMember.select(CommunityMember.user).where(CommunityMember.community == community_id)
    subject, body = NOTICES[action]
    for member in members:
        await notify_user(
            int(member["user"]),
            f"demand_{action}",
            subject,
            body.format(title=title, reason=reason),
            f"demand:{demand_id}:{action}:{member['user']}:{now_utc().isoformat()}",
        )


async def _step(
    principal: Principal, demand_id: int, need: str, action: str, reason: str = "", **values: Any
) -> DemandRead:
    async with unit_of_work(Actor.of(principal)) as uow:
        row = await load(principal, Demand, demand_id, need, lock=True)
        await uow.transition(Demand, demand_id, action, reason=reason, values={**values, "updated_at": now_utc()})
        if action in NOTICES:
            await _notify_community(int(row["community"]), demand_id, action, row["title"], reason)
    return await read(demand_id)


async def submit(principal: Principal, demand_id: int) -> DemandRead:
    return await _step(principal, demand_id, "community", "submit", submitted_at=now_utc())


async def revise(principal: Principal, demand_id: int) -> DemandRead:
    return await _step(principal, demand_id, "community", "revise")


async def publish(principal: Principal, demand_id: int) -> DemandRead:
    return await _step(principal, demand_id, "staff", "publish", published_at=now_utc(), rejected_reason="")


async def reject(principal: Principal, demand_id: int, reason: str) -> DemandRead:
    return await _step(principal, demand_id, "staff", "reject", reason, rejected_reason=reason)


async def close(principal: Principal, demand_id: int, reason: str) -> DemandRead:
    need = "community" if principal.role is Role.community else "staff"
    return await _step(principal, demand_id, need, "close", reason)


async def read_for(principal: Principal | None, demand_id: int) -> DemandPublicRead:
    """Anyone sees a listed demand's public fields; its community and staff in scope see any of its states; the
    contact (people's names and phones) only goes to signed-in organisations, staff and the community."""
    if principal is None:
        row = await Demand.select().where(Demand.id == demand_id).first()
        if row is None or not DEMAND.has(row["status"], "listed"):
            raise not_found(DEMANDS.label_zh)
        return DemandPublicRead(**_public(dict(row), (await _names([row]))[int(row["community"])]))
    row = await load(principal, Demand, demand_id, "public")
    if await _sees_contact(principal, row):
        return await read(demand_id)
    return DemandPublicRead(**_public(row, (await _names([row]))[int(row["community"])]))


async def _sees_contact(principal: Principal, row: dict[str, Any]) -> bool:
    if principal.role is Role.applicant or principal.is_staff:
        return True
    allowed, _ = await can(principal, "community", Demand, row)
    return allowed


async def moderation_queue(
    principal: Principal,
    params: PageParams,
    *,
    status: str = DemandStatus.submitted,
    field: str | None = None,
    district: str | None = None,
    street: str | None = None,
    community_id: int | None = None,
) -> Page[DemandRead]:
    """Staff in scope: demands by state (default 待审核), oldest submission first."""
    where = [*staff_filter(principal, Demand.scope_district), Demand.status == status]
    where += _filters(field=field, district=district, street=street)
    if community_id is not None:
        where.append(Demand.community == community_id)
    query = Demand.select().order_by(Demand.submitted_at).order_by(Demand.id)
    return await _page(query, params, where)


async def community_demands(principal: Principal, params: PageParams, status: str | None = None) -> Page[DemandRead]:
    """A community account: its own community's demands in every state, newest first."""
    community = await caller_community(principal)
    where = [Demand.community == community["id"]]
    if status:
        where.append(Demand.status == status)
    query = Demand.select().order_by(Demand.id, ascending=False)
    return await _page(query, params, where)


async def _page(query: Any, params: PageParams, where: list[Any]) -> Page[DemandRead]:
    page = await fetch_page(Demand, query, params, *where)
    names = await _names(page.items)
    return page.map([_full(row, names[int(row["community"])]) for row in page.items])


def _filters(
    *,
    field: str | None = None,
    district: str | None = None,
    street: str | None = None,
    tags: list[str] | None = None,
    period_from: date | None = None,
    period_to: date | None = None,
    text: str | None = None,
) -> list[Any]:
    where: list[Any] = []
    if field:
        where.append(Demand.field == field)
    if district:
        where.append(Demand.district == district)
    if street:
        where.append(Demand.street == street)
    if tags:
        # ``&&`` (shares a tag) uses the GIN index on demand.tags.
        where.append(_overlaps(tags))
    if period_from is not None:
        where.append(Demand.period_end >= period_from)  # overlap: ends after the window starts …
    if period_to is not None:
        where.append(Demand.period_start <= period_to)  # … and starts before it ends
    if text:
        pattern = "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        where.append(Demand.title.ilike(pattern) | Demand.description.ilike(pattern))
    return where


def _overlaps(tags: list[str]) -> Any:
    return WhereRaw("tags && {}::varchar[]", tags)


async def public_list(
    principal: Principal | None,
    params: PageParams,
    *,
    field: str | None = None,
    district: str | None = None,
    street: str | None = None,
    tags: list[str] | None = None,
    period_from: date | None = None,
    period_to: date | None = None,
    text: str | None = None,
) -> Page[DemandPublicRead]:
    """Anyone: listed demands (published, partly matched, matched), newest publication first, id breaking ties."""
    where = [Demand.status.is_in(DEMAND.states_with("listed"))]
    where += _filters(
        field=field,
        district=district,
        street=street,
        tags=tags,
        period_from=period_from,
        period_to=period_to,
        text=text,
    )
    query = Demand.select().order_by(Demand.published_at, ascending=False).order_by(Demand.id, ascending=False)
    page = await fetch_page(Demand, query, params, *where)
    names = await _names(page.items)
    # Who sees contacts is decided once per page, not per row: organisations and staff see them all, a community
    # account those of its own community.
    everyone = principal is not None and (principal.role is Role.applicant or principal.is_staff)
    own = await community_of_user(principal.user_id) if principal and principal.role is Role.community else None
    shown: list[DemandPublicRead] = []
    for row in page.items:
        name = names[int(row["community"])]
        if everyone or (own is not None and int(row["community"]) == own):
            shown.append(_full(row, name))
        else:
            shown.append(DemandPublicRead(**_public(row, name)))
    return page.map(shown)


async def expire_due(today: date) -> int:
    """Daily: every takeable demand whose period ended before ``today`` expires. Idempotent — an expired demand is
    no longer takeable, so a second run finds nothing."""
    rows = (
        await Demand.select(Demand.id)
        .where(Demand.status.is_in(DEMAND.states_with("takeable")) & (Demand.period_end < today))
        .order_by(Demand.id)
    )
    expired = 0
    for row in rows:
        try:
            async with unit_of_work(Actor.system()) as uow:
                await uow.transition(Demand, row["id"], "expire", reason=f"需求期限已于 {today.isoformat()} 前结束")
            expired += 1
        except DomainError:
            continue  # moved on meanwhile (matched, closed): nothing to expire
    return expired
