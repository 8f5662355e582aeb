"""Registration and the wait list. An organisation registers named participants for an open camp whose audience
rule it meets; while seats are free it gets one, otherwise it waits in line. Cancelling a seat promotes the first
in line within the same transaction, and the promoted organisation is notified.

Every change to a camp's seats or queue first locks the camp row (``FOR UPDATE``): registrations and cancels of one
camp run one after another, so the last seat goes to exactly one registration, and a seat freed once is given
once. Wait-list numbers only grow (a partial unique index keeps them distinct); the position shown is the rank.
"""

from __future__ import annotations

from typing import Any

from app.access import load
from app.auth.principal import Principal
from app.errors import DomainError, conflict, invalid, not_found
from app.notifications.service import notify_organisations
from app.organisations.membership import acting_organisation_ids
from app.organisations.tables import Organisation
from app.paging import Page, PageParams, fetch_page
from app.timezone import now_utc
from app.uow import unit_of_work
from app.workflow.engine import Actor
from programmes.camps import audience
from programmes.camps.access import organisation_scope
from programmes.camps.schemas import EligibilityRead, RegistrationCreate, RegistrationRead
from programmes.camps.tables import Camp, CampRegistration
from programmes.workflows.camps import CAMP, REGISTRATION, RegistrationStatus

PARTICIPANT_KEYS = ("name", "position", "mobile")


async def _acting_for(principal: Principal, organisation_id: int) -> None:
    if organisation_id not in await acting_organisation_ids(principal.user_id):
        raise not_found("单位")


def check_participants(camp: dict[str, Any], data: RegistrationCreate) -> None:
    limit = camp["max_participants_per_registration"]
    if len(data.participants) > limit:
        raise invalid("participants_too_many", f"每个单位最多报名 {limit} 名参训人员", "participants")
    mobiles = [p.mobile for p in data.participants]
    if len(set(mobiles)) != len(mobiles):
        raise invalid("participant_duplicate", "参训人员手机号不能重复", "participants")


async def _ranks(rows: list[dict[str, Any]]) -> dict[int, int]:
    """Each waitlisted registration's place in its camp's line (1 = next)."""
    waiting = [r for r in rows if r["status"] == RegistrationStatus.waitlisted]
    if not waiting:
        return {}
    found = await CampRegistration.raw(
        "SELECT id, rank() OVER (PARTITION BY camp ORDER BY waitlist_position) AS place FROM camp_registration"
        " WHERE camp = ANY({}) AND status = 'waitlisted'",
        sorted({int(r["camp"]) for r in waiting}),
    )
    return {int(r["id"]): int(r["place"]) for r in found}


async def _reads(rows: list[dict[str, Any]]) -> list[RegistrationRead]:
    if not rows:
        return []
    camps = await Camp.select(Camp.id, Camp.title).where(Camp.id.is_in(sorted({int(r["camp"]) for r in rows})))
    orgs = await Organisation.select(Organisation.id, Organisation.name).where(
        Organisation.id.is_in(sorted({int(r["organisation"]) for r in rows}))
    )
    titles = {int(c["id"]): c["title"] for c in camps}
    names = {int(o["id"]): o["name"] for o in orgs}
    ranks = await _ranks(rows)
    return [
        RegistrationRead(
            id=r["id"],
            camp_id=r["camp"],
            camp_title=titles[int(r["camp"])],
            organisation_id=r["organisation"],
            organisation_name=names[int(r["organisation"])],
            participants=[{k: str(p.get(k, "")) for k in PARTICIPANT_KEYS} for p in r["participants"]],
            status=r["status"],
            status_zh=REGISTRATION.states.get(r["status"], r["status"]),
            waitlist_position=ranks.get(int(r["id"])),
            promoted_at=r["promoted_at"],
            cancelled_at=r["cancelled_at"],
            reason=r["reason"],
            created_at=r["created_at"],
        )
        for r in rows
    ]


async def read(registration_id: int) -> RegistrationRead:
    row = await CampRegistration.select().where(CampRegistration.id == registration_id).output(load_json=True).first()
    assert row is not None
    return (await _reads([dict(row)]))[0]


async def read_for(principal: Principal, registration_id: int) -> RegistrationRead:
    await load(principal, CampRegistration, registration_id, "party")
    return await read(registration_id)


async def eligibility(principal: Principal, camp_id: int, organisation_id: int) -> EligibilityRead:
    """Whether the organisation may register (before it fills in participants), with the rule's reason."""
    await _acting_for(principal, organisation_id)
    camp = await load(principal, Camp, camp_id, "reader")
    return await audience.check(camp, organisation_id)


async def _seats_taken(camp_id: int) -> int:
    return int(
        await CampRegistration.count().where(
            (CampRegistration.camp == camp_id) & (CampRegistration.status == RegistrationStatus.registered)
        )
    )


async def _next_number(camp_id: int) -> int:
    rows = await CampRegistration.raw(
        "SELECT coalesce(max(waitlist_position), 0) + 1 AS n FROM camp_registration WHERE camp = {}", camp_id
    )
    return int(rows[0]["n"])


