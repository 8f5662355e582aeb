"""追回: demanding paid money back after an audit finding, refunds as ledger entries (idempotent per bank
reference, never more than demanded), the budget line getting the money back, and reconciliation rule (g)."""

from __future__ import annotations

import asyncio
from typing import Any

import asyncpg
import httpx
import pytest

from app.notifications import Notification
from programmes.awards.service import read_budget_line
from programmes.disbursements.reconciliation import reconcile
from programmes.ledger.tables import LedgerEntry
from programmes.tables import Clawback
from tests import factories
from tests.factories.http import ok, problem
from tests.factories.money import PAID, paid_award
from tests.factories.owner import as_owner
from tests.factories.world import World, row_counts


async def available(line_id: int) -> int:
    return int((await read_budget_line(line_id)).available_fen)


async def test_demand_refund_in_parts_and_settle(client: httpx.AsyncClient, world: World) -> None:
    paid = await paid_award(world)
    staff = world.city_officer.headers
    demand = f"/awards/{paid.award_id}/clawbacks"
    problem(
        await client.post(demand, json={"amount_fen": PAID + 1, "finding": "超额"}, headers=staff),
        409,
        "clawback_exceeds_paid",
    )
    unpaid = f"/awards/{paid.unpaid_award_id}/clawbacks"
    problem(
        await client.post(unpaid, json={"amount_fen": 1, "finding": "未拨付"}, headers=staff),
        409,
        "clawback_exceeds_paid",
    )

    start = await available(paid.line_id)
    clawback = ok(
        await client.post(
            demand,
            json={"amount_fen": 150_000, "finding": "活动经费列支与项目无关的餐费", "due_on": "2026-12-31"},
            headers=staff,
        ),
        201,
    )
    assert clawback["status"] == "demanded" and clawback["outstanding_fen"] == 150_000
    # What a live clawback claims cannot be claimed again: 250,000 of the 400,000 paid remain recoverable.
    problem(
        await client.post(demand, json={"amount_fen": 250_001, "finding": "再次"}, headers=staff),
        409,
        "clawback_exceeds_paid",
    )
    assert await available(paid.line_id) == start  # a demand moves no money

    refunds = f"/clawbacks/{clawback['id']}/refunds"
    part = ok(await client.post(refunds, json={"amount_fen": 50_000, "bank_reference": "BOS-0001"}, headers=staff))
    assert part["status"] == "demanded" and part["refunded_fen"] == 50_000 and part["outstanding_fen"] == 100_000
    replay = ok(await client.post(refunds, json={"amount_fen": 50_000, "bank_reference": "BOS-0001"}, headers=staff))
    assert replay == part
    problem(
        await client.post(refunds, json={"amount_fen": 7, "bank_reference": "BOS-0001"}, headers=staff),
        409,
        "bank_reference_reused",
    )
    problem(
        await client.post(refunds, json={"amount_fen": 100_001, "bank_reference": "BOS-0002"}, headers=staff),
        409,
        "refund_exceeds_clawback",
    )
    assert await available(paid.line_id) == start + 50_000

    settled = ok(await client.post(refunds, json={"amount_fen": 100_000, "bank_reference": "BOS-0003"}, headers=staff))
    assert settled["status"] == "settled" and settled["refunded_fen"] == 150_000 and settled["outstanding_fen"] == 0
    assert [r["bank_reference"] for r in settled["refunds"]] == ["BOS-0001", "BOS-0003"]
    assert await available(paid.line_id) == start + 150_000
    rows = await LedgerEntry.select().where(LedgerEntry.kind == "refund").order_by(LedgerEntry.id)
    assert [(r["amount_fen"], r["idempotency_key"], r["budget_line"], r["award"]) for r in rows] == [
        (50_000, f"clawback:{clawback['id']}:refund:BOS-0001", paid.line_id, paid.award_id),
        (100_000, f"clawback:{clawback['id']}:refund:BOS-0003", paid.line_id, paid.award_id),
    ]
    problem(
        await client.post(refunds, json={"amount_fen": 1, "bank_reference": "BOS-0004"}, headers=staff),
        409,
        "refund_exceeds_clawback",
    )
    withdraw = f"/clawbacks/{clawback['id']}/withdraw"
    problem(await client.post(withdraw, json={"reason": "复核"}, headers=staff), 409, "clawback_has_refunds")

    listed = ok(await client.get(demand, headers=staff))
    assert [c["id"] for c in listed] == [clawback["id"]]
    assert ok(await client.get(f"/clawbacks/{clawback['id']}", headers=staff)) == settled
    report = await reconcile()
    assert report.ok, report.lines()
    assert report.totals["refunded_fen"] == 150_000
    member_notes = await Notification.select().where(Notification.user == world.other_applicant.id)
    assert [n["kind"] for n in member_notes].count("clawback") == 1


