"""认领 (issue 11): a credit code registered by someone else is claimed by its real holder with evidence; an officer
approves (members move, the squatter's bank accounts stop receiving money) or rejects; racing claims and approvals
transfer the organisation once."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx

from app.audit import AuditEntry
from app.organisations.tables import Organisation, OrganisationClaim, OrganisationMember, OrganisationType
from programmes.payees.tables import BankAccount
from tests import factories
from tests.factories.http import ok, refused
from tests.factories.world import World, row_counts


def claim_body(n: int, code: str, **changes: Any) -> dict[str, Any]:
    return {
        "username": f"claimant{n}",
        "password": "password-123",
        "email": f"claimant{n}@example.org",
        "mobile": f"1360000{n:04d}",
        "credit_code": code,
        "name": "上海真正的社区服务中心",
        "evidence": "登记证书编号 沪民证字第0001号；法定代表人 张三",
        **changes,
    }


async def code_of(org_id: int) -> str:
    row = await Organisation.select(Organisation.credit_code).where(Organisation.id == org_id).first()
    assert row is not None
    return str(row["credit_code"])


async def members(org_id: int) -> list[int]:
    rows = await OrganisationMember.select(OrganisationMember.user).where(OrganisationMember.organisation == org_id)
    return sorted(int(r["user"]) for r in rows)


async def test_a_claim_approved_moves_membership_and_stops_the_old_accounts(
    client: httpx.AsyncClient, world: World
) -> None:
    code = await code_of(world.org_id)
    # Regression: the real holder could only meet 409 credit_code_taken and had no way to get its code back.
    body = {k: v for k, v in claim_body(1, code).items() if k != "evidence"}
    taken = await client.post(
        "/organisations/register", json={**body, "org_type": "social_service_institution", "district": "changning"}
    )
    refused(taken, 409, "credit_code_taken")
    squatters = await members(world.org_id)
    account_id = await factories.verified_bank_account(world.org_id)

    before = await row_counts()
    wrong = factories.wrong_check_character(code)
    refused(await client.post("/organisations/claims", json=claim_body(2, wrong)), 422, "credit_code_check")
    unknown = factories.credit_code(650_001)
    refused(await client.post("/organisations/claims", json=claim_body(3, unknown)), 422, "claim_code_not_registered")
    refused(
        await client.post("/organisations/claims", json=claim_body(4, code, evidence="短")), 422, "validation_failed"
    )
    assert await row_counts() == before

    claim = ok(await client.post("/organisations/claims", json=claim_body(5, code)), 201)
    assert claim["status"] == "pending" and claim["organisation_id"] == world.org_id
    decision = {"reason": "已与长宁区民政局核实登记证书"}
    url = f"/organisations/claims/{claim['id']}"
    refused(await client.post(f"{url}/approve", json=decision, headers=world.pudong_officer.headers), 404, "not_found")
    assert (await client.post(f"{url}/approve", json=decision, headers=world.applicant.headers)).status_code == 403
    listed = ok(await client.get("/organisations/claims?status=pending", headers=world.changning_officer.headers))
    assert [c["id"] for c in listed] == [claim["id"]]
    assert ok(await client.get("/organisations/claims", headers=world.pudong_officer.headers)) == []

    approved = ok(await client.post(f"{url}/approve", json=decision, headers=world.changning_officer.headers))
    assert approved["status"] == "approved" and approved["decided_by"] == world.changning_officer.id
    assert await members(world.org_id) == [claim["claimant_id"]]
    org = await Organisation.select(Organisation.name).where(Organisation.id == world.org_id).first()
    assert org == {"name": "上海真正的社区服务中心"}
    account = await BankAccount.select(BankAccount.status).where(BankAccount.id == account_id).first()
    assert account == {"status": "rejected"}  # the squatter's verified account is revoked: no money goes there
    [transfer] = (
        await AuditEntry.select(AuditEntry.before, AuditEntry.after, AuditEntry.reason)
        .where(AuditEntry.action == "organisation.claim_transfer")
        .output(load_json=True)
    )
    assert transfer["before"]["member_ids"] == squatters and transfer["after"]["member_ids"] == [claim["claimant_id"]]
    assert transfer["reason"] == decision["reason"]
    again = await client.post(f"{url}/reject", json=decision, headers=world.changning_officer.headers)
    refused(again, 409, "transition_invalid_state")


async def test_a_rejected_claim_changes_nothing_but_its_status(client: httpx.AsyncClient, world: World) -> None:
    claim = ok(await client.post("/organisations/claims", json=claim_body(6, await code_of(world.org_id))), 201)
    old = await members(world.org_id)
    rejected = ok(
        await client.post(
            f"/organisations/claims/{claim['id']}/reject",
            json={"reason": "证书编号与登记机关记录不符"},
            headers=world.city_officer.headers,
        )
    )
    assert rejected["status"] == "rejected" and rejected["decision_reason"] == "证书编号与登记机关记录不符"
    assert await members(world.org_id) == old


async def test_fifty_racing_claims_and_approvals_transfer_once(client: httpx.AsyncClient, world: World) -> None:
    code = await code_of(world.org_id)
    claims = await asyncio.gather(
        *[client.post("/organisations/claims", json=claim_body(100 + n, code)) for n in range(50)]
    )
    ids = [ok(c, 201)["id"] for c in claims]
    officer = world.changning_officer.headers
    decision = {"reason": "核实"}
    # Every claim approved at once, and the first claim approved 25 more times: one approval wins.
    sends = [*ids, *[ids[0]] * 25]
    responses = await asyncio.gather(
        *[client.post(f"/organisations/claims/{i}/approve", json=decision, headers=officer) for i in sends]
    )
    assert sorted(r.status_code for r in responses) == [200] + [409] * (len(sends) - 1)
    assert {r.json()["code"] for r in responses if r.status_code == 409} == {"transition_invalid_state"}
    statuses = [r["status"] for r in await OrganisationClaim.select(OrganisationClaim.status)]
    assert statuses.count("approved") == 1 and statuses.count("rejected") == 49
    [winner] = await OrganisationClaim.select(OrganisationClaim.claimant).where(OrganisationClaim.status == "approved")
    assert await members(world.org_id) == [winner["claimant"]]
    assert await AuditEntry.count().where(AuditEntry.action == "organisation.claim_transfer") == 1


async def test_the_registry_lists_page_in_scope_with_totals(client: httpx.AsyncClient, world: World) -> None:
    """Claims, members, my organisations, a centre's groups and the service centres page like every list."""
    code = await code_of(world.org_id)
    for n in range(3):
        ok(await client.post("/organisations/claims", json=claim_body(300 + n, code)), 201)
    officer = world.changning_officer.headers
    first = await client.get("/organisations/claims", params={"limit": 2}, headers=officer)
    assert [c["id"] for c in ok(first)] == sorted((c["id"] for c in ok(first)), reverse=True)
    assert first.headers["x-total-count"] == "3" and first.headers["x-has-more"] == "true"
    assert 'rel="next"' in first.headers["link"]
    rest = await client.get("/organisations/claims", params={"limit": 2, "offset": 2}, headers=officer)
    assert len(ok(rest)) == 1 and rest.headers["x-has-more"] == "false"
    pudong = await client.get("/organisations/claims", headers=world.pudong_officer.headers)
    assert ok(pudong) == [] and pudong.headers["x-total-count"] == "0"

    listed = await client.get(f"/organisations/{world.org_id}/members", headers=officer)
    assert [m["user_id"] for m in ok(listed)] == [world.applicant.id] and listed.headers["x-total-count"] == "1"
    mine = await client.get("/organisations/mine", headers=world.applicant.headers)
    assert [o["id"] for o in ok(mine)] == [world.org_id] and mine.headers["x-total-count"] == "1"

    centre_id, centre_member = await factories.organisation()
    await factories.designate_centre(centre_id)
    for _ in range(2):
        await factories.organisation(org_type=OrganisationType.filed_community_group, custodian_id=centre_id)
    groups = await client.get(f"/organisations/{centre_id}/groups", params={"limit": 1}, headers=centre_member.headers)
    assert len(ok(groups)) == 1 and groups.headers["x-total-count"] == "2"
    centres = await client.get("/service-centres", params={"limit": 1})
    assert len(ok(centres)) == 1 and int(centres.headers["x-total-count"]) >= 1
