"""Money: tranches (资金拨付批次中的一笔) and payment batches, shared by every programme kind."""

from __future__ import annotations

from enum import StrEnum

from app.workflow.definition import ADMIN, OFFICER, SYSTEM, Workflow, step


class TrancheStatus(StrEnum):
    planned = "planned"
    released = "released"
    in_batch = "in_batch"
    paid = "paid"
    failed = "failed"
    cancelled = "cancelled"


class AwardStatus(StrEnum):
    active = "active"
    cancelled = "cancelled"


class PaymentBatchStatus(StrEnum):
    draft = "draft"
    approved = "approved"
    completed = "completed"
    discarded = "discarded"


class BatchItemStatus(StrEnum):
    pending = "pending"
    paid = "paid"
    failed = "failed"
    removed = "removed"


TRANCHE = Workflow(
    name="tranche",
    status=TrancheStatus,
    initial="planned",
    states={
        "planned": "待满足拨付条件",
        "released": "可拨付",
        "in_batch": "已列入支付批次",
        "paid": "已支付",
        "failed": "支付失败",
        "cancelled": "已作废",
    },
    transitions=(
        # Only the release-condition check (agreement countersigned, report N accepted) releases a tranche.
        step("release", "planned", "released", [SYSTEM], "拨付条件已满足"),
        step("add_to_batch", ["released", "failed"], "in_batch", [OFFICER, ADMIN], "列入支付批次"),
        # Out of a draft batch (removed, or the batch discarded): payable again, and free to shrink or be cancelled.
        step("remove_from_batch", "in_batch", "released", [OFFICER, ADMIN], "移出草稿支付批次"),
        # Seedbed cancels a 聚力计划 order's tranche when the order is cancelled (by its community or staff).
        step(
            "cancel",
            ["planned", "released", "failed"],
            "cancelled",
            [OFFICER, ADMIN, SYSTEM],
            "资助撤销或订单取消，款项作废",
        ),
        step("mark_paid", "in_batch", "paid", [SYSTEM], "支付成功"),
        step("mark_failed", "in_batch", "failed", [SYSTEM], "支付失败"),
    ),
    # ``unpaid``: no money went out and none is on its way; cancelling or reducing the award may change it.
    capabilities={"unpaid": ["planned", "released", "failed"]},
)

AWARD = Workflow(
    name="award",
    status=AwardStatus,
    initial="active",
    states={"active": "有效", "cancelled": "已撤销"},
    transitions=(step("cancel", "active", "cancelled", [OFFICER, ADMIN], "撤销资助，释放预算", requires_reason=True),),
)

PAYMENT_BATCH = Workflow(
    name="payment_batch",
    status=PaymentBatchStatus,
    initial="draft",
    states={"draft": "草稿", "approved": "已审批", "completed": "已完成", "discarded": "已作废"},
    transitions=(
        # Four-eyes (双人复核): the service and a database trigger refuse an approver who built the batch.
        step("approve", "draft", "approved", [OFFICER, ADMIN], "审批支付批次（须由建批次以外的官员审批）"),
        step("discard", "draft", "discarded", [OFFICER, ADMIN], "作废草稿支付批次"),
        step("complete", "approved", "completed", [SYSTEM], "批次支付完成"),
    ),
)

BATCH_ITEM = Workflow(
    name="payment_batch_item",
    status=BatchItemStatus,
    initial="pending",
    states={"pending": "待支付", "paid": "已支付", "failed": "支付失败", "removed": "已移出批次"},
    transitions=(
        step("remove", "pending", "removed", [OFFICER, ADMIN], "移出草稿支付批次"),
        step("mark_paid", "pending", "paid", [SYSTEM], "支付成功"),
        step("mark_failed", "pending", "failed", [SYSTEM], "支付失败"),
    ),
)
