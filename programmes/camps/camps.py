"""Camps and their sessions: officers in scope prepare a camp (a programme edition's, or standing alone), add
sessions, open it for registration, close or cancel it. Anyone signed in sees a camp once it is announced.

State rules are the CAMP workflow's (``editable``, ``registrable``); access is ``programmes.camps.access``.
"""

from __future__ import annotations

from typing import Any

import programmes.catalogue.access  # noqa: F401 — declares the edition policy that load() applies
from app.access import load, staff_filter
from app.auth.principal import Principal
from app.errors import conflict, invalid
from app.paging import Page, PageParams, fetch_page
from app.timezone import now_utc
from app.uow import unit_of_work
from app.workflow.engine import Actor
from programmes.camps.kinds import CAMP_AUDIENCE_LABELS_ZH, CAMP_KIND_LABELS_ZH, CampAudience
from programmes.camps.schemas import CampCreate, CampRead, SessionCreate, SessionRead
from programmes.camps.tables import Camp, CampRegistration, CampSession
from programmes.tables import Edition
from programmes.workflows.camps import CAMP, CampStatus


async def _counts(camp_ids: list[int]) -> dict[int, dict[str, int]]:
    if not camp_ids:
        return {}
    rows = await CampRegistration.raw(
        "SELECT camp, count(*) FILTER (WHERE status = 'registered') AS seats,"
        " count(*) FILTER (WHERE status = 'waitlisted') AS waiting"
        " FROM camp_registration WHERE camp = ANY({}) GROUP BY camp",
        camp_ids,
    )
    return {int(r["camp"]): {"seats": int(r["seats"]), "waiting": int(r["waiting"])} for r in rows}


def _read(row: dict[str, Any], counts: dict[str, int] | None) -> CampRead:
    counts = counts or {"seats": 0, "waiting": 0}
    return CampRead(
        id=row["id"],
        edition_id=row["edition"],
        kind=row["kind"],
        kind_zh=CAMP_KIND_LABELS_ZH.get(row["kind"], row["kind"]),
        title=row["title"],
        description=row["description"],
        audience=row["audience"],
        audience_zh=CAMP_AUDIENCE_LABELS_ZH.get(row["audience"], row["audience"]),
        audience_org_types=list(row["audience_org_types"] or []),
        audience_min_grade=row["audience_min_grade"],
        capacity=row["capacity"],
        seats_taken=counts["seats"],
        waitlisted=counts["waiting"],
        max_participants_per_registration=row["max_participants_per_registration"],
        completion_min_percent=row["completion_min_percent"],
        status=row["status"],
        status_zh=CAMP.states.get(row["status"], row["status"]),
        scope_district=row["scope_district"],
        created_at=row["created_at"],
    )


async def read(camp_id: int) -> CampRead:
    row = await Camp.select().where(Camp.id == camp_id).first()
    assert row is not None
    return _read(dict(row), (await _counts([camp_id])).get(camp_id))


async def read_for(principal: Principal, camp_id: int) -> CampRead:
    await load(principal, Camp, camp_id, "reader", columns=(Camp.id, Camp.status, Camp.scope_district))
    return await read(camp_id)


async def _scope(principal: Principal, data: CampCreate) -> str | None:
    """The camp's district: its edition's, else the one asked for, which a district officer can only ask as theirs."""
    if data.edition_id is not None:
        edition = await load(principal, Edition, data.edition_id, "staff", columns=(Edition.id, Edition.scope_district))
        return edition["scope_district"]  # type: ignore[no-any-return]
    wanted = data.district.value if data.district is not None else principal.district
    if not principal.can_see_district(wanted):
        raise invalid("camp_district_out_of_scope", "只能为本区创建训练营", "district")
    return wanted


def check_camp(data: CampCreate) -> None:
    if data.audience == CampAudience.cohort and data.edition_id is None:
        raise invalid("camp_cohort_needs_edition", "面向入选项目的训练营须指定所属届次", "edition_id")
    if data.audience != CampAudience.type_grade and (data.audience_org_types or data.audience_min_grade):
        raise invalid("camp_audience_filters_unused", "仅「指定类型及等级」的报名对象可设置组织类型和等级", "audience")
    if len(set(data.audience_org_types)) != len(data.audience_org_types):
        raise invalid("camp_org_type_duplicate", "组织类型不能重复", "audience_org_types")


