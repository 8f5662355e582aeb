"""认领: the real holder of a credit code takes over the organisation someone else registered under it.

The claimant files a claim with evidence (a new applicant account is created with it); an officer in scope approves
or rejects. On approval the organisation's members are replaced by the claimant, its name becomes the one the
officer verified, and bank accounts named by the former members stop receiving money (pending ones are rejected,
the verified one revoked) — otherwise the squatter's account would still be paid.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import asyncpg

from app.access import load, staff_filter
from app.auth.principal import Principal
from app.auth.service import create_account
from app.auth.tables import Role
from app.errors import conflict, invalid, not_found
from app.organisations import credit_code, facts
from app.organisations.schemas import ClaimDecision, ClaimRead, OrganisationClaimCreate
from app.organisations.tables import Organisation, OrganisationClaim, OrganisationMember
from app.organisations.workflow import CLAIM, ClaimStatus
from app.paging import Page, PageParams, fetch_page
from app.timezone import now_utc
from app.uow import UnitOfWork, unit_of_work
from app.workflow.engine import Actor

# What other rooms tie to the former members is theirs to withdraw (the payees room: the accounts they named). They
# register here, so this module imports no domain room; each runs inside the approval's transaction.
TransferHook = Callable[[int, int, Actor], Awaitable[None]]  # (organisation id, claim id, approving actor)
_ON_TRANSFER: list[TransferHook] = []


def on_transfer(hook: TransferHook) -> TransferHook:
    _ON_TRANSFER.append(hook)
    return hook


async def submit(data: OrganisationClaimCreate) -> ClaimRead:
    """Anyone may call (like registration): creates the claimant's applicant account and a pending claim."""
    code = credit_code.normalise(data.credit_code)
    problem = credit_code.problem_with(code)
    if problem:
        raise invalid(problem.code, problem.message, "credit_code")
    org = await Organisation.select(Organisation.id, Organisation.district).where(Organisation.credit_code == code)
    if not org:
        raise invalid("claim_code_not_registered", "该统一社会信用代码尚未注册，请直接注册", "credit_code")
    async with unit_of_work(Actor.system()):
        user_id = await create_account(
            username=data.username, password=data.password, role=Role.applicant, email=data.email, mobile=data.mobile
        )
        rows = await OrganisationClaim.insert(
            OrganisationClaim(
                organisation=org[0]["id"],
                claimant=user_id,
                claimant_name=data.name,
                evidence=data.evidence,
                status=CLAIM.initial,
                scope_district=org[0]["district"],
            )
        ).returning(OrganisationClaim.id)
        claim_id = int(rows[0]["id"])
        # The claim is the new claimant's own act: its audit row names them, inside the same transaction.
        async with unit_of_work(Actor(user_id, Role.applicant.value)) as uow:
            await uow.audit(
                "organisation_claim.submit",
                "organisation_claim",
                claim_id,
                after={"organisation_id": org[0]["id"], "claimant_name": data.name, "credit_code": code},
            )
    return await read(claim_id)


async def read(claim_id: int) -> ClaimRead:
    row = await OrganisationClaim.select().where(OrganisationClaim.id == claim_id).first()
    if row is None:
        raise not_found("认领申请")
    return _shown(row)


def _shown(row: dict[str, Any]) -> ClaimRead:
    return ClaimRead(
        **row, organisation_id=row["organisation"], claimant_id=row["claimant"], status_zh=CLAIM.states[row["status"]]
    )


async def list_in_scope(principal: Principal, status: str | None, paging: PageParams) -> Page[ClaimRead]:
    """Staff: the claims on organisations in their district scope, newest first."""
    where = [*staff_filter(principal, OrganisationClaim.scope_district)]
    if status:
        where.append(OrganisationClaim.status == status)
    query = OrganisationClaim.select().order_by(OrganisationClaim.id, ascending=False)
    page = await fetch_page(OrganisationClaim, query, paging, *where)
    return page.map([_shown(row) for row in page.items])


async def decide(principal: Principal, claim_id: int, approve: bool, data: ClaimDecision) -> ClaimRead:
    """Officers in scope and admins approve or reject a pending claim (409 once decided)."""
    claim = await load(principal, OrganisationClaim, claim_id)
    decided = {"decided_by": principal.user_id, "decided_at": now_utc(), "decision_reason": data.reason}
    async with unit_of_work(Actor.of(principal)) as uow:
        # Organisation first, then claims: every decision on one organisation runs one after the other.
        org = await Organisation.select().where(Organisation.id == claim["organisation"]).lock_rows("UPDATE").first()
        assert org is not None  # claims cascade with their organisation
        if not approve:
            await uow.transition(OrganisationClaim, claim_id, "reject", values=decided, reason=data.reason)
        else:
            await uow.transition(OrganisationClaim, claim_id, "approve", values=decided, reason=data.reason)
            await _transfer(uow, org, claim, data.reason)
    if approve:
        await facts.on_facts_changed([int(claim["organisation"])])
    return await read(claim_id)


async def _transfer(uow: UnitOfWork, org: dict[str, Any], claim: dict[str, Any], reason: str) -> None:
    organisation_id = int(org["id"])
    others = await OrganisationClaim.select(OrganisationClaim.id).where(
        (OrganisationClaim.organisation == organisation_id)
        & (OrganisationClaim.status == ClaimStatus.pending)
        & (OrganisationClaim.id != claim["id"])
    )
    async with unit_of_work(Actor.system()) as seedbed:  # joins the decision's transaction, as Seedbed
        for other in others:
            await seedbed.transition(
                OrganisationClaim,
                other["id"],
                "supersede",
                values={"decision_reason": f"认领申请 {claim['id']} 已核准"},
                reason=f"认领申请 {claim['id']} 已核准",
            )
    members = [
        int(r["user"])
        for r in await OrganisationMember.select(OrganisationMember.user).where(
            OrganisationMember.organisation == organisation_id
        )
    ]
    await OrganisationMember.delete().where(OrganisationMember.organisation == organisation_id)
    try:
        await OrganisationMember.insert(OrganisationMember(user=claim["claimant"], organisation=organisation_id))
    except asyncpg.UniqueViolationError as exc:  # cannot happen after the delete above; kept explicit
        raise conflict("already_member", "认领人已是本机构成员") from exc
    if org["name"] != claim["claimant_name"]:
        await Organisation.update({Organisation.name: claim["claimant_name"]}).where(Organisation.id == organisation_id)
    await uow.audit(
        "organisation.claim_transfer",
        "organisation",
        organisation_id,
        before={"member_ids": members, "name": org["name"]},
        after={"member_ids": [int(claim["claimant"])], "name": claim["claimant_name"], "claim_id": int(claim["id"])},
        reason=reason,
    )
    for hook in _ON_TRANSFER:
        await hook(organisation_id, int(claim["id"]), uow.actor)