async def test_withdrawn_clawbacks_take_no_refund_and_free_the_amount(client: httpx.AsyncClient, world: World) -> None:
    paid = await paid_award(world)
    staff = world.city_officer.headers
    demand = f"/awards/{paid.award_id}/clawbacks"
    clawback = ok(await client.post(demand, json={"amount_fen": PAID, "finding": "票据不合规"}, headers=staff), 201)
    withdrawn = ok(
        await client.post(f"/clawbacks/{clawback['id']}/withdraw", json={"reason": "复核推翻"}, headers=staff)
    )
    assert withdrawn["status"] == "withdrawn"
    refund = {"amount_fen": 1, "bank_reference": "BOS-0009"}
    problem(
        await client.post(f"/clawbacks/{clawback['id']}/refunds", json=refund, headers=staff), 409, "clawback_withdrawn"
    )
    ok(await client.post(demand, json={"amount_fen": PAID, "finding": "重新认定"}, headers=staff), 201)
    assert (await reconcile()).ok


async def test_concurrent_refunds_never_exceed_the_demand(client: httpx.AsyncClient, world: World) -> None:
    paid = await paid_award(world)
    staff = world.city_officer.headers
    clawback = ok(
        await client.post(
            f"/awards/{paid.award_id}/clawbacks", json={"amount_fen": PAID, "finding": "全额追回"}, headers=staff
        ),
        201,
    )
    path = f"/clawbacks/{clawback['id']}/refunds"
    responses = await asyncio.gather(
        *[
            client.post(path, json={"amount_fen": PAID, "bank_reference": f"BOS-{i:04d}"}, headers=staff)
            for i in range(50)
        ]
    )
    assert sorted(r.status_code for r in responses) == [200] + [409] * 49
    assert {r.json()["code"] for r in responses if r.status_code == 409} == {"refund_exceeds_clawback"}
    assert await LedgerEntry.count().where(LedgerEntry.kind == "refund") == 1
    final = ok(await client.get(f"/clawbacks/{clawback['id']}", headers=staff))
    assert final["status"] == "settled" and final["refunded_fen"] == PAID
    assert (await reconcile()).ok


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"amount_fen": -100, "finding": "负数"}, "amount_fen"),
        ({"amount_fen": 0, "finding": "零"}, "amount_fen"),
        ({"amount_fen": 100.5, "finding": "小数"}, "amount_fen"),
        ({"amount_fen": 100.0, "finding": "小数"}, "amount_fen"),
        ({"amount_fen": "100", "finding": "字符串"}, "amount_fen"),
        ({"amount_fen": True, "finding": "布尔"}, "amount_fen"),
        ({"amount_fen": 100}, None),
        ({"amount_fen": 100, "finding": "x"}, "finding"),
        ({"amount_fen": 100, "finding": "多余字段", "extra": 1}, None),
    ],
)
async def test_bad_clawbacks_write_nothing(
    client: httpx.AsyncClient, world: World, body: dict[str, Any], field: str | None
) -> None:
    paid = await paid_award(world)
    before = await row_counts()
    response = await client.post(f"/awards/{paid.award_id}/clawbacks", json=body, headers=world.city_officer.headers)
    errors = problem(response, 422, "validation_failed")["errors"]
    if field:
        assert field in {e["field"] for e in errors}, errors
    assert await row_counts() == before


