"""The money pages (资金管理, app/admin/pages/money*.py) over HTTP through the admin session: every action calls the
API's service, every refusal is a Chinese message with a 4xx status and changes no row, and a district officer
gets the uniform 404 page outside their district."""

from __future__ import annotations

from datetime import date, timedelta
from urllib.parse import urlencode

import httpx
import pytest

from app.auth.tables import Role
from app.reference import District
from programmes.agreements.tables import Agreement
from programmes.ledger.tables import LedgerEntry
from programmes.payees.schemas import BankAccountCreate
from programmes.payees.tables import BankAccount
from programmes.risk.tables import RiskWarning
from programmes.tables import Award, Clawback, PaymentBatch, SimulatedTransfer, Tranche
from scoring.publication.service import publish
from tests import factories
from tests.factories.admin import AdminFactory, AdminSession, draft_batch
from tests.factories.money import budget_line, paid_award, ranked_world
from tests.factories.worker import run_worker_burst
from tests.factories.world import World, row_counts, world  # noqa: F401 — the API tests' world fixture

pytestmark = pytest.mark.filterwarnings("ignore:If running sessions in production:UserWarning")
NOT_FOUND = "记录不存在或不在您的管辖范围内"


async def post(session: AdminSession, path: str, fields: dict[str, str] | list[tuple[str, str]]) -> httpx.Response:
    pairs = list(fields.items()) if isinstance(fields, dict) else list(fields)
    body = [("csrftoken", session.http.cookies.get("csrftoken") or ""), *pairs]
    return await session.http.post(
        path, content=urlencode(body), headers={"Content-Type": "application/x-www-form-urlencoded"}
    )


async def test_home_counts_the_queues_and_shows_the_exports_budget_figures(admin_client: AdminFactory) -> None:
    city = await admin_client(Role.officer)
    pudong = await admin_client(Role.officer, District.pudong)
    assert city.user is not None
    await draft_batch(city.user, None)

    home = await city.http.get("/admin/money")
    assert home.status_code == 200
    text = home.text
    assert "待审批支付批次</a>：<strong>1</strong>" in text
    assert "待会签资助协议</a>：<strong>1</strong>" in text
    # The 资金汇总 export's per-edition figures: budget 100,000, two awards obligating 40,000, nothing paid yet.
    assert "100,000.00 元" in text and "40,000.00 元" in text and "60,000.00 元" in text
    assert 'href="/admin/money"' in text  # the header link
    theirs = await pudong.http.get("/admin/money")
    assert "待审批支付批次</a>：<strong>0</strong>" in theirs.text and "100,000.00 元" not in theirs.text


