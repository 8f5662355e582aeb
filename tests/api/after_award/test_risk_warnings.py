"""预警: the daily risk scan on real rows — each kind raised, refreshed, resolved, dismissed; scope and permissions."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any

import httpx
from litestar import Litestar

from app.audit import AuditEntry
from app.db import engine
from app.organisations.tables import Organisation
from app.site.worker import WorkerSettings, risk_scan
from app.workflow.engine import Actor, transition
from programmes.disbursements.schemas import BatchCreate
from programmes.disbursements.service import approve_batch, create_batch
from programmes.reports.tables import ProgressReport, ReportExpense
from programmes.risk.scan import scan_risks, spending_problems
from programmes.risk.tables import RiskWarning
from programmes.tables import Award
from tests import factories
from tests.factories.money_world import city_award, pudong_award
from tests.factories.worker import run_worker_burst
from tests.factories.world import World, row_counts

TODAY = date(2026, 12, 1)
PLAN = {"personnel": 300_000, "activities": 100_000}


async def add_report(
    award_id: int, kind: str, sequence: int, due_on: date, status: str = "due", expenses: Sequence[Any] = ()
) -> int:
    award = await Award.select(Award.scope_district).where(Award.id == award_id).first()
    assert award is not None
    rows = await ProgressReport.insert(
        ProgressReport(
            award=award_id,
            kind=kind,
            sequence=sequence,
            due_on=due_on,
            status=status,
            scope_district=award["scope_district"],
        )
    ).returning(ProgressReport.id)
    report_id = int(rows[0]["id"])
    for category, amount in expenses:
        await ReportExpense.insert(
            ReportExpense(
                report=report_id,
                category=category,
                description="测试支出",
                amount_fen=amount,
                spent_on=due_on,
                scope_district=award["scope_district"],
            )
        )
    return report_id


async def set_organisation(org_id: int, **dates: date | None) -> None:
    await Organisation.update({getattr(Organisation, k): v for k, v in dates.items()}).where(Organisation.id == org_id)


async def warnings() -> list[dict[str, Any]]:
    return list(await RiskWarning.select().order_by(RiskWarning.id))


async def open_keys() -> dict[str, str]:
    return {w["subject_key"]: w["kind"] for w in await warnings() if w["status"] == "open"}


async def risky_award(world: World) -> tuple[dict[str, Any], int, int]:
    """A city award with every risk at once: an overdue milestone report, an off-plan submitted final report, the
    organisation on the abnormal list, and its certificate expired. Returns (award, overdue id, final id)."""
    award = await city_award(world, 400_000, budget_plan=PLAN)
    overdue = await add_report(award["id"], "milestone", 1, TODAY - timedelta(days=1))
    final = await add_report(
        award["id"],
        "final",
        0,
        TODAY - timedelta(days=30),
        status="submitted",
        expenses=[("personnel", 400_000), ("publicity", 10_000), ("activities", 50_000)],
    )
    await set_organisation(
        world.other_org_id, abnormal_listed_on=date(2026, 11, 2), certificate_expires_on=date(2026, 11, 30)
    )
    return award, overdue, final


async def test_each_kind_is_raised_and_a_rerun_changes_only_last_seen_at(
    client: httpx.AsyncClient, world: World
) -> None:
    award, overdue, final = await risky_award(world)
    org = world.other_org_id

    assert await scan_risks(TODAY) == {"raised": 4, "refreshed": 0, "resolved": 0, "skipped_dismissed": 0}
    assert await open_keys() == {
        f"progress_report:{overdue}": "report_overdue",
        f"organisation:{org}:abnormal:2026-11-02": "organisation_listed",
        f"organisation:{org}:certificate:2026-11-30": "certificate_expired",
        f"award:{award['id']}:spending": "spending_off_plan",
    }
    by_kind = {w["kind"]: w for w in await warnings()}
    assert all(w["award"] == award["id"] and w["organisation"] == org for w in by_kind.values())
    assert all(w["scope_district"] is None for w in by_kind.values())  # the award is city-level
    assert "第 1 期中期报告应于 2026-11-30 前提交，尚未提交" in by_kind["report_overdue"]["detail"]
    assert "于 2026-11-02 被列入活动异常名录" in by_kind["organisation_listed"]["detail"]
    assert "登记证书已于 2026-11-30 到期" in by_kind["certificate_expired"]["detail"]
    assert by_kind["spending_off_plan"]["detail"].endswith(
        "人员费用：已报支出 4,000.00 元，超过预算 3,000.00 元 的 120%；宣传推广：预算外支出 100.00 元；"
        "报告支出合计 4,600.00 元，超过已拨付 0.00 元"
    )  # activities: 500.00 of 1,000.00 planned is fine

    before = await warnings()
    assert await scan_risks(TODAY) == {"raised": 0, "refreshed": 4, "resolved": 0, "skipped_dismissed": 0}
    after = await warnings()
    assert [{k: v for k, v in w.items() if k != "last_seen_at"} for w in after] == [
        {k: v for k, v in w.items() if k != "last_seen_at"} for w in before
    ]
    assert all(a["last_seen_at"] > b["last_seen_at"] for a, b in zip(after, before, strict=True))
    assert final  # the submitted final report counts for spending only, it is not overdue


async def test_warnings_are_resolved_when_the_condition_is_gone(client: httpx.AsyncClient, world: World) -> None:
    award, overdue, final = await risky_award(world)
    await scan_risks(TODAY)

    async with engine().transaction():
        await transition(ProgressReport, overdue, "submit", Actor(world.other_applicant.id, "applicant"))
    await set_organisation(world.other_org_id, abnormal_listed_on=None, certificate_expires_on=date(2029, 12, 31))
    # Spending back on plan: the stray line goes, personnel within 120 %, and the award is paid.
    await ReportExpense.delete().where(ReportExpense.category == "publicity")
    await ReportExpense.update({ReportExpense.amount_fen: 340_000}).where(ReportExpense.category == "personnel")
    batch = await create_batch(
        world.city_officer.principal, BatchCreate(title="拨付", tranche_ids=[award["tranches"][0]["id"]])
    )
    await approve_batch(await factories.second_officer(world.city_officer.principal), batch.id)
    await run_worker_burst()

    counts = await scan_risks(TODAY)
    assert counts == {"raised": 0, "refreshed": 0, "resolved": 4, "skipped_dismissed": 0}
    rows = await warnings()
    assert {w["status"] for w in rows} == {"resolved"}
    assert all(w["closed_at"] is not None and w["dismissed_by"] is None for w in rows)
    assert await AuditEntry.count().where(AuditEntry.action == "risk_warning.resolve") == 4
    assert await scan_risks(TODAY) == {"raised": 0, "refreshed": 0, "resolved": 0, "skipped_dismissed": 0}


async def test_a_dismissed_warning_stays_dismissed_and_a_new_listing_raises_a_new_one(
    client: httpx.AsyncClient, world: World
) -> None:
    await city_award(world, 400_000)
    await set_organisation(world.other_org_id, serious_violation_listed_on=date(2026, 10, 1))
    await scan_risks(TODAY)
    [warning] = await warnings()

    response = await client.post(
        f"/risk-warnings/{warning['id']}/dismiss",
        json={"reason": "系统误列，已撤销"},
        headers=world.city_officer.headers,
    )
    assert response.status_code == 200, response.text
    assert response.json()["status"] == "dismissed"
    audit = await AuditEntry.select().where(AuditEntry.action == "risk_warning.dismiss").first()
    assert audit is not None and audit["reason"] == "系统误列，已撤销" and audit["actor_id"] == world.city_officer.id

    assert await scan_risks(TODAY) == {"raised": 0, "refreshed": 0, "resolved": 0, "skipped_dismissed": 1}
    assert len(await warnings()) == 1

    again = await client.post(
        f"/risk-warnings/{warning['id']}/dismiss", json={"reason": "再次排除"}, headers=world.city_officer.headers
    )
    assert again.status_code == 409 and again.json()["code"] == "transition_invalid_state"

    await set_organisation(world.other_org_id, serious_violation_listed_on=date(2026, 11, 20))
    assert (await scan_risks(TODAY))["raised"] == 1
    assert await open_keys() == {f"organisation:{world.other_org_id}:serious:2026-11-20": "organisation_listed"}
    assert [w["status"] for w in await warnings()] == ["dismissed", "open"]


async def test_concurrent_scans_never_duplicate_a_warning(client: httpx.AsyncClient, world: World) -> None:
    await risky_award(world)
    results = await asyncio.gather(*[scan_risks(TODAY) for _ in range(5)])
    assert sum(r["raised"] for r in results) == 4
    assert sum(r["refreshed"] for r in results) == 16
    assert len(await warnings()) == 4
    assert len(await open_keys()) == 4


async def test_listing_and_dismissal_are_scoped_to_the_officers_district(
    client: httpx.AsyncClient, world: World
) -> None:
    city = await city_award(world, 400_000)
    pudong = await pudong_award(world, 200_000)
    city_report = await add_report(city["id"], "milestone", 1, TODAY - timedelta(days=3))
    pudong_report = await add_report(pudong["id"], "milestone", 1, TODAY - timedelta(days=3), status="returned")
    await scan_risks(TODAY)
    ids = {w["subject_key"]: w["id"] for w in await warnings()}
    city_id, pudong_id = ids[f"progress_report:{city_report}"], ids[f"progress_report:{pudong_report}"]

    async def listed(user_headers: dict[str, str], query: str = "") -> list[int]:
        response = await client.get(f"/risk-warnings{query}", headers=user_headers)
        assert response.status_code == 200, response.text
        return sorted(w["id"] for w in response.json())

    assert await listed(world.city_officer.headers) == sorted([city_id, pudong_id])
    assert await listed(world.admin.headers, "?status=open&kind=report_overdue") == sorted([city_id, pudong_id])
    assert await listed(world.admin.headers, "?kind=certificate_expired") == []
    assert await listed(world.admin.headers, "?status=dismissed") == []
    assert await listed(world.pudong_officer.headers) == [pudong_id]
    assert await listed(world.changning_officer.headers) == []
    pudong_row = (await client.get("/risk-warnings", headers=world.pudong_officer.headers)).json()[0]
    assert pudong_row["scope_district"] == "pudong" and "退回修改后尚未重新提交" in pudong_row["detail"]

    bad_filter = await client.get("/risk-warnings?kind=nonsense", headers=world.city_officer.headers)
    assert bad_filter.status_code == 422 and bad_filter.json()["errors"][0]["field"] == "kind"
    for user in (world.applicant, world.expert):
        assert (await client.get("/risk-warnings", headers=user.headers)).status_code == 403
        denied = await client.post(f"/risk-warnings/{pudong_id}/dismiss", json={"reason": "排除"}, headers=user.headers)
        assert denied.status_code == 403

    before = await row_counts()
    for officer, warning_id in ((world.changning_officer, pudong_id), (world.pudong_officer, city_id)):
        response = await client.post(
            f"/risk-warnings/{warning_id}/dismiss", json={"reason": "越权排除"}, headers=officer.headers
        )
        assert response.status_code == 404, response.text
        assert response.headers["content-type"].startswith("application/problem+json")
        assert response.json()["code"] == "not_found"
    missing = await client.post("/risk-warnings/999999/dismiss", json={"reason": "不存在"}, headers=world.admin.headers)
    assert missing.status_code == 404
    short = await client.post(f"/risk-warnings/{pudong_id}/dismiss", json={"reason": ""}, headers=world.admin.headers)
    assert short.status_code == 422 and short.json()["errors"][0]["field"] == "reason"
    assert await row_counts() == before

    ok = await client.post(
        f"/risk-warnings/{pudong_id}/dismiss", json={"reason": "已现场核实"}, headers=world.pudong_officer.headers
    )
    assert ok.status_code == 200 and ok.json()["status"] == "dismissed"
    assert (await RiskWarning.select(RiskWarning.dismissed_by).where(RiskWarning.id == pudong_id).first()) == {
        "dismissed_by": world.pudong_officer.id
    }


async def test_an_award_no_longer_active_is_not_watched(client: httpx.AsyncClient, world: World) -> None:
    from programmes.awards.changes import cancel_award

    award = await city_award(world, 400_000)
    await add_report(award["id"], "milestone", 1, TODAY - timedelta(days=1))
    assert (await scan_risks(TODAY))["raised"] == 1
    await cancel_award(world.city_officer.principal, award["id"], "项目终止")
    assert (await scan_risks(TODAY))["resolved"] == 1


def test_spending_rules_at_the_threshold() -> None:
    plan = {"personnel": 100_000}
    assert spending_problems(plan, {"personnel": 120_000}, 120_000) == []  # exactly 120 % is still on plan
    assert spending_problems(plan, {"personnel": 120_001}, 200_000) == [
        "人员费用：已报支出 1,200.01 元，超过预算 1,000.00 元 的 120%"
    ]
    assert spending_problems({}, {"other": 5_000}, 5_000) == []  # no plan: only the total is checked
    assert spending_problems({}, {"other": 5_000}, 4_999) == ["报告支出合计 50.00 元，超过已拨付 49.99 元"]


async def test_the_daily_cron_runs_the_scan(client: httpx.AsyncClient, world: World) -> None:
    assert any(job.coroutine is risk_scan for job in WorkerSettings.cron_jobs)
    award = await city_award(world, 400_000)
    await add_report(award["id"], "final", 0, date(2020, 1, 1))
    assert (await risk_scan({}))["raised"] == 1


async def test_the_warning_list_pages(client: httpx.AsyncClient, world: World) -> None:
    await risky_award(world)
    await scan_risks(TODAY)  # four warnings, all city-level
    staff = world.city_officer.headers
    first = await client.get("/risk-warnings", params={"limit": 3}, headers=staff)
    assert first.status_code == 200 and len(first.json()) == 3
    assert first.headers["x-total-count"] == "4" and first.headers["x-has-more"] == "true"
    assert "offset=3" in first.headers["link"]
    rest = await client.get("/risk-warnings", params={"limit": 3, "offset": 3}, headers=staff)
    assert len(rest.json()) == 1 and rest.headers["x-has-more"] == "false" and "link" not in rest.headers
    ids = [w["id"] for w in first.json() + rest.json()]
    assert ids == [w["id"] for w in (await client.get("/risk-warnings", headers=staff)).json()]  # stable order


def test_the_after_award_lists_page(app: Litestar) -> None:
    """Every list of the after-award rooms takes limit and offset (the list convention, app/paging.py)."""
    paths = app.openapi_schema.to_schema()["paths"]
    lists = [
        "/agreements",
        "/reports",
        "/reports/mine",
        "/organisations/{organisation_id}/bank-accounts",
        "/risk-warnings",
        "/inspection-draws",
    ]
    for path in lists:
        names = {p["name"] for p in paths[path]["get"].get("parameters", [])}
        assert {"limit", "offset"} <= names, path