@pytest.mark.parametrize("amount", [-1, 0, 1.5, "1", None])
async def test_bad_refunds_write_nothing(client: httpx.AsyncClient, world: World, amount: object) -> None:
    paid = await paid_award(world)
    clawback = ok(
        await client.post(
            f"/awards/{paid.award_id}/clawbacks",
            json={"amount_fen": 1000, "finding": "测试"},
            headers=world.city_officer.headers,
        ),
        201,
    )
    before = await row_counts()
    response = await client.post(
        f"/clawbacks/{clawback['id']}/refunds",
        json={"amount_fen": amount, "bank_reference": "BOS-0001"},
        headers=world.city_officer.headers,
    )
    assert "amount_fen" in {e["field"] for e in problem(response, 422, "validation_failed")["errors"]}
    assert await row_counts() == before


async def test_the_inspection_draw_must_have_drawn_the_award(client: httpx.AsyncClient, world: World) -> None:
    paid = await paid_award(world)
    officer = world.city_officer
    drawn = await factories.inspection_draw(officer.principal, world.round["edition_id"], 2, 1)
    assert {p["award_id"] for p in drawn["projects"]} == {paid.award_id, paid.unpaid_award_id}
    for attempt in range(30):  # a one-project draw that picked the other award
        other = await factories.inspection_draw(
            officer.principal, world.round["edition_id"], 1, 1, f"测试：重抽第 {attempt} 次"
        )
        if other["projects"][0]["award_id"] == paid.unpaid_award_id:
            break
    else:
        pytest.fail("no draw picked the other award")
    before = await row_counts()
    for wrong_draw in (other["id"], 999_999):
        refused = await client.post(
            f"/awards/{paid.award_id}/clawbacks",
            json={"amount_fen": 1000, "finding": "抽查发现", "inspection_draw_id": wrong_draw},
            headers=officer.headers,
        )
        assert problem(refused, 422, "clawback_draw_mismatch")["errors"][0]["field"] == "inspection_draw_id"
    assert await row_counts() == before
    made = await client.post(
        f"/awards/{paid.award_id}/clawbacks",
        json={"amount_fen": 1000, "finding": "抽查发现", "inspection_draw_id": drawn["id"]},
        headers=officer.headers,
    )
    assert ok(made, 201)["inspection_draw_id"] == drawn["id"]


async def test_only_staff_in_scope(client: httpx.AsyncClient, world: World) -> None:
    paid = await paid_award(world)
    clawback = ok(
        await client.post(
            f"/awards/{paid.award_id}/clawbacks",
            json={"amount_fen": 1000, "finding": "测试"},
            headers=world.city_officer.headers,
        ),
        201,
    )
    before = await row_counts()
    body = {"amount_fen": 10, "finding": "越权"}
    refund = {"amount_fen": 10, "bank_reference": "BOS-0001"}
    calls = [
        ("POST", f"/awards/{paid.award_id}/clawbacks", body),
        ("GET", f"/awards/{paid.award_id}/clawbacks", None),
        ("GET", f"/clawbacks/{clawback['id']}", None),
        ("POST", f"/clawbacks/{clawback['id']}/refunds", refund),
        ("POST", f"/clawbacks/{clawback['id']}/withdraw", {"reason": "越权"}),
    ]
    for method, path, json in calls:
        # The award belongs to a city-level programme: a district officer cannot see it at all.
        problem(await client.request(method, path, json=json, headers=world.pudong_officer.headers), 404, "not_found")
        for user in (world.other_applicant, world.expert):
            assert (await client.request(method, path, json=json, headers=user.headers)).status_code == 403
    assert await row_counts() == before


