"""Officers' changes to the registry: correcting an organisation's facts, and who acts for it (its members).

Membership grants an applicant account the organisation's rights (apply, sign agreements, name bank accounts), so
adding and removing members is an audited business operation, never a raw table edit.
"""

from __future__ import annotations

from typing import Any

import asyncpg
from piccolo.apps.user.tables import BaseUser

import app.organisations.access  # noqa: F401  (declares the policies load() reads)
from app.access import load
from app.auth.principal import Principal
from app.auth.tables import Account, Role
from app.errors import DomainError, FieldError, conflict, invalid, not_found
from app.organisations import facts
from app.organisations.reads import read
from app.organisations.schemas import MemberAdd, MemberRead, OrganisationCorrection, OrganisationRead
from app.organisations.service import checked_credit_code
from app.organisations.tables import EvaluationGrade, FactSource, Organisation, OrganisationMember, OrganisationType
from app.paging import Page, PageParams, fetch_page
from app.uow import unit_of_work
from app.workflow.engine import Actor

# What the staff rule reads: enough to check scope (and to lock the row).
_SCOPE = (Organisation.id, Organisation.district)
# Columns that cannot be NULL: ``null`` for them means "leave as it is"; the dates may be cleared.
_NOT_NULL = {"name", "street", "evaluation_grade"}


def _jsonable(value: Any) -> Any:
    return value.isoformat() if hasattr(value, "isoformat") else value


async def correct_facts(principal: Principal, organisation_id: int, data: OrganisationCorrection) -> OrganisationRead:
    """Officers in scope (district officers: their district's organisations) and admins correct registry facts.

    Writes the changed fields only, with the reason and the values before and after in the audit log. A value
    given for a screened fact (grade, its validity, registration date, certificate expiry), or a declared value
    confirmed with ``verify_declared``, becomes the verified value with the officer as its source (核验).
    """
    sent = {k: getattr(data, k) for k in data.model_fields_set if k not in ("reason", "verify_declared")}
    sent = {k: v for k, v in sent.items() if not (k in _NOT_NULL and v is None)}
    async with unit_of_work(Actor.of(principal)) as uow:
        current = await load(principal, Organisation, organisation_id, lock=True)
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
            await uow.audit(
                "organisation.correct",
                "organisation",
                organisation_id,
                before={k: _jsonable(current[k]) for k in changes},
                after={k: _jsonable(v) for k, v in changes.items()},
                reason=data.reason,
            )
            await facts.record(organisation_id, verified, FactSource.officer, principal.user_id, data.reason)
    if facts.SCREENED & changes.keys():
        await facts.on_facts_changed([organisation_id])
    return await read(organisation_id)


async def _members(params: PageParams, organisation_id: int) -> Page[MemberRead]:
    """One page of an organisation's members in the order they joined: three queries whatever the page size."""
    user: Any = OrganisationMember.user
    query = OrganisationMember.select(OrganisationMember.user, user.username).order_by(OrganisationMember.id)
    page = await fetch_page(OrganisationMember, query, params, OrganisationMember.organisation == organisation_id)
    names = {
        r["user"]: r["display_name"]
        for r in await Account.select(Account.user, Account.display_name).where(
            Account.user.is_in([r["user"] for r in page.items] or [0])
        )
    }
    return page.map(
        [
            MemberRead(user_id=r["user"], username=r["user.username"], display_name=names.get(r["user"], ""))
            for r in page.items
        ]
    )


async def list_members(principal: Principal, organisation_id: int, paging: PageParams) -> Page[MemberRead]:
    await load(principal, Organisation, organisation_id, columns=_SCOPE)
    return await _members(paging, organisation_id)


# An organisation has a handful of members: the answer to adding one lists them all (up to the largest page).
_ALL_MEMBERS = PageParams(limit=200)


async def add_member(principal: Principal, organisation_id: int, data: MemberAdd) -> list[MemberRead]:
    """Officers in scope and admins let an existing applicant account act for the organisation."""
    async with unit_of_work(Actor.of(principal)) as uow:
        await load(principal, Organisation, organisation_id, columns=_SCOPE, lock=True)
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
        await uow.audit(
            "organisation.member_add",
            "organisation",
            organisation_id,
            before=None,
            after={"user_id": user_id, "username": data.username},
            reason=data.reason,
        )
    return (await _members(_ALL_MEMBERS, organisation_id)).items


async def remove_member(principal: Principal, organisation_id: int, user_id: int, reason: str = "") -> None:
    """Officers in scope and admins take an account's rights for the organisation away. The last member stays:
    an organisation nobody can act for could not sign, report or refund."""
    async with unit_of_work(Actor.of(principal)) as uow:
        await load(principal, Organisation, organisation_id, columns=_SCOPE, lock=True)
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
        await uow.audit(
            "organisation.member_remove",
            "organisation",
            organisation_id,
            before={"user_id": user_id, "username": username["username"] if username else ""},
            after=None,
            reason=reason,
        )