async def register(principal: Principal, camp_id: int, data: RegistrationCreate) -> RegistrationRead:
    await _acting_for(principal, data.organisation_id)
    async with unit_of_work(Actor.of(principal)) as uow:
        # The camp's lock serialises its seats: see the module docstring.
        camp = await load(principal, Camp, camp_id, "reader", lock=True)
        if not CAMP.has(camp["status"], "registrable"):
            raise conflict("camp_not_open", f"训练营当前状态为「{CAMP.states[camp['status']]}」，不能报名")
        check_participants(camp, data)
        verdict = await audience.check(camp, data.organisation_id)
        if not verdict.eligible:
            raise DomainError(verdict.code, verdict.reason, 422)
        live = await CampRegistration.exists().where(
            (CampRegistration.camp == camp_id)
            & (CampRegistration.organisation == data.organisation_id)
            & CampRegistration.status.is_in(REGISTRATION.states_with("live"))
        )
        if live:
            raise conflict("camp_already_registered", "本单位已报名该训练营（或在候补名单中）")
        seat = await _seats_taken(camp_id) < camp["capacity"]
        rows = await CampRegistration.insert(
            CampRegistration(
                camp=camp_id,
                organisation=data.organisation_id,
                participants=[p.model_dump() for p in data.participants],
                status=RegistrationStatus.registered if seat else RegistrationStatus.waitlisted,
                waitlist_position=None if seat else await _next_number(camp_id),
                registered_by=principal.user_id,
                scope_district=camp["scope_district"],
                created_at=now_utc(),
            )
        ).returning(CampRegistration.id)
        registration_id = int(rows[0]["id"])
        await uow.audit(
            "camp.register",
            "camp_registration",
            registration_id,
            after={"camp": camp_id, "organisation": data.organisation_id, "seat": seat},
        )
    return await read(registration_id)


async def _promote_first(camp: dict[str, Any]) -> int | None:
    """Give a freed seat to the first in line: inside the cancel's unit (a nested unit joins its transaction, acting
    as the system), under the camp's lock."""
    first = (
        await CampRegistration.select(CampRegistration.id, CampRegistration.organisation)
        .where((CampRegistration.camp == camp["id"]) & (CampRegistration.status == RegistrationStatus.waitlisted))
        .order_by(CampRegistration.waitlist_position)
        .first()
    )
    if first is None:
        return None
    async with unit_of_work(Actor.system()) as system:
        await system.transition(
            CampRegistration,
            int(first["id"]),
            "promote",
            values={"waitlist_position": None, "promoted_at": now_utc()},
        )
    await notify_organisations(
        [int(first["organisation"])],
        "camp_promoted",
        "训练营候补转正",
        f"您单位在「{camp['title']}」的候补报名已转为正式报名，请按时参加。",
        f"camp_promoted:{first['id']}",
    )
    return int(first["id"])


async def cancel(principal: Principal, registration_id: int, reason: str = "") -> RegistrationRead:
    """The organisation (or staff in scope) cancels; a freed seat goes to the first in line."""
    peek = await load(
        principal,
        CampRegistration,
        registration_id,
        "party",
        columns=(
            CampRegistration.id,
            CampRegistration.camp,
            CampRegistration.organisation,
            CampRegistration.scope_district,
        ),
    )
    async with unit_of_work(Actor.of(principal)) as uow:
        # Camp first, then the registration: the same order as register(), so no deadlock.
        camp = dict((await Camp.select().where(Camp.id == peek["camp"]).lock_rows("UPDATE"))[0])
        moved = await uow.transition(
            CampRegistration,
            registration_id,
            "cancel",
            values={"waitlist_position": None, "cancelled_at": now_utc(), "reason": reason.strip()},
            reason=reason,
        )
        if moved.before == RegistrationStatus.registered and CAMP.has(camp["status"], "promotes"):
            await _promote_first(camp)
    return await read(registration_id)


async def list_for_camp(
    principal: Principal, camp_id: int, paging: PageParams, status: RegistrationStatus | None = None
) -> Page[RegistrationRead]:
    """Staff in scope: a camp's registrations in the order they came."""
    await load(principal, Camp, camp_id, "staff", columns=(Camp.id, Camp.scope_district))
    where: list[Any] = [CampRegistration.camp == camp_id]
    if status is not None:
        where.append(CampRegistration.status == status)
    query = CampRegistration.select().output(load_json=True).order_by(CampRegistration.id)
    page = await fetch_page(CampRegistration, query, paging, *where)
    return page.map(await _reads(page.items))


async def mine(principal: Principal, paging: PageParams) -> Page[RegistrationRead]:
    """An applicant's organisations' registrations, newest first."""
    where = await organisation_scope(principal, CampRegistration.organisation)
    query = CampRegistration.select().output(load_json=True).order_by(CampRegistration.id, ascending=False)
    page = await fetch_page(CampRegistration, query, paging, *where)
    return page.map(await _reads(page.items))