async def test_award_with_a_payment_plan_in_yuan_and_its_refusals(admin_client: AdminFactory, world: World) -> None:  # noqa: F811
    city = await admin_client(Role.officer)
    pudong = await admin_client(Role.officer, District.pudong)
    [application_id] = await ranked_world(world)
    line_id = await budget_line(world, 1_000_000)
    url = f"/admin/money/awards/{application_id}"

    # During the 公示 the winner is not yet awardable: not in the queue, and the service refuses the award.
    notice = await publish(world.city_officer.principal, world.round["id"], 7, None, None)
    assert f'href="{url}"' not in (await city.http.get("/admin/money/awards")).text
    running = await post(city, url, {"budget_line_id": str(line_id), "amount": "100", "award_type": "reward"})
    assert running.status_code == 409 and "期满后方可确定资助" in running.text
    await factories.end_notice_period(notice.id)
    queue = await city.http.get("/admin/money/awards")
    assert f'href="{url}"' in queue.text and "浦东新区 · " in queue.text
    assert "公示期满，尚无资助）</a>：<strong>1</strong>" in (await city.http.get("/admin/money")).text
    form = await city.http.get(url)
    assert form.status_code == 200 and "财政资金（财政资金）：预算 10,000.00 元，可用 10,000.00 元" in form.text

    snapshot = await row_counts()
    over = await post(city, url, {"budget_line_id": str(line_id), "amount": "20000", "award_type": "reward"})
    assert over.status_code == 409, over.text[-1500:]
    assert 'id="err-budget_line_id">预算余额不足：可用 10,000.00 元' in over.text
    plan = {"budget_line_id": str(line_id), "amount": "8000", "award_type": "start_up"}
    mismatch = await post(city, url, {**plan, "t0_amount": "5000", "t0_condition": "on_signing"})
    assert mismatch.status_code == 422 and "拨付计划各笔金额之和须等于资助金额" in mismatch.text
    no_date = await post(city, url, {**plan, "t0_amount": "5000", "t1_amount": "3000", "t1_condition": "final_report"})
    assert no_date.status_code == 422 and 'id="err-t1_due">中期或结项后拨付的款项须填写报告截止日期' in no_date.text
    bad_amount = await post(city, url, {**plan, "amount": "12.345"})
    assert bad_amount.status_code == 422 and "最多两位小数" in bad_amount.text
    hidden = await post(pudong, url, plan)
    assert hidden.status_code == 404 and NOT_FOUND in hidden.text
    assert (await pudong.http.get(url)).status_code == 404
    assert await row_counts() == snapshot

    due = (date.today() + timedelta(days=200)).isoformat()
    done = await post(
        city,
        url,
        {**plan, "t0_amount": "5,000", "t1_amount": "3000.00", "t1_condition": "final_report", "t1_due": due},
    )
    assert done.status_code == 303, done.text
    award = (
        await Award.select(Award.id, Award.amount_fen, Award.award_type)
        .where(Award.application == application_id)
        .first()
    )
    assert award is not None and award["amount_fen"] == 800_000 and award["award_type"] == "start_up"
    tranches = (
        await Tranche.select(Tranche.amount_fen, Tranche.release_condition)
        .where(Tranche.award == award["id"])
        .order_by(Tranche.sequence)
    )
    assert [(t["amount_fen"], t["release_condition"]) for t in tranches] == [
        (500_000, "on_signing"),
        (300_000, "final_report"),
    ]
    again = await post(city, url, {**plan, "amount": "1000"})
    assert again.status_code == 409 and 'role="alert"' in again.text
    assert await Award.count().where(Award.application == application_id) == 1


async def test_agreements_are_countersigned_or_returned_with_a_reason(admin_client: AdminFactory) -> None:
    city = await admin_client(Role.officer)
    changning = await admin_client(Role.officer, District.changning)
    assert city.user is not None
    made = await draft_batch(city.user, None)
    agreement_id = made["signed_agreement_id"]
    listing = await city.http.get("/admin/money/agreements")
    assert "邻里守望" in listing.text and "长宁区 · " in listing.text and "10,000.00 元" in listing.text

    snapshot = await row_counts()
    no_reason = await post(city, f"/admin/money/agreements/{agreement_id}", {"action": "no", "reason": ""})
    assert no_reason.status_code == 422 and f'id="row-err-{agreement_id}"' in no_reason.text
    hidden = await post(changning, f"/admin/money/agreements/{agreement_id}", {"action": "yes"})
    assert hidden.status_code == 404 and NOT_FOUND in hidden.text
    assert await row_counts() == snapshot

    signed = await post(city, f"/admin/money/agreements/{agreement_id}", {"action": "yes"})
    assert signed.status_code == 303 and signed.headers["location"].endswith("done=countersign")
    status = await Agreement.select(Agreement.status).where(Agreement.id == agreement_id).first()
    assert status == {"status": "effective"}
    again = await post(city, f"/admin/money/agreements/{agreement_id}", {"action": "no", "reason": "请重新签署"})
    assert again.status_code == 409 and f'id="row-err-{agreement_id}"' in again.text


async def test_a_signed_agreement_is_returned_for_re_signing(admin_client: AdminFactory) -> None:
    city = await admin_client(Role.officer)
    assert city.user is not None
    agreement_id = (await draft_batch(city.user, None))["signed_agreement_id"]
    returned = await post(
        city, f"/admin/money/agreements/{agreement_id}", {"action": "no", "reason": "签署人非法定代表人"}
    )
    assert returned.status_code == 303 and returned.headers["location"].endswith("done=return")
    status = await Agreement.select(Agreement.status).where(Agreement.id == agreement_id).first()
    assert status == {"status": "draft"}
    snapshot = await row_counts()
    unsigned = await post(city, f"/admin/money/agreements/{agreement_id}", {"action": "yes"})
    assert unsigned.status_code == 409 and f'id="row-err-{agreement_id}"' in unsigned.text
    assert await row_counts() == snapshot


