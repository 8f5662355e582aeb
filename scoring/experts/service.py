"""The expert pool (评估专家库): profiles, affiliations and recorded conflicts, kept by officers."""

from __future__ import annotations

from typing import Any

from asyncpg.exceptions import UniqueViolationError

from app.access import load
from app.auth.principal import Principal
from app.auth.service import create_account
from app.auth.tables import Account, Role
from app.errors import DomainError, FieldError, conflict, not_found
from app.paging import Page, PageParams, fetch_page
from app.timezone import now_utc
from app.uow import unit_of_work
from app.workflow.engine import Actor
from scoring.access import CONFLICTS
from scoring.experts.retraction import refill, retract_conflicted
from scoring.experts.schemas import (
    ConflictCreate,
    ConflictRead,
    DeclaredConflict,
    ExpertProfileRead,
    ExpertProfileWrite,
)
from scoring.experts.scope import (
    district_for_expert,
    ensure_expert_in_scope,
    ensure_organisations_in_scope,
    organisation_districts,
    organisations_not_found,
)
from scoring.tables import ConflictOfInterest, ExpertAffiliation, ExpertProfile


async def _expert_username(expert_id: int) -> str | None:
    row = (
        await Account.select(Account.role, Account.user._.username.as_alias("username"))
        .where(Account.user == expert_id)
        .first()
    )
    return str(row["username"]) if row is not None and row["role"] == Role.expert.value else None


async def _ensure_expert(expert_id: int) -> str:
    """A body field naming an expert (422 with the field when it does not)."""
    username = await _expert_username(expert_id)
    if username is None:
        message = "所选用户不是评审专家"
        raise DomainError("not_an_expert", message, 422, [FieldError("expert_id", "not_an_expert", message)])
    return username


async def _ensure_organisations(ids: list[int]) -> None:
    found = await organisation_districts(ids)
    if missing := set(ids) - found.keys():
        raise organisations_not_found(missing)


async def save_profile(principal: Principal, expert_id: int, data: ExpertProfileWrite) -> ExpertProfileRead:
    """Staff in scope keep an expert's profile; affiliations are replaced as a whole (audited).

    City experts are kept by city staff only; a district officer keeps their district's experts, and the profile
    stays in their district. A district officer adds or removes affiliations with their district's organisations
    only; affiliations with other districts' organisations (set by city staff) are kept as they are.
    """
    if await _expert_username(expert_id) is None:
        raise not_found("评审专家")  # a path id: same answer as an expert out of scope
    await ensure_expert_in_scope(principal, expert_id)
    district = district_for_expert(principal, data.district)
    if data.available_from and data.available_until and data.available_from > data.available_until:
        raise DomainError("availability_invalid", "可评审期间的开始日期不能晚于结束日期", 422)
    async with unit_of_work(Actor.of(principal)):
        await _store_profile(principal, expert_id, data.model_copy(update={"district": district}))
    return await read_profile(expert_id)


async def _store_profile(principal: Principal, expert_id: int, data: ExpertProfileWrite) -> None:
    """Write the (already scope-checked) profile, its affiliations and the audit row, in the caller's transaction."""
    existing_affiliations = {
        r["organisation"]
        for r in await ExpertAffiliation.select(ExpertAffiliation.organisation).where(
            ExpertAffiliation.expert == expert_id
        )
    }
    requested = set(data.affiliation_organisation_ids)
    districts = await organisation_districts(requested | existing_affiliations)
    visible = {o for o, d in districts.items() if principal.can_see_district(d)}
    if unknown := requested - visible - existing_affiliations:
        raise organisations_not_found(unknown)  # missing and out of scope alike
    affiliations = sorted(requested | (existing_affiliations - visible))
    values = data.model_dump(exclude={"affiliation_organisation_ids"}, mode="json")
    existing = await ExpertProfile.select(ExpertProfile.id).where(ExpertProfile.expert == expert_id).first()
    if existing:
        await ExpertProfile.update({getattr(ExpertProfile, k): v for k, v in values.items()}).where(
            ExpertProfile.id == existing["id"]
        )
    else:
        await ExpertProfile.insert(ExpertProfile(expert=expert_id, **values))
    await ExpertAffiliation.delete().where(ExpertAffiliation.expert == expert_id)
    if affiliations:  # one statement for all of them
        await ExpertAffiliation.insert(*[ExpertAffiliation(expert=expert_id, organisation=o) for o in affiliations])
    async with unit_of_work(Actor.of(principal)) as uow:  # joins the caller's unit
        await uow.audit(
            "expert_profile.save",
            "expert",
            expert_id,
            after={**data.model_dump(mode="json"), "affiliation_organisation_ids": affiliations},
        )


