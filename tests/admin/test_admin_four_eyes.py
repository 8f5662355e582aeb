"""Four-eyes through the admin forms (双人复核): the same service rules as the API, over HTTP against the real app."""

from __future__ import annotations

from urllib.parse import quote

import pytest

from app.audit import AuditEntry
from app.auth.tables import Role
from app.reference import District
from app.settings import get_settings
from programmes.agreements.tables import Agreement
from programmes.disbursements.schemas import BatchCreate
from programmes.disbursements.service import create_batch
from programmes.tables import PaymentBatch, PaymentBatchItem, Tranche
from tests.factories.admin import AdminFactory, draft_batch

pytestmark = pytest.mark.filterwarnings("ignore:If running sessions in production:UserWarning")


def form_path(name: str) -> str:
    return f"forms/{quote(name)}/"


async def test_the_builder_cannot_approve_in_the_admin_and_drafts_can_be_undone(admin_client: AdminFactory) -> None:
    from programmes.agreements.service import countersign

    city = await admin_client(Role.officer)
    second = await admin_client(Role.officer)
    pudong = await admin_client(Role.officer, District.pudong)
    assert city.user is not None and second.user is not None
    batch = await draft_batch(city.user, None)

    refused = await city.post(form_path("审批支付批次"), {"batch_id": batch["id"]})
    assert refused.status_code == 422
    assert refused.json()["custom_form_error"] == "支付批次须由建立批次以外的另一名官员审批（双人复核）"
    assert await PaymentBatch.select(PaymentBatch.status).where(PaymentBatch.id == batch["id"]).first() == {
        "status": "draft"
    }

    # Discard the draft (out of scope reads as missing), then rebuild with both tranches and take one out.
    hidden = await pudong.post(form_path("作废支付批次"), {"batch_id": batch["id"], "reason": "越权"})
    assert hidden.status_code == 422 and hidden.json()["custom_form_error"] == "支付批次不存在或无权访问"
    discarded = await city.post(form_path("作废支付批次"), {"batch_id": batch["id"], "reason": "重新组批"})
    assert discarded.status_code == 200, discarded.text
    assert discarded.json()["custom_form_success"] == f"支付批次 {batch['id']}「第一批」已作废，1 笔款项恢复为可拨付"
    await countersign(city.user.principal, batch["signed_agreement_id"])
    first, other = batch["items"][0]["tranche_id"], batch["signed_tranche_id"]
    rebuilt = await create_batch(city.user.principal, BatchCreate(title="重组批次", tranche_ids=[first, other]))

    form = {"batch_id": rebuilt.id, "tranche_id": other, "reason": "资助拟调减"}
    assert (await pudong.post(form_path("移出批次款项"), form)).status_code == 422
    removed = await city.post(form_path("移出批次款项"), form)
    assert removed.status_code == 200, removed.text
    assert removed.json()["custom_form_success"] == f"款项 {other} 已移出支付批次 {rebuilt.id}，批次现余 30,000.00 元"
    assert await Tranche.select(Tranche.status).where(Tranche.id == other).first() == {"status": "released"}
    last = await city.post(form_path("移出批次款项"), {**form, "tranche_id": first})
    assert last.status_code == 422 and last.json()["custom_form_error"] == "这是批次中最后一笔款项，请直接作废该批次"
    assert await AuditEntry.count().where(AuditEntry.action == "payment_batch.remove_tranche") == 1

    approved = await second.post(form_path("审批支付批次"), {"batch_id": rebuilt.id})
    assert approved.status_code == 200, approved.text
    row = await PaymentBatch.select(PaymentBatch.approved_by, PaymentBatch.created_by).where(
        PaymentBatch.id == rebuilt.id
    )
    assert row == [{"approved_by": second.user.id, "created_by": city.user.id}]
    late = await city.post(form_path("移出批次款项"), {**form, "tranche_id": first})
    assert late.status_code == 422 and "草稿" in late.json()["custom_form_error"]
    items = await PaymentBatchItem.select(PaymentBatchItem.status).where(PaymentBatchItem.batch == rebuilt.id)
    assert sorted(i["status"] for i in items) == ["pending", "removed"]


async def test_countersigning_above_the_limit_takes_two_officers_in_the_admin(admin_client: AdminFactory) -> None:
    city = await admin_client(Role.officer)
    second = await admin_client(Role.officer)
    assert city.user is not None and second.user is not None
    batch = await draft_batch(city.user, None)
    agreement_id = batch["signed_agreement_id"]
    settings = get_settings()
    saved, settings.four_eyes_agreement_fen = settings.four_eyes_agreement_fen, 0
    try:
        first = await city.post(form_path("会签资助协议"), {"agreement_id": agreement_id})
        assert first.status_code == 200, first.text
        assert "须由另一名官员复核会签后生效" in first.json()["custom_form_success"]
        again = await city.post(form_path("会签资助协议"), {"agreement_id": agreement_id})
        assert again.status_code == 422
        assert again.json()["custom_form_error"] == "该协议金额超过双人复核限额，须由另一名官员复核会签"
        done = await second.post(form_path("会签资助协议"), {"agreement_id": agreement_id})
        assert done.status_code == 200, done.text
        assert done.json()["custom_form_success"].startswith(f"资助协议 {agreement_id} 已会签生效")
    finally:
        settings.four_eyes_agreement_fen = saved
    row = await Agreement.select(Agreement.status, Agreement.first_countersigned_by, Agreement.countersigned_by).where(
        Agreement.id == agreement_id
    )
    assert row == [{"status": "effective", "first_countersigned_by": city.user.id, "countersigned_by": second.user.id}]