async def create(principal: Principal, data: CampCreate) -> CampRead:
    check_camp(data)
    scope = await _scope(principal, data)
    async with unit_of_work(Actor.of(principal)) as uow:
        rows = await Camp.insert(
            Camp(
                edition=data.edition_id,
                kind=data.kind,
                title=data.title,
                description=data.description,
                audience=data.audience,
                audience_org_types=[t.value for t in data.audience_org_types],
                audience_min_grade=data.audience_min_grade,
                capacity=data.capacity,
                max_participants_per_registration=data.max_participants_per_registration,
                completion_min_percent=data.completion_min_percent,
                status=CAMP.initial,
                scope_district=scope,
                created_by=principal.user_id,
                created_at=now_utc(),
            )
        ).returning(Camp.id)
        camp_id = int(rows[0]["id"])
        await uow.audit("camp.create", "camp", camp_id, after=data.model_dump(mode="json"))
    return await read(camp_id)


async def step(principal: Principal, camp_id: int, action: str, reason: str = "") -> CampRead:
    async with unit_of_work(Actor.of(principal)) as uow:
        await load(principal, Camp, camp_id, "staff", columns=(Camp.id, Camp.scope_district))
        await uow.transition(Camp, camp_id, action, reason=reason)
    return await read(camp_id)


async def list_camps(
    principal: Principal, paging: PageParams, *, status: CampStatus | None = None, kind: str | None = None
) -> Page[CampRead]:
    """Staff: every camp in scope. Anyone else: announced camps (past their draft)."""
    where: list[Any] = []
    if principal.is_staff:
        where += staff_filter(principal, Camp.scope_district)
    else:
        where.append(Camp.status != CampStatus.draft)
    if status is not None:
        where.append(Camp.status == status)
    if kind is not None:
        where.append(Camp.kind == kind)
    query = Camp.select().order_by(Camp.created_at, ascending=False).order_by(Camp.id, ascending=False)
    page = await fetch_page(Camp, query, paging, *where)
    counts = await _counts([int(r["id"]) for r in page.items])
    return page.map([_read(r, counts.get(int(r["id"]))) for r in page.items])


def check_session(data: SessionCreate) -> None:
    if data.end_time <= data.start_time:
        raise invalid("session_times_reversed", "结束时间须晚于开始时间", "end_time")
    if not data.place.strip() and not data.online_link:
        raise invalid("session_venue_missing", "请填写上课地点或线上链接", "place")


def _session(row: dict[str, Any]) -> SessionRead:
    return SessionRead(**{**row, "camp_id": row["camp"]})


async def add_session(principal: Principal, camp_id: int, data: SessionCreate) -> SessionRead:
    check_session(data)
    async with unit_of_work(Actor.of(principal)) as uow:
        camp = await load(principal, Camp, camp_id, "staff", lock=True)
        if not CAMP.has(camp["status"], "editable"):
            raise conflict("camp_not_editable", f"训练营当前状态为「{CAMP.states[camp['status']]}」，不能添加场次")
        rows = await CampSession.insert(
            CampSession(
                camp=camp_id,
                **data.model_dump(),
                scope_district=camp["scope_district"],
                created_at=now_utc(),
            )
        ).returning(CampSession.id)
        session_id = int(rows[0]["id"])
        await uow.audit(
            "camp.session_add", "camp", camp_id, after={"session_id": session_id, **data.model_dump(mode="json")}
        )
    row = await CampSession.select().where(CampSession.id == session_id).first()
    assert row is not None
    return _session(dict(row))


async def list_sessions(principal: Principal, camp_id: int, paging: PageParams) -> Page[SessionRead]:
    await load(principal, Camp, camp_id, "reader", columns=(Camp.id, Camp.status, Camp.scope_district))
    query = CampSession.select().order_by(CampSession.session_date).order_by(CampSession.start_time)
    page = await fetch_page(CampSession, query.order_by(CampSession.id), paging, CampSession.camp == camp_id)
    return page.map([_session(r) for r in page.items])