async def invite_expert(
    principal: Principal,
    *,
    username: str,
    password: str,
    display_name: str,
    profile: ExpertProfileWrite,
    email: str | None = None,
    mobile: str | None = None,
) -> int:
    """Staff add an expert to the pool: the account and its profile in one transaction (admin form 邀请评审专家).

    A district officer's invitee is an expert of their district (kept by them and by city staff).
    """
    district = district_for_expert(principal, profile.district)
    async with unit_of_work(Actor.of(principal)):
        user_id = await create_account(
            username=username,
            password=password,
            role=Role.expert,
            display_name=display_name,
            email=email,
            mobile=mobile,
        )
        await _store_profile(principal, user_id, profile.model_copy(update={"district": district}))
    return user_id


PROFILE_DEFAULTS: dict[str, Any] = {
    "domains": [],
    "tags": [],
    "district": None,
    "street": "",
    "languages": ["zh"],
    "max_load_per_round": 30,
    "available_from": None,
    "available_until": None,
}


async def read_profile(expert_id: int) -> ExpertProfileRead:
    username = await _ensure_expert(expert_id)
    return (await _profiles([(expert_id, username)]))[0]


async def list_profiles(paging: PageParams) -> Page[ExpertProfileRead]:
    """The expert pool in account order: the page, its total, and the profiles and affiliations of the page in
    bulk (four queries whatever the page size)."""
    query = Account.select(Account.user, Account.user._.username.as_alias("username")).order_by(Account.user)
    page = await fetch_page(Account, query, paging, Account.role == Role.expert.value)
    return page.map(await _profiles([(e["user"], str(e["username"])) for e in page.items]))


async def _profiles(experts: list[tuple[int, str]]) -> list[ExpertProfileRead]:
    ids = [expert_id for expert_id, _ in experts] or [0]
    rows = await ExpertProfile.select().where(ExpertProfile.expert.is_in(ids)).output(load_json=True)
    by_expert = {r["expert"]: r for r in rows}
    affiliations: dict[int, list[int]] = {}
    for a in await ExpertAffiliation.select(ExpertAffiliation.expert, ExpertAffiliation.organisation).where(
        ExpertAffiliation.expert.is_in(ids)
    ):
        affiliations.setdefault(a["expert"], []).append(a["organisation"])
    out = []
    for expert_id, username in experts:
        row = by_expert.get(expert_id)
        profile = {k: row[k] for k in PROFILE_DEFAULTS} if row else PROFILE_DEFAULTS
        out.append(
            ExpertProfileRead(
                expert_id=expert_id,
                username=username,
                **profile,
                affiliation_organisation_ids=sorted(affiliations.get(expert_id, [])),
            )
        )
    return out


