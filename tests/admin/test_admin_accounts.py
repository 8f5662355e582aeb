"""Admin forms for receiving accounts and clawbacks call the API's services: scope, workflow and idempotency hold."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import pytest

from app.auth.tables import Role
from app.organisations.tables import Organisation
from app.reference import District
from programmes.disbursements.service import approve_batch
from programmes.ledger.tables import LedgerEntry
from programmes.payees.schemas import BankAccountCreate
from programmes.payees.service import submit
from programmes.payees.tables import BankAccount
from programmes.tables import Clawback, PaymentBatchItem
from tests import factories
from tests.factories.admin import AdminFactory, draft_batch
from tests.factories.worker import run_worker_burst

pytestmark = pytest.mark.filterwarnings("ignore:If running sessions in production:UserWarning")


def form(name: str) -> str:
    return f"forms/{quote(name)}/"


async def test_officers_verify_and_reject_accounts_in_their_district(admin_client: AdminFactory) -> None:
    changning = await admin_client(Role.officer, District.changning)
    pudong = await admin_client(Role.officer, District.pudong)
    org_id, member = await factories.organisation(District.changning)
    org = await Organisation.select(Organisation.name).where(Organisation.id == org_id).first()
    assert org is not None

    async def ask(number: str) -> int:
        body = BankAccountCreate(account_name=org["name"], bank_name="上海银行长宁支行", account_number=number)
        return (await submit(member.principal, org_id, body)).id

    first = await ask("62220000000000001234")
    refused = await pudong.post(form("核验银行账户"), {"account_id": first})
    assert refused.status_code == 422 and refused.json()["custom_form_error"] == "银行账户不存在或无权访问"
    done = await changning.post(form("核验银行账户"), {"account_id": first})
    assert done.status_code == 200, done.text
    assert "尾号 1234" in done.json()["custom_form_success"]
    second = await ask("62220000000000005678")
    rejected = await changning.post(form("驳回银行账户"), {"account_id": second, "reason": "户名与开户许可证不符"})
    assert rejected.status_code == 200, rejected.text
    statuses = {r["id"]: r["status"] for r in await BankAccount.select(BankAccount.id, BankAccount.status)}
    assert statuses == {first: "verified", second: "rejected"}

    listed = await changning.get("tables/bank_account/")
    assert {r["id"] for r in listed.json()["rows"]} == {first, second}
    assert (await pudong.get("tables/bank_account/")).json()["rows"] == []
    edit = await changning.patch(f"tables/bank_account/{second}/", {"status": "verified"})
    assert edit.status_code in (403, 405), edit.text  # read-only: a status never moves around the workflow


async def test_clawback_and_refund_forms(admin_client: AdminFactory) -> None:
    city = await admin_client(Role.officer)
    changning = await admin_client(Role.officer, District.changning)
    pudong = await admin_client(Role.officer, District.pudong)
    assert city.user is not None
    batch = await draft_batch(city.user, District.changning)
    await approve_batch(await factories.second_officer(city.user.principal), batch["id"])
    await run_worker_burst()
    item = await PaymentBatchItem.select(PaymentBatchItem.tranche.award.as_alias("award")).first()
    assert item is not None
    award_id = item["award"]

    demand: dict[str, Any] = {"award_id": award_id, "amount_fen": 100_000, "finding": "列支与项目无关的费用"}
    refused = await pudong.post(form("发起追回"), demand)
    assert refused.status_code == 422 and refused.json()["custom_form_error"] == "资助不存在或无权访问"
    made = await changning.post(form("发起追回"), demand)
    assert made.status_code == 200, made.text
    [clawback] = await Clawback.select()
    refund = {"clawback_id": clawback["id"], "amount_fen": 100_000, "bank_reference": "BOS-20261201-01"}
    for _ in range(2):  # the same bank receipt twice books one refund
        recorded = await changning.post(form("登记退款"), refund)
        assert recorded.status_code == 200, recorded.text
        assert "已全额退回" in recorded.json()["custom_form_success"]
    assert await LedgerEntry.count().where(LedgerEntry.kind == "refund") == 1
    too_much = await changning.post(form("登记退款"), {**refund, "bank_reference": "BOS-20261201-02"})
    assert too_much.status_code == 422 and "超过待退金额" in too_much.json()["custom_form_error"]