async def test_a_draft_batch_is_discarded_with_a_reason(admin_client: AdminFactory) -> None:
    city = await admin_client(Role.officer)
    assert city.user is not None
    batch = await draft_batch(city.user, None)
    url = f"/admin/money/batches/{batch['id']}"
    snapshot = await row_counts()
    empty = await post(city, url, {"action": "discard", "reason": ""})
    assert empty.status_code == 422 and 'id="err-reason"' in empty.text
    assert await row_counts() == snapshot
    discarded = await post(city, url, {"action": "discard", "reason": "收款账户待更新"})
    assert discarded.status_code == 303
    assert await PaymentBatch.select(PaymentBatch.status).where(PaymentBatch.id == batch["id"]).first() == {
        "status": "discarded"
    }
    assert "可拨付" in (await city.http.get("/admin/money/payable")).text


async def test_bank_accounts_are_verified_or_rejected_with_masked_numbers(admin_client: AdminFactory) -> None:
    from programmes.payees.service import submit

    city = await admin_client(Role.officer)
    pudong = await admin_client(Role.officer, District.pudong)
    accounts = []
    for name, number in (("长宁测试服务中心", "6222000011112222"), ("长宁另一服务中心", "6222000033334444")):
        org_id, member = await factories.organisation(district=District.changning, name=name)
        account = await submit(
            member.principal, org_id, BankAccountCreate(account_name=name, bank_name="上海银行", account_number=number)
        )
        accounts.append(account.id)
    listing = await city.http.get("/admin/money/accounts")
    assert "****2222" in listing.text and "6222000011112222" not in listing.text
    assert "长宁区 · 长宁测试服务中心" in listing.text

    snapshot = await row_counts()
    short = await post(city, f"/admin/money/accounts/{accounts[0]}", {"action": "no", "reason": "x"})
    assert short.status_code == 422 and "2" in short.text and f'id="row-err-{accounts[0]}"' in short.text
    hidden = await post(pudong, f"/admin/money/accounts/{accounts[0]}", {"action": "yes"})
    assert hidden.status_code == 404 and NOT_FOUND in hidden.text
    assert NOT_FOUND not in (await pudong.http.get("/admin/money/accounts")).text
    assert "****2222" not in (await pudong.http.get("/admin/money/accounts")).text
    assert await row_counts() == snapshot

    assert (await post(city, f"/admin/money/accounts/{accounts[0]}", {"action": "yes"})).status_code == 303
    rejected = await post(city, f"/admin/money/accounts/{accounts[1]}", {"action": "no", "reason": "户名不符"})
    assert rejected.status_code == 303 and rejected.headers["location"].endswith("done=reject")
    statuses = (
        await BankAccount.select(BankAccount.status).where(BankAccount.id.is_in(accounts)).order_by(BankAccount.id)
    )
    assert [s["status"] for s in statuses] == ["verified", "rejected"]


