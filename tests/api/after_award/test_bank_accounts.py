"""收款账户: members ask, officers in scope verify; money goes only to the verified account, switching at the instant
a change is verified; filed groups never hold an account — their custodian is paid."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest

from app.audit import AuditEntry
from app.notifications import Notification
from app.organisations.tables import Organisation, OrganisationType
from app.reference import District
from programmes.awards.schemas import AwardCreate, PlannedTranche
from programmes.disbursements.schemas import BatchCreate
from programmes.disbursements.service import approve_batch, create_batch
from programmes.payees.tables import BankAccount
from programmes.tables import PaymentBatchItem, ReleaseCondition, SimulatedTransfer, Tranche
from tests import factories
from tests.factories.http import ok, problem
from tests.factories.money import budget_line, close_world_round, ranked_world, reviewed_application
from tests.factories.worker import run_worker_burst
from tests.factories.world import World, row_counts


async def name_of(org_id: int) -> str:
    row = await Organisation.select(Organisation.name).where(Organisation.id == org_id).first()
    assert row is not None
    return str(row["name"])


async def body_for(org_id: int, number: str = "6222 0000 1111 2222") -> dict[str, str]:
    return {"account_name": await name_of(org_id), "bank_name": "上海银行长宁支行", "account_number": number}


async def test_submit_verify_reject_and_who_sees_what(client: httpx.AsyncClient, world: World) -> None:
    path = f"/organisations/{world.org_id}/bank-accounts"
    created = ok(await client.post(path, json=await body_for(world.org_id), headers=world.applicant.headers), 201)
    assert created["status"] == "pending" and created["account_number"] == "6222000011112222"
    row = await BankAccount.select().where(BankAccount.id == created["id"]).first()
    assert row is not None and row["scope_district"] == "changning" and row["requested_by"] == world.applicant.id
    again = await client.post(path, json=await body_for(world.org_id, "62229999"), headers=world.applicant.headers)
    problem(again, 409, "bank_account_change_pending")

    # Full numbers for the organisation's members and staff in scope; nobody else sees the list at all.
    for headers in (world.applicant.headers, world.changning_officer.headers, world.city_officer.headers):
        assert [a["account_number"] for a in ok(await client.get(path, headers=headers))] == ["6222000011112222"]
    problem(await client.get(path, headers=world.pudong_officer.headers), 404, "not_found")
    problem(await client.get(path, headers=world.other_applicant.headers), 404, "not_found")
    assert (await client.get(path, headers=world.expert.headers)).status_code == 403
    problem(
        await client.get(f"/bank-accounts/{created['id']}", headers=world.other_applicant.headers), 404, "not_found"
    )

    verify = f"/bank-accounts/{created['id']}/verify"
    problem(await client.post(verify, headers=world.pudong_officer.headers), 404, "not_found")
    assert (await client.post(verify, headers=world.applicant.headers)).status_code == 403
    assert (await client.post(verify, headers=world.expert.headers)).status_code == 403
    verified = ok(await client.post(verify, headers=world.changning_officer.headers))
    assert verified["status"] == "verified" and verified["verified_at"] is not None
    problem(await client.post(verify, headers=world.changning_officer.headers), 409, "transition_invalid_state")

    second = ok(
        await client.post(path, json=await body_for(world.org_id, "62228888"), headers=world.applicant.headers), 201
    )
    refused = await client.post(
        f"/bank-accounts/{second['id']}/reject",
        json={"reason": "开户许可证与户名不符"},
        headers=world.city_officer.headers,
    )
    rejected = ok(refused)
    assert rejected["status"] == "rejected" and rejected["decision_reason"] == "开户许可证与户名不符"
    statuses = {r["id"]: r["status"] for r in await BankAccount.select(BankAccount.id, BankAccount.status)}
    assert statuses == {created["id"]: "verified", second["id"]: "rejected"}  # a refusal leaves payments alone

    kinds = [n["kind"] for n in await Notification.select().where(Notification.user == world.applicant.id)]
    assert {"bank_account_verified", "bank_account_reject"} <= set(kinds)
    actions = [
        a["action"] for a in await AuditEntry.select(AuditEntry.action).where(AuditEntry.object_type == "bank_account")
    ]
    assert (
        actions.count("bank_account.submit") == 2
        and "bank_account.verify" in actions
        and "bank_account.reject" in actions
    )


@pytest.mark.parametrize(
    ("change", "status", "code", "field"),  # status is 422 throughout; kept to read each case at a glance
    [
        ({"account_name": "别的组织"}, 422, "account_name_mismatch", "account_name"),
        ({"account_number": "6222-0000-1111"}, 422, "account_number_invalid", "account_number"),
        ({"account_number": "1234567"}, 422, "account_number_invalid", "account_number"),
        ({"account_number": "1" * 33}, 422, "account_number_invalid", "account_number"),
        ({"account_number": 62220000111.5}, 422, "validation_failed", "account_number"),
        ({"account_number": 6222000011112222}, 422, "validation_failed", "account_number"),
        ({"bank_name": ""}, 422, "validation_failed", "bank_name"),
        ({"unexpected": 1}, 422, "validation_failed", None),
    ],
)
async def test_bad_accounts_are_refused_and_nothing_is_written(
    client: httpx.AsyncClient, world: World, change: dict[str, Any], status: int, code: str, field: str | None
) -> None:
    before = await row_counts()
    response = await client.post(
        f"/organisations/{world.org_id}/bank-accounts",
        json={**await body_for(world.org_id), **change},
        headers=world.applicant.headers,
    )
    body = problem(response, status, code)
    assert body["detail"]
    if field:
        assert field in {e["field"].split(".")[-1] for e in body["errors"]}, body
    assert await row_counts() == before


async def test_only_members_of_registered_organisations_submit(client: httpx.AsyncClient, world: World) -> None:
    before = await row_counts()
    body = await body_for(world.org_id)
    path = f"/organisations/{world.org_id}/bank-accounts"
    problem(await client.post(path, json=body, headers=world.other_applicant.headers), 404, "not_found")
    problem(
        await client.post("/organisations/999999/bank-accounts", json=body, headers=world.applicant.headers),
        404,
        "not_found",
    )
    assert (await client.post(path, json=body, headers=world.expert.headers)).status_code == 403
    assert (await client.post(path, json=body, headers=world.city_officer.headers)).status_code == 403
    assert await row_counts() == before

    centre_id, _ = await factories.organisation()
    group_id, member = await factories.organisation(
        org_type=OrganisationType.filed_community_group, custodian_id=centre_id
    )
    before = await row_counts()
    refused = await client.post(
        f"/organisations/{group_id}/bank-accounts", json=await body_for(group_id), headers=member.headers
    )
    problem(refused, 422, "group_cannot_hold_account")
    assert "财务代管" in refused.json()["detail"]
    assert await row_counts() == before


async def test_concurrent_submissions_and_verifications_of_one_organisation(
    client: httpx.AsyncClient, world: World
) -> None:
    path = f"/organisations/{world.org_id}/bank-accounts"
    submitted = await asyncio.gather(
        *[
            client.post(path, json=await body_for(world.org_id, f"6222{i:08d}"), headers=world.applicant.headers)
            for i in range(10)
        ]
    )
    assert sorted(r.status_code for r in submitted) == [201] + [409] * 9
    first = next(r.json()["id"] for r in submitted if r.status_code == 201)
    # The service never lets two requests be pending at once; imported data might, so the verifier must still be safe.
    rows = await BankAccount.insert(
        BankAccount(
            organisation=world.org_id,
            account_name=await name_of(world.org_id),
            bank_name="导入数据",
            account_number="62227777",
            status="pending",
            scope_district="changning",
        )
    ).returning(BankAccount.id)
    second = rows[0]["id"]
    verified = await asyncio.gather(
        *[client.post(f"/bank-accounts/{i}/verify", headers=world.changning_officer.headers) for i in (first, second)]
    )
    assert [r.status_code for r in verified] == [200, 200], [r.text for r in verified]
    statuses = sorted(r["status"] for r in await BankAccount.select(BankAccount.status))
    assert statuses == ["superseded", "verified"]


async def pay(tranche_id: int, officer: Any) -> None:
    batch = await create_batch(officer, BatchCreate(title="拨付", tranche_ids=[tranche_id]))
    await approve_batch(await factories.second_officer(officer), batch.id)
    await run_worker_burst()


async def test_a_changed_account_is_paid_only_once_verified(client: httpx.AsyncClient, world: World) -> None:
    [application_id] = await ranked_world(world)
    officer = world.city_officer.principal
    line_id = await budget_line(world, 1_000_000)
    plan = [PlannedTranche(amount_fen=100_000, condition=ReleaseCondition.on_signing) for _ in range(3)]
    award = await factories.payable_award(
        officer,
        AwardCreate(application_id=application_id, budget_line_id=line_id, amount_fen=300_000, payment_plan=plan),
    )
    t1, t2, t3 = (t["id"] for t in award["tranches"])
    old_account = await factories.verified_bank_account(world.other_org_id)
    old_number = f"6222{world.other_org_id:012d}"
    await pay(t1, officer)

    member = world.other_applicant.headers
    path = f"/organisations/{world.other_org_id}/bank-accounts"
    new = ok(
        await client.post(path, json=await body_for(world.other_org_id, "6228 4800 0000 0001"), headers=member), 201
    )
    await pay(t2, officer)  # the change is still pending: the old account is paid
    ok(await client.post(f"/bank-accounts/{new['id']}/verify", headers=world.city_officer.headers))
    await pay(t3, officer)

    accounts = {r["id"]: r["status"] for r in await BankAccount.select(BankAccount.id, BankAccount.status)}
    assert accounts == {old_account: "superseded", new["id"]: "verified"}
    transfers = {
        r["idempotency_key"]: r["account_number"]
        for r in await SimulatedTransfer.select(SimulatedTransfer.idempotency_key, SimulatedTransfer.account_number)
    }
    assert transfers == {f"tranche:{t1}": old_number, f"tranche:{t2}": old_number, f"tranche:{t3}": "6228480000000001"}
    items = {
        r["tranche"]: r["payee_account"]
        for r in await PaymentBatchItem.select(PaymentBatchItem.tranche, PaymentBatchItem.payee_account)
    }
    assert items == {t1: old_account, t2: old_account, t3: new["id"]}


async def test_a_revoked_account_fails_the_queued_payment(client: httpx.AsyncClient, world: World) -> None:
    [application_id] = await ranked_world(world)
    officer = world.city_officer.principal
    line_id = await budget_line(world, 1_000_000)
    award = await factories.payable_award(
        officer, AwardCreate(application_id=application_id, budget_line_id=line_id, amount_fen=5_000)
    )
    [tranche] = award["tranches"]
    account_id = await factories.verified_bank_account(world.other_org_id)
    batch = await create_batch(officer, BatchCreate(title="拨付", tranche_ids=[tranche["id"]]))
    await approve_batch(await factories.second_officer(officer), batch.id)
    revoked = await client.post(
        f"/bank-accounts/{account_id}/revoke",
        json={"reason": "银行通知该账户已销户"},
        headers=world.city_officer.headers,
    )
    assert ok(revoked)["status"] == "rejected"

    await run_worker_burst()
    item = await PaymentBatchItem.select().where(PaymentBatchItem.batch == batch.id).first()
    assert item is not None and item["status"] == "failed" and "经核验" in item["error"]
    assert (await Tranche.select(Tranche.status).where(Tranche.id == tranche["id"]).first()) == {"status": "failed"}
    assert await SimulatedTransfer.count() == 0


async def test_a_filed_group_award_pays_the_custodian_end_to_end(client: httpx.AsyncClient, world: World) -> None:
    centre_id, centre_member = await factories.organisation(District.changning, name="新华路街道社会组织服务中心")
    centre_account = await factories.verified_bank_account(centre_id, account_number="6216610000000042")
    group_id, member = await factories.organisation(
        org_type=OrganisationType.filed_community_group, custodian_id=centre_id, name="新华路楼组睦邻队"
    )
    application_id = await reviewed_application(world, group_id, centre_member, "楼组睦邻", 60)  # via the centre
    await close_world_round(world)
    line_id = await budget_line(world, 100_000)
    staff = world.city_officer.headers
    award = ok(
        await client.post(
            "/awards",
            json={"application_id": application_id, "budget_line_id": line_id, "amount_fen": 50_000},
            headers=staff,
        ),
        201,
    )
    assert award["payee_id"] == centre_id
    agreement = f"/agreements/{award['agreement_id']}"
    # The group is not a legal person: the centre, which receives the money, signs.
    ok(await client.post(f"{agreement}/sign", json={"signer_name": "李芳"}, headers=centre_member.headers))
    effective = ok(await client.post(f"{agreement}/countersign", headers=staff))
    assert effective["payee_account_id"] == centre_account
    # The custodian, who receives the money, hears about the agreement as well as the group.
    for user in (member, centre_member):
        kinds = await Notification.select(Notification.kind).where(Notification.user == user.id)
        assert {"kind": "agreement_effective"} in kinds
    [tranche] = award["tranches"]
    batch = ok(
        await client.post(
            "/payment-batches", json={"title": "团队拨付", "tranche_ids": [tranche["id"]]}, headers=staff
        ),
        201,
    )
    checker = world.admin.headers  # four-eyes: not the builder
    ok(await client.post(f"/payment-batches/{batch['id']}/approve", headers=checker))
    await run_worker_burst()

    [transfer] = await SimulatedTransfer.select()
    assert transfer["payee_name"] == "新华路街道社会组织服务中心" and transfer["account_number"] == "6216610000000042"
    assert transfer["amount_fen"] == 50_000
    item = (
        await PaymentBatchItem.select(PaymentBatchItem.payee_account)
        .where(PaymentBatchItem.batch == batch["id"])
        .first()
    )
    assert item == {"payee_account": centre_account}
    assert await BankAccount.count().where(BankAccount.organisation == group_id) == 0
