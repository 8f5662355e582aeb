"""The expert pool (评估专家库): profiles, affiliations and recorded conflicts, kept by officers."""

from __future__ import annotations

from typing import Any

from app import audit
from app.auth.principal import Principal
from app.auth.tables import Account, Role
from app.db import engine
from app.errors import DomainError, FieldError, conflict, not_found
from app.organisations.tables import Organisation
from app.timezone import now_utc
from scoring.experts.schemas import ConflictCreate, ExpertProfileWrite
from scoring.tables import ConflictOfInterest, ExpertAffiliation, ExpertProfile


async def _ensure_expert(expert_id: int) -> str:
    row = (
        await Account.select(Account.role, Account.user._.username.as_alias("username"))
        .where(Account.user == expert_id)
        .first()
    )
    if row is None or row["role"] != Role.expert.value:
        message = "所选用户不是评审专家"
        raise DomainError("not_an_expert", message, 422, [FieldError("expert_id", "not_an_expert", message)])
    return str(row["username"])


async def _ensure_organisations(ids: list[int]) -> None:
    found = {r["id"] for r in await Organisation.select(Organisation.id).where(Organisation.id.is_in(ids or [0]))}
    missing = sorted(set(ids) - found)
    if missing:
        message = f"社会组织不存在：{', '.join(map(str, missing))}"
        raise DomainError("organisation_not_found", message, 422, [FieldError("organisation_id", "not_found", message)])


async def save_profile(principal: Principal, expert_id: int, data: ExpertProfileWrite) -> dict[str, Any]:
    """Officers and admins keep expert profiles; affiliations are replaced as a whole (audited)."""
    await _ensure_expert(expert_id)
    await _ensure_organisations(data.affiliation_organisation_ids)
    if data.available_from and data.available_until and data.available_from > data.available_until:
        raise DomainError("availability_invalid", "可评审期间的开始日期不能晚于结束日期", 422)
    values = data.model_dump(exclude={"affiliation_organisation_ids"}, mode="json")
    async with engine().transaction():
        existing = await ExpertProfile.select(ExpertProfile.id).where(ExpertProfile.expert == expert_id).first()
        if existing:
            await ExpertProfile.update({getattr(ExpertProfile, k): v for k, v in values.items()}).where(
                ExpertProfile.id == existing["id"]
            )
        else:
            await ExpertProfile.insert(ExpertProfile(expert=expert_id, **values))
        await ExpertAffiliation.delete().where(ExpertAffiliation.expert == expert_id)
        for organisation_id in sorted(set(data.affiliation_organisation_ids)):
            await ExpertAffiliation.insert(ExpertAffiliation(expert=expert_id, organisation=organisation_id))
        await audit.record(
            actor_id=principal.user_id,
            actor_role=principal.role.value,
            action="expert_profile.save",
            object_type="expert",
            object_id=expert_id,
            after=data.model_dump(mode="json"),
        )
    return await read_profile(expert_id)


async def read_profile(expert_id: int) -> dict[str, Any]:
    username = await _ensure_expert(expert_id)
    row = await ExpertProfile.select().where(ExpertProfile.expert == expert_id).first().output(load_json=True)
    affiliations = await ExpertAffiliation.select(ExpertAffiliation.organisation).where(
        ExpertAffiliation.expert == expert_id
    )
    defaults: dict[str, Any] = {
        "domains": [],
        "tags": [],
        "district": None,
        "street": "",
        "languages": ["zh"],
        "max_load_per_round": 30,
        "available_from": None,
        "available_until": None,
    }
    profile = {k: row[k] for k in defaults} if row else defaults
    return {
        "expert_id": expert_id,
        "username": username,
        **profile,
        "affiliation_organisation_ids": sorted(a["organisation"] for a in affiliations),
    }


async def list_profiles() -> list[dict[str, Any]]:
    experts = await Account.select(Account.user).where(Account.role == Role.expert.value).order_by(Account.user)
    return [await read_profile(e["user"]) for e in experts]


async def record_conflict(principal: Principal, data: ConflictCreate, source: str = "officer") -> dict[str, Any]:
    """An officer records (or an expert declares) a conflict between an expert and an organisation."""
    await _ensure_expert(data.expert_id)
    await _ensure_organisations([data.organisation_id])
    if await ConflictOfInterest.exists().where(
        (ConflictOfInterest.expert == data.expert_id)
        & (ConflictOfInterest.organisation == data.organisation_id)
        & ConflictOfInterest.revoked_at.is_null()
    ):
        raise conflict("conflict_exists", "该利益冲突已登记")
    async with engine().transaction():
        rows = await ConflictOfInterest.insert(
            ConflictOfInterest(
                expert=data.expert_id,
                organisation=data.organisation_id,
                source=source,
                reason=data.reason,
                created_by=principal.user_id,
            )
        ).returning(ConflictOfInterest.id)
        await audit.record(
            actor_id=principal.user_id,
            actor_role=principal.role.value,
            action="conflict.record",
            object_type="conflict_of_interest",
            object_id=rows[0]["id"],
            after={"expert_id": data.expert_id, "organisation_id": data.organisation_id, "source": source},
            reason=data.reason,
        )
    return await read_conflict(int(rows[0]["id"]))


async def revoke_conflict(principal: Principal, conflict_id: int, reason: str) -> dict[str, Any]:
    row = await ConflictOfInterest.select().where(ConflictOfInterest.id == conflict_id).first()
    if row is None or row["revoked_at"] is not None:
        raise not_found("利益冲突记录")
    async with engine().transaction():
        await ConflictOfInterest.update({ConflictOfInterest.revoked_at: now_utc()}).where(
            ConflictOfInterest.id == conflict_id
        )
        await audit.record(
            actor_id=principal.user_id,
            actor_role=principal.role.value,
            action="conflict.revoke",
            object_type="conflict_of_interest",
            object_id=conflict_id,
            reason=reason,
        )
    return await read_conflict(conflict_id)


async def read_conflict(conflict_id: int) -> dict[str, Any]:
    row = await ConflictOfInterest.select().where(ConflictOfInterest.id == conflict_id).first()
    if row is None:
        raise not_found("利益冲突记录")
    return {
        "id": row["id"],
        "expert_id": row["expert"],
        "organisation_id": row["organisation"],
        "source": row["source"],
        "reason": row["reason"],
        "revoked_at": row["revoked_at"],
    }