async def test_batch_built_by_ticking_approved_by_a_second_officer_and_paid_once(admin_client: AdminFactory) -> None:
    builder = await admin_client(Role.officer)
    second = await admin_client(Role.officer)
    pudong = await admin_client(Role.officer, District.pudong)
    assert builder.user is not None
    made = await draft_batch(builder.user, None)
    tranche_id = made["signed_tranche_id"]
    countersigned = await post(builder, f"/admin/money/agreements/{made['signed_agreement_id']}", {"action": "yes"})
    assert countersigned.status_code == 303
    payable = await builder.http.get("/admin/money/payable")
    assert f'name="tranche_ids" value="{tranche_id}"' in payable.text and "邻里守望" in payable.text

    snapshot = await row_counts()
    untitled = await post(builder, "/admin/money/payable", [("title", "x"), ("tranche_ids", str(tranche_id))])
    assert untitled.status_code == 422 and 'id="err-title"' in untitled.text
    nothing = await post(builder, "/admin/money/payable", {"title": "第二批拨付"})
    assert nothing.status_code == 422 and "请至少勾选一笔款项" in nothing.text
    forged = await post(pudong, "/admin/money/payable", [("title", "第二批拨付"), ("tranche_ids", str(tranche_id))])
    assert forged.status_code == 404, forged.text[-1500:]
    assert NOT_FOUND in forged.text
    assert await row_counts() == snapshot

    built = await post(builder, "/admin/money/payable", [("title", "第二批拨付"), ("tranche_ids", str(tranche_id))])
    assert built.status_code == 303, built.text
    batch_url = built.headers["location"].split("?")[0]
    batch_id = int(batch_url.rsplit("/", 1)[1])
    page = await builder.http.get(batch_url)
    assert "待支付 1 笔（10,000.00 元）" in page.text and "邻里守望" in page.text

    snapshot = await row_counts()
    own = await post(builder, batch_url, {"action": "approve"})
    assert own.status_code == 409 and "支付批次须由建立批次以外的另一名官员审批（双人复核）" in own.text
    assert (await post(pudong, batch_url, {"action": "approve"})).status_code == 404
    assert (await pudong.http.get(batch_url)).status_code == 404
    assert await row_counts() == snapshot

    approved = await post(second, batch_url, {"action": "approve"})
    assert approved.status_code == 303 and approved.headers["location"].endswith("done=approve")
    await run_worker_burst()
    twice = await post(second, batch_url, {"action": "approve"})
    assert twice.status_code == 409
    rerun = await post(second, batch_url, {"action": "rerun"})
    assert rerun.status_code == 409 and "只有已审批且仍有待支付款项的批次可以重新执行支付" in rerun.text
    await run_worker_burst()
    transfers = await SimulatedTransfer.count().where(SimulatedTransfer.idempotency_key == f"tranche:{tranche_id}")
    entries = await LedgerEntry.count().where(
        (LedgerEntry.tranche == tranche_id) & (LedgerEntry.kind == "disbursement")
    )
    assert transfers == 1 and entries == 1
    done = await second.http.get(batch_url)
    assert "已支付 1 笔（10,000.00 元）" in done.text and "对账无差异" in done.text
    listing = await second.http.get("/admin/money/batches")
    assert "第二批拨付" in listing.text and "已完成" in listing.text
    assert (await PaymentBatch.select(PaymentBatch.status).where(PaymentBatch.id == batch_id).first()) == {
        "status": "completed"
    }
    assert "对账" in (await second.http.get("/admin/money/reconciliation")).text


async def test_clawback_started_from_a_list_and_a_refund_booked_once(admin_client: AdminFactory, world: World) -> None:  # noqa: F811
    city = await admin_client(Role.officer)
    pudong = await admin_client(Role.officer, District.pudong)
    paid = await paid_award(world)
    page = await city.http.get("/admin/money/clawbacks")
    assert (
        f'<option value="{paid.award_id}"' in page.text and f'<option value="{paid.unpaid_award_id}"' not in page.text
    )

    snapshot = await row_counts()
    too_much = await post(
        city, "/admin/money/clawbacks", {"award_id": str(paid.award_id), "amount": "5000", "finding": "列支餐费"}
    )
    assert too_much.status_code == 409 and 'id="err-amount">追回金额超过可追回金额' in too_much.text
    no_finding = await post(city, "/admin/money/clawbacks", {"award_id": str(paid.award_id), "amount": "100"})
    assert no_finding.status_code == 422 and 'id="err-finding"' in no_finding.text
    hidden = await post(
        pudong, "/admin/money/clawbacks", {"award_id": str(paid.award_id), "amount": "100", "finding": "列支餐费"}
    )
    assert hidden.status_code == 404 and NOT_FOUND in hidden.text
    assert await row_counts() == snapshot

    started = await post(
        city, "/admin/money/clawbacks", {"award_id": str(paid.award_id), "amount": "1,000", "finding": "列支餐费"}
    )
    assert started.status_code == 303
    clawback = await Clawback.select(Clawback.id, Clawback.amount_fen).first()
    assert clawback is not None and clawback["amount_fen"] == 100_000
    url = f"/admin/money/clawbacks/{clawback['id']}"
    bad_ref = await post(city, url, {"amount": "400", "bank_reference": "流水"})
    assert bad_ref.status_code == 422 and f'id="err-bank_reference-{clawback["id"]}"' in bad_ref.text
    assert (await post(pudong, url, {"amount": "400", "bank_reference": "BOS0001"})).status_code == 404
    for _ in range(2):
        booked = await post(city, url, {"amount": "400", "bank_reference": "BOS0001"})
        assert booked.status_code in (303, 409), booked.text
    assert await LedgerEntry.count().where(LedgerEntry.kind == "refund") == 1
    listing = await city.http.get("/admin/money/clawbacks")
    assert "400.00 元" in listing.text and "列支餐费" in listing.text


