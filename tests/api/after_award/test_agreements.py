"""资助协议 over HTTP: the payment plan is validated before anything is written; sign, return, re-sign, countersign."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx
import pytest

from app.notifications import Notification
from programmes.agreements.tables import Agreement
from tests import factories
from tests.factories.funding import AMOUNT, funded, ok, plan, ranked_application, today, tranche_statuses
from tests.factories.world import World, row_counts

D1, D2 = today() + timedelta(days=30), today() + timedelta(days=90)
GOOD_PLAN = plan(D1, D2)
SIGNER = {"signer_name": "王敏"}


def _with(index: int, **changes: Any) -> list[dict[str, Any]]:
    entries = [dict(e) for e in GOOD_PLAN]
    entries[index].update(changes)
    return [{k: v for k, v in e.items() if v is not None} for e in entries]


# (name, payment_plan, expected (field, code) pairs; None = a pydantic validation error on that field)
BAD_PLANS = [
    ("sum_mismatch", _with(0, amount_fen=200_000), {("payment_plan", "payment_plan_total_mismatch")}),
    (
        "missing_report_due_on",
        _with(1, report_due_on=None),
        {("payment_plan[1].report_due_on", "report_due_on_required")},
    ),
    (
        "two_final_tranches",
        [
            *_with(2, amount_fen=150_000),
            {"amount_fen": 150_000, "condition": "final_report", "report_due_on": "2099-01-01"},
        ],
        {("payment_plan[3].condition", "final_tranche_repeated")},
    ),
    ("fractional_amount", _with(0, amount_fen=300_000.5), None),
    ("negative_amount", _with(0, amount_fen=-300_000), None),
]


@pytest.mark.parametrize(("name", "entries", "expected"), BAD_PLANS, ids=[b[0] for b in BAD_PLANS])
async def test_bad_payment_plans_are_refused_and_write_nothing(
    client: httpx.AsyncClient, world: World, name: str, entries: list[dict[str, Any]], expected: Any
) -> None:
    ranked = await ranked_application(client, world)
    before = await row_counts()
    response = await client.post(
        "/awards",
        json={
            "application_id": ranked["application_id"],
            "budget_line_id": ranked["budget_line_id"],
            "amount_fen": AMOUNT,
            "payment_plan": entries,
        },
        headers=world.changning_officer.headers,
    )
    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body = response.json()
    assert any("\u4e00" <= ch <= "\u9fff" for ch in body["detail"])
    if expected is None:
        assert body["code"] == "validation_failed"
        assert any(e["field"].startswith("payment_plan") and "amount_fen" in e["field"] for e in body["errors"]), body
    else:
        assert body["code"] == "payment_plan_invalid"
        assert {(e["field"], e["code"]) for e in body["errors"]} == expected
    assert await row_counts() == before


async def test_sign_return_resign_and_countersign(client: httpx.AsyncClient, world: World) -> None:
    project = await funded(client, world)
    agreement_id, tranches = project["agreement_id"], project["tranche_ids"]
    sign_path, body = f"/agreements/{agreement_id}/sign", {"signer_name": "王敏"}

    outsider = await client.post(sign_path, json=body, headers=world.other_applicant.headers)
    assert outsider.status_code == 404 and outsider.json()["code"] == "not_found"
    assert (await client.post(sign_path, json=body, headers=world.expert.headers)).status_code == 403
    assert (await client.get(f"/agreements/{agreement_id}", headers=world.other_applicant.headers)).status_code == 404

    signed = ok(await client.post(sign_path, json=body, headers=world.applicant.headers))
    assert signed["status"] == "signed" and signed["signer_name"] == "王敏"

    # Countersigning needs the payee's verified account; an officer of another district cannot see the agreement.
    countersign = f"/agreements/{agreement_id}/countersign"
    before = await row_counts()
    unverified = await client.post(countersign, headers=world.changning_officer.headers)
    assert unverified.status_code == 409 and unverified.json()["code"] == "payee_account_unverified"
    assert await row_counts() == before
    await factories.verified_bank_account(world.org_id)
    assert (await client.post(countersign, headers=world.pudong_officer.headers)).status_code == 404
    assert (await client.post(countersign, headers=world.applicant.headers)).status_code == 403

    returned = ok(
        await client.post(
            f"/agreements/{agreement_id}/return",
            json={"reason": "签署人须为法定代表人"},
            headers=world.changning_officer.headers,
        )
    )
    assert returned["status"] == "draft" and returned["signer_name"] == "" and returned["signed_at"] is None
    assert await Notification.count().where(Notification.kind == "agreement_returned") == 1
    again = await client.post(countersign, headers=world.changning_officer.headers)
    assert again.status_code == 409 and again.json()["code"] == "transition_invalid_state"
    assert await tranche_statuses(tranches) == ["planned", "planned", "planned"]

    ok(await client.post(sign_path, json={"signer_name": "李华"}, headers=world.applicant.headers))
    effective = ok(await client.post(countersign, headers=world.changning_officer.headers))
    assert effective["status"] == "effective" and effective["payee_account_id"] is not None
    assert [t["status"] for t in effective["tranches"]] == ["released", "planned", "planned"]
    assert [t["condition_zh"] for t in effective["tranches"]] == [
        "协议生效后拨付",
        "第 1 期中期报告验收通过后拨付",
        "结项报告验收通过后拨付",
    ]
    row = await Agreement.select(Agreement.signer_name).where(Agreement.id == agreement_id).first()
    assert row == {"signer_name": "李华"}
    twice = await client.post(countersign, headers=world.changning_officer.headers)
    assert twice.status_code == 409
    assert await tranche_statuses(tranches) == ["released", "planned", "planned"]


async def test_reducing_an_award_amends_its_agreement(client: httpx.AsyncClient, world: World) -> None:
    project = await funded(client, world)
    agreement_id, award_id = project["agreement_id"], project["award"]["id"]
    staff = world.changning_officer.headers

    async def sign() -> None:
        ok(await client.post(f"/agreements/{agreement_id}/sign", json=SIGNER, headers=world.applicant.headers))

    async def reduce(amount_fen: int, reason: str) -> dict[str, Any]:
        body = {"amount_fen": amount_fen, "reason": reason}
        ok(await client.post(f"/awards/{award_id}/reduce", json=body, headers=staff))
        return ok(await client.get(f"/agreements/{agreement_id}", headers=staff))  # type: ignore[no-any-return]

    first_change = "变更：资助金额由 10,000.00 元 调减为 9,000.00 元，原因：预算调整"
    second_change = "变更：资助金额由 9,000.00 元 调减为 8,000.00 元，原因：活动缩减"

    # Signed but not countersigned: the amended text goes back to the organisation to sign again.
    await sign()
    agreement = await reduce(AMOUNT - 100_000, "预算调整")
    assert agreement["status"] == "draft" and agreement["signer_name"] == ""
    assert agreement["terms"].splitlines()[-1].endswith(first_change)
    assert [t["amount_fen"] for t in agreement["tranches"]] == [300_000, 400_000, 200_000]

    # In force: the change is recorded in the text and the agreement stays effective.
    await sign()
    await factories.verified_bank_account(world.org_id)
    ok(await client.post(f"/agreements/{agreement_id}/countersign", headers=staff))
    agreement = await reduce(AMOUNT - 200_000, "活动缩减")
    assert agreement["status"] == "effective"
    changes = [line.split(" ", 1)[1] for line in agreement["terms"].splitlines()[-2:]]
    assert changes == [first_change, second_change]