async def test_reconciliation_finds_refund_discrepancies(client: httpx.AsyncClient, world: World) -> None:
    paid = await paid_award(world)
    staff = world.city_officer.headers
    clawback = ok(
        await client.post(
            f"/awards/{paid.award_id}/clawbacks", json={"amount_fen": 1000, "finding": "测试"}, headers=staff
        ),
        201,
    )
    ok(
        await client.post(
            f"/clawbacks/{clawback['id']}/refunds",
            json={"amount_fen": 1000, "bank_reference": "BOS-0001"},
            headers=staff,
        )
    )
    assert (await reconcile()).ok

    def refund_insert(clawback_id: int, award_id: int, amount: int, key: str) -> Any:
        return LedgerEntry.insert(
            LedgerEntry(
                kind="refund",
                award=award_id,
                budget_line=paid.line_id,
                clawback=clawback_id,
                bank_reference=key,
                amount_fen=amount,
                idempotency_key=key,
            )
        )

    async def refund_row(clawback_id: int, award_id: int, amount: int, key: str) -> None:
        await refund_insert(clawback_id, award_id, amount, key)

    # A second refund behind the service's back: PostgreSQL refuses it (trigger ledger_entry_guard) ...
    with pytest.raises(asyncpg.exceptions.CheckViolationError, match="over-refunded"):
        await refund_row(clawback["id"], paid.award_id, 500, "INJECTED-1")
    # ... and if someone goes around the trigger, reconciliation reports it: more refunded than demanded, on a
    # clawback marked settled.
    # Only the owner can disable a trigger (the app role cannot): the injection runs on an owner connection.
    await as_owner(
        "ALTER TABLE ledger_entry DISABLE TRIGGER ledger_entry_guard",
        str(refund_insert(clawback["id"], paid.award_id, 500, "INJECTED-1")),
        "ALTER TABLE ledger_entry ENABLE TRIGGER ledger_entry_guard",
    )
    report = await reconcile()
    assert report.codes() == ["clawback_settled_mismatch", "refund_exceeds_clawback"]
    assert {d.subject for d in report.discrepancies} == {f"clawback:{clawback['id']}"}

    # A clawback on the award that was never paid, and a refund of it: money came back that never went out.
    rows = await Clawback.insert(
        Clawback(award=paid.unpaid_award_id, amount_fen=2000, finding="注入", status="demanded")
    ).returning(Clawback.id)
    await refund_row(rows[0]["id"], paid.unpaid_award_id, 700, "INJECTED-2")
    codes = (await reconcile()).codes()
    assert codes == ["clawback_settled_mismatch", "refund_exceeds_clawback", "refund_without_disbursement"]


async def test_an_awards_clawbacks_page_with_their_refunds(client: httpx.AsyncClient, world: World) -> None:
    paid = await paid_award(world)
    staff = world.city_officer.headers
    demand = f"/awards/{paid.award_id}/clawbacks"
    made = [
        ok(await client.post(demand, json={"amount_fen": 1_000 * (n + 1), "finding": f"发现{n}"}, headers=staff), 201)
        for n in range(3)
    ]
    refund = {"amount_fen": 500, "bank_reference": "BOS-PAGE-1"}
    ok(await client.post(f"/clawbacks/{made[2]['id']}/refunds", json=refund, headers=staff))
    first = await client.get(demand, params={"limit": 2}, headers=staff)
    assert [c["id"] for c in ok(first)] == [made[0]["id"], made[1]["id"]]
    assert first.headers["x-total-count"] == "3" and first.headers["x-has-more"] == "true"
    assert "offset=2" in first.headers["link"]
    [last] = ok(await client.get(demand, params={"limit": 2, "offset": 2}, headers=staff))
    assert last["id"] == made[2]["id"] and [r["bank_reference"] for r in last["refunds"]] == ["BOS-PAGE-1"]
    problem(await client.get(demand, headers=world.pudong_officer.headers), 404, "not_found")