async def test_risk_warnings_are_dismissed_with_a_reason(admin_client: AdminFactory) -> None:
    from app.timezone import now_utc

    city = await admin_client(Role.officer)
    pudong = await admin_client(Role.officer, District.pudong)
    assert city.user is not None
    await draft_batch(city.user, None)
    award = await Award.select(Award.id, Award.payee).first()
    assert award is not None
    now = now_utc()
    rows = await RiskWarning.insert(
        RiskWarning(
            kind="report_overdue",
            subject_key="progress_report:1",
            award=award["id"],
            organisation=award["payee"],
            detail="中期报告逾期未交",
            first_seen_at=now,
            last_seen_at=now,
        )
    ).returning(RiskWarning.id)
    warning_id = rows[0]["id"]
    listing = await city.http.get("/admin/money/warnings")
    assert "报告逾期未交" in listing.text and "中期报告逾期未交" in listing.text and "社区助餐" in listing.text
    assert "中期报告逾期未交" not in (await pudong.http.get("/admin/money/warnings")).text

    snapshot = await row_counts()
    empty = await post(city, f"/admin/money/warnings/{warning_id}", {"reason": ""})
    assert empty.status_code == 422 and f'id="w-err-{warning_id}"' in empty.text
    hidden = await post(pudong, f"/admin/money/warnings/{warning_id}", {"reason": "已电话核实"})
    assert hidden.status_code == 404 and NOT_FOUND in hidden.text
    assert await row_counts() == snapshot

    dismissed = await post(city, f"/admin/money/warnings/{warning_id}", {"reason": "已电话核实，报告已线下提交"})
    assert dismissed.status_code == 303
    status = await RiskWarning.select(RiskWarning.status).where(RiskWarning.id == warning_id).first()
    assert status == {"status": "dismissed"}


async def test_money_pages_refuse_a_post_without_the_csrf_token(admin_client: AdminFactory) -> None:
    city = await admin_client(Role.officer)
    response = await city.http.post(
        "/admin/money/payable",
        content="title=abc&tranche_ids=1",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert response.status_code == 403 and "页面已过期" in response.text


async def test_reconciliation_findings_are_shown_to_the_scope_they_concern(admin_client: AdminFactory) -> None:
    from app.timezone import now_utc

    city = await admin_client(Role.officer)
    pudong = await admin_client(Role.officer, District.pudong)
    # The bank reports a transfer Seedbed never made: a finding about no district, for city staff only.
    await SimulatedTransfer.insert(
        SimulatedTransfer(
            idempotency_key="tranche:999999",
            payee_name="某机构",
            amount_fen=1_000,
            reference="SIM-LOST",
            created_at=now_utc(),
        )
    )
    seen = await city.http.get("/admin/money/reconciliation")
    assert seen.status_code == 200 and "本范围内差异共 1 处" in seen.text and "SIM-LOST" in seen.text
    hidden = await pudong.http.get("/admin/money/reconciliation")
    assert "本范围内差异共 0 处" in hidden.text and "SIM-LOST" not in hidden.text
