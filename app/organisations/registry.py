"""Officers' changes to the registry: correcting an organisation's facts, and who acts for it (its members).

Membership grants an applicant account the organisation's rights (apply, sign agreements, name bank accounts), so
adding and removing members is an audited business operation, never a raw table edit.
"""

from __future__ import annotations

from typing import Any

import asyncpg
from piccolo.apps.user.tables import BaseUser

from app import audit
from app.auth.principal import Principal
from app.auth.tables import Account, Role
from app.db import engine
from app.errors import DomainError, FieldError, conflict, invalid, not_found
from app.organisations import facts
from app.organisations.schemas import MemberAdd, OrganisationCorrection
from app.organisations.service import checked_credit_code, read
from app.organisations.tables import EvaluationGrade, FactSource, Organisation, OrganisationMember, OrganisationType

# Columns that cannot be NULL: ``null`` for them means "leave as it is"; the dates may be cleared.
_NOT_NULL = {"name", "street", "evaluation_grade"}


async def organisation_in_scope(principal: Principal, organisation_id: int, *, lock: bool = False) -> dict[str, Any]:
    """The organisation a staff member may change (district officers: their district); else it reads as missing."""
    query = Organisation.select().where(Organisation.id == organisation_id)
    rows = await (query.lock_rows("UPDATE") if lock else query)
    if not rows or not principal.is_staff or not principal.can_see_district(rows[0]["district"]):
        raise not_found("社会组织")
    return dict(rows[0])


def _jsonable(value: Any) -> Any:
    return value.isoformat() if hasattr(value, "isoformat") else value


async def correct_facts(principal: Principal, organisation_id: int, data: OrganisationCorrection) -> dict[str, Any]:
    """Officers in scope (district officers: their district's organisations) and admins correct registry facts.

    Writes the changed fields only, with the reason and the values before and after in the audit log. A value
    given for a screened fact (grade, its validity, registration date, certificate expiry), or a declared value
    confirmed with ``verify_declared``, becomes the verified value with the officer as its source (核验).
    """
    sent = {k: getattr(data, k) for k in data.model_fields_set if k not in ("reason", "verify_declared")}
    sent = {k: v for k, v in sent.items() if not (k in _NOT_NULL and v is None)}
    async with engine().transaction():
        current = await organisation_in_scope(principal, organisation_id, lock=True)
        for fact in data.verify_declared:
            if current[f"declared_{fact}"] is None:
                raise invalid("nothing_declared", f"本组织未自报该项（{fact}），请直接填写核验值", "verify_declared")
            sent.setdefault(fact, current[f"declared_{fact}"])
        if "credit_code" in sent:
            sent["credit_code"] = checked_credit_code(OrganisationType(current["org_type"]), sent["credit_code"])
        if "evaluation_grade" in sent:
            sent["evaluation_grade"] = EvaluationGrade(sent["evaluation_grade"]).value
        changes = {k: v for k, v in sent.items() if v != current[k]}
        # Confirming a value that is already the verified one changes nothing: no new audit entry or verification.
        verified = {k: v for k, v in changes.items() if k in facts.VERIFIED_FACTS}
        code = changes.get("credit_code")
        if code and await Organisation.exists().where(
            (Organisation.credit_code == code) & (Organisation.id != organisation_id)
        ):
            raise DomainError(
                "credit_code_taken",
                "该统一社会信用代码已被其他组织使用",
                409,
                [FieldError("credit_code", "credit_code_taken", "该统一社会信用代码已被其他组织使用")],
            )
        if changes:
            try:
                await Organisation.update({getattr(Organisation, k): v for k, v in changes.items()}).where(
                    Organisation.id == organisation_id
                )
            except asyncpg.UniqueViolationError as exc:  # the same code registered a moment ago
                raise conflict("credit_code_taken", "该统一社会信用代码已被其他组织使用") from exc
            await audit.record(
                actor_id=principal.user_id,
                actor_role=principal.role.value,
                action="organisation.correct",
                object_type="organisation",
                object_id=organisation_id,
                before={k: _jsonable(current[k]) for k in changes},
                after={k: _jsonable(v) for k, v in changes.items()},
                reason=data.reason,
            )
            await facts.record(organisation_id, verified, FactSource.officer, principal.user_id, data.reason)
    if facts.SCREENED & changes.keys():
        await facts.on_facts_changed([organisation_id])
    return await read(organisation_id)


async def list_members(principal: Principal, organisation_id: int) -> list[dict[str, Any]]:
    await organisation_in_scope(principal, organisation_id)
    user: Any = OrganisationMember.user
    rows = (
        await OrganisationMember.select(OrganisationMember.user, user.username)
        .where(OrganisationMember.organisation == organisation_id)
        .order_by(OrganisationMember.id)
    )
    names = {
        r["user"]: r["display_name"]
        for r in await Account.select(Account.user, Account.display_name).where(
            Account.user.is_in([r["user"] for r in rows] or [0])
        )
    }
    return [
        {"user_id": r["user"], "username": r["user.username"], "display_name": names.get(r["user"], "")} for r in rows
    ]


async def add_member(principal: Principal, organisation_id: int, data: MemberAdd) -> list[dict[str, Any]]:
    """Officers in scope and admins let an existing applicant account act for the organisation."""
    async with engine().transaction():
        await organisation_in_scope(principal, organisation_id, lock=True)
        account = await Account.select(Account.user, Account.role).where(Account.user.username == data.username).first()
        if account is None:
            raise invalid("user_not_found", "没有这个用户名的账户", "username")
        if account["role"] != Role.applicant.value:
            raise invalid("member_not_applicant", "只有申报单位账户可以成为机构成员", "username")
        user_id = int(account["user"])
        if await OrganisationMember.exists().where(
            (OrganisationMember.organisation == organisation_id) & (OrganisationMember.user == user_id)
        ):
            raise conflict("already_member", "该账户已是本机构成员")
        try:
            await OrganisationMember.insert(OrganisationMember(user=user_id, organisation=organisation_id))
        except asyncpg.UniqueViolationError as exc:  # organisation_member_unique, should the lock ever be bypassed
            raise conflict("already_member", "该账户已是本机构成员") from exc
        await audit.record(
            actor_id=principal.user_id,
            actor_role=principal.role.value,
            action="organisation.member_add",
            object_type="organisation",
            object_id=organisation_id,
            before=None,
            after={"user_id": user_id, "username": data.username},
            reason=data.reason,
        )
    return await list_members(principal, organisation_id)


async def remove_member(principal: Principal, organisation_id: int, user_id: int, reason: str = "") -> None:
    """Officers in scope and admins take an account's rights for the organisation away. The last member stays:
    an organisation nobody can act for could not sign, report or refund."""
    async with engine().transaction():
        await organisation_in_scope(principal, organisation_id, lock=True)
        members = [
            int(r["user"])
            for r in await OrganisationMember.select(OrganisationMember.user).where(
                OrganisationMember.organisation == organisation_id
            )
        ]
        if user_id not in members:
            raise not_found("机构成员")
        if len(members) == 1:
            raise conflict("last_member", "这是机构唯一的成员，请先添加新成员再移除")
        username = await BaseUser.select(BaseUser.username).where(BaseUser.id == user_id).first()
        await OrganisationMember.delete().where(
            (OrganisationMember.organisation == organisation_id) & (OrganisationMember.user == user_id)
        )
        await audit.record(
            actor_id=principal.user_id,
            actor_role=principal.role.value,
            action="organisation.member_remove",
            object_type="organisation",
            object_id=organisation_id,
            before={"user_id": user_id, "username": username["username"] if username else ""},
            after=None,
            reason=reason,
        )
