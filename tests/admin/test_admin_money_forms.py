"""Admin forms for risk warnings, money exports and batch operations, over HTTP against the real app."""

from __future__ import annotations

from urllib.parse import quote

import pytest

from app.auth.tables import Role
from app.reference import District
from app.timezone import now_utc
from programmes.exports.tables import ExportJob
from programmes.risk.tables import RiskWarning
from programmes.tables import Award
from tests.factories.admin import AdminFactory, draft_batch

pytestmark = pytest.mark.filterwarnings("ignore:If running sessions in production:UserWarning")


def form_path(name: str) -> str:
    return f"forms/{quote(name)}/"


async def test_batch_progress_rerun_and_export_forms(admin_client: AdminFactory) -> None:
    city = await admin_client(Role.officer)
    pudong = await admin_client(Role.officer, District.pudong)
    assert city.user is not None
    batch = await draft_batch(city.user, None)

    progress = await city.post(form_path("查看支付批次进度"), {"batch_id": batch["id"]})
    assert progress.status_code == 200, progress.text
    assert progress.json()["custom_form_success"] == (
        f"支付批次 {batch['id']}「第一批」草稿：已支付 0 笔（0.00 元），失败 0 笔（0.00 元），"
        "待支付 1 笔（30,000.00 元）"
    )
    hidden = await pudong.post(form_path("查看支付批次进度"), {"batch_id": batch["id"]})
    assert hidden.status_code == 422 and hidden.json()["custom_form_error"] == "支付批次不存在或无权访问"

    refused = await city.post(form_path("重新执行支付批次"), {"batch_id": batch["id"]})
    assert refused.status_code == 422
    assert refused.json()["custom_form_error"] == "只有已审批且仍有待支付款项的批次可以重新执行支付"

    exported = await city.post(form_path("导出批次支付明细"), {"batch_id": batch["id"]})
    assert exported.status_code == 200, exported.text
    summary = await pudong.post(form_path("导出资金汇总"), {"confirm": True})
    assert summary.status_code == 200, summary.text
    jobs = (
        await ExportJob.select(ExportJob.kind, ExportJob.scope_district, ExportJob.parameters)
        .order_by(ExportJob.id)
        .output(load_json=True)
    )
    assert jobs == [
        {"kind": "batch_payments", "scope_district": None, "parameters": {"payment_batch_id": batch["id"]}},
        {"kind": "money_summary", "scope_district": "pudong", "parameters": {}},
    ]


async def test_risk_warnings_are_listed_read_only_and_dismissed_by_form(admin_client: AdminFactory) -> None:
    city = await admin_client(Role.officer)
    changning = await admin_client(Role.officer, District.changning)
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
            detail="报告逾期",
            first_seen_at=now,
            last_seen_at=now,
        )
    ).returning(RiskWarning.id)
    warning_id = rows[0]["id"]

    listed = await city.get("tables/risk_warning/?status=open")
    assert listed.status_code == 200 and [r["id"] for r in listed.json()["rows"]] == [warning_id]
    assert (await changning.get("tables/risk_warning/")).json()["rows"] == []
    raw = await city.patch(f"tables/risk_warning/{warning_id}/", {"status": "dismissed"})
    assert raw.status_code == 405

    hidden = await changning.post(form_path("排除预警"), {"warning_id": warning_id, "reason": "越权"})
    assert hidden.status_code == 422 and hidden.json()["custom_form_error"] == "预警不存在或无权访问"
    done = await city.post(form_path("排除预警"), {"warning_id": warning_id, "reason": "已核实，报告已线下提交"})
    assert done.status_code == 200, done.text
    assert done.json()["custom_form_success"] == f"预警 {warning_id}（报告逾期未交）已核实排除，同一事项不再重复预警"
    row = await RiskWarning.select(RiskWarning.status, RiskWarning.dismissed_by).where(RiskWarning.id == warning_id)
    assert row == [{"status": "dismissed", "dismissed_by": city.user.id}]


async def test_officers_build_a_batch_in_the_admin(admin_client: AdminFactory) -> None:
    from programmes.agreements.service import countersign
    from programmes.tables import PaymentBatch, PaymentBatchItem

    city = await admin_client(Role.officer)
    pudong = await admin_client(Role.officer, District.pudong)
    assert city.user is not None and pudong.user is not None
    batch = await draft_batch(city.user, None)
    await countersign(city.user.principal, batch["signed_agreement_id"])
    tranche = batch["signed_tranche_id"]

    bad = await city.post(form_path("新建支付批次"), {"title": "第二批", "tranche_ids": "12,abc"})
    assert bad.status_code == 422
    # Another district's officer cannot see the tranche; an already batched tranche cannot enter a second batch.
    hidden = await pudong.post(form_path("新建支付批次"), {"title": "第二批", "tranche_ids": str(tranche)})
    assert hidden.status_code == 422 and "不存在" in hidden.json()["custom_form_error"]
    batched = batch["items"][0]["tranche_id"]
    twice = await city.post(form_path("新建支付批次"), {"title": "第二批", "tranche_ids": str(batched)})
    assert twice.status_code == 422
    assert await PaymentBatch.count() == 1

    built = await city.post(form_path("新建支付批次"), {"title": "第二批", "tranche_ids": f"{tranche}"})
    assert built.status_code == 200, built.text
    new_id = (await PaymentBatch.select(PaymentBatch.id).where(PaymentBatch.title == "第二批").first() or {})["id"]
    assert built.json()["custom_form_success"] == (
        f"支付批次 {new_id}「第二批」已建立（草稿），共 1 笔 10,000.00 元，审批后支付"
    )
    assert await PaymentBatchItem.select(PaymentBatchItem.tranche).where(PaymentBatchItem.batch == new_id) == [
        {"tranche": tranche}
    ]