async def record_conflict(principal: Principal, data: ConflictCreate, source: str = "officer") -> ConflictRead:
    """Staff record a conflict with an organisation in their scope; an expert declares one of their own (in advance,
    ``declare_conflict``, or declining an assignment, ``reviews.reviewing.decline``).

    The expert's live assignments on the organisation's applications are retracted and a submitted review leaves the
    ranking (scoring.experts.retraction); the applications are then refilled from the pool."""
    await _ensure_expert(data.expert_id)
    if source == "declared" and principal.role is Role.expert and principal.user_id == data.expert_id:
        await _ensure_organisations([data.organisation_id])
    else:
        # Out of scope answers like a missing organisation: the 201/422 difference must not tell ids apart.
        await ensure_organisations_in_scope(principal, [data.organisation_id])
    if await ConflictOfInterest.exists().where(
        (ConflictOfInterest.expert == data.expert_id)
        & (ConflictOfInterest.organisation == data.organisation_id)
        & ConflictOfInterest.revoked_at.is_null()
    ):
        raise conflict("conflict_exists", "该利益冲突已登记")
    try:
        async with unit_of_work(Actor.of(principal)) as uow:
            rows = await ConflictOfInterest.insert(
                ConflictOfInterest(
                    expert=data.expert_id,
                    organisation=data.organisation_id,
                    source=source,
                    reason=data.reason,
                    created_by=principal.user_id,
                )
            ).returning(ConflictOfInterest.id)
            await uow.audit(
                "conflict.record",
                "conflict_of_interest",
                rows[0]["id"],
                after={"expert_id": data.expert_id, "organisation_id": data.organisation_id, "source": source},
                reason=data.reason,
            )
            conflict_id = int(rows[0]["id"])
            retracted = await retract_conflicted(
                principal, conflict_id, data.expert_id, data.organisation_id, data.reason
            )
    except UniqueViolationError as exc:  # conflict_of_interest_live: two declarations of one pair at once
        raise conflict("conflict_exists", "该利益冲突已登记") from exc
    replacements = await refill(principal, conflict_id, retracted.application_ids)
    return (await read_conflict(conflict_id)).model_copy(
        update={
            "retracted_assignment_ids": retracted.retracted_assignment_ids,
            "excluded_review_ids": retracted.excluded_review_ids,
            "replacements": sum(replacements.values()),
        }
    )


async def declare_conflict(principal: Principal, data: DeclaredConflict) -> ConflictRead:
    """An expert declares, in advance, a conflict with an organisation (any organisation: they know their ties)."""
    return await record_conflict(
        principal,
        ConflictCreate(expert_id=principal.user_id, organisation_id=data.organisation_id, reason=data.reason),
        source="declared",
    )


async def my_conflicts(principal: Principal, paging: PageParams) -> Page[ConflictRead]:
    query = ConflictOfInterest.select().order_by(ConflictOfInterest.id)
    live = (ConflictOfInterest.expert == principal.user_id) & ConflictOfInterest.revoked_at.is_null()
    page = await fetch_page(ConflictOfInterest, query, paging, live)
    return page.map([_conflict(row) for row in page.items])


async def revoke_conflict(principal: Principal, conflict_id: int, reason: str) -> ConflictRead:
    """Staff revoke a live conflict whose organisation is in their scope (others read as missing)."""
    columns = (ConflictOfInterest.revoked_at, ConflictOfInterest.organisation._.district.as_alias("district"))
    row = await load(principal, CONFLICTS.table, conflict_id, "keeper", columns=columns)
    if row["revoked_at"] is not None:
        raise not_found("利益冲突记录")
    async with unit_of_work(Actor.of(principal)) as uow:
        # Conditional on still being live, so two concurrent revokes leave one revocation and one audit row.
        revoked = (
            await ConflictOfInterest.update({ConflictOfInterest.revoked_at: now_utc()})
            .where((ConflictOfInterest.id == conflict_id) & ConflictOfInterest.revoked_at.is_null())
            .returning(ConflictOfInterest.id)
        )
        if not revoked:
            raise not_found("利益冲突记录")
        await uow.audit("conflict.revoke", "conflict_of_interest", conflict_id, reason=reason)
    return await read_conflict(conflict_id)


async def read_conflict(conflict_id: int) -> ConflictRead:
    row = await ConflictOfInterest.select().where(ConflictOfInterest.id == conflict_id).first()
    if row is None:
        raise not_found("利益冲突记录")
    return _conflict(row)


def _conflict(row: dict[str, Any]) -> ConflictRead:
    return ConflictRead(
        id=row["id"],
        expert_id=row["expert"],
        organisation_id=row["organisation"],
        source=row["source"],
        reason=row["reason"],
        revoked_at=row["revoked_at"],
    )
