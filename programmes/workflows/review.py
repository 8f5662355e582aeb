"""Review assignments (评审任务), shared by every programme kind that scores."""

from __future__ import annotations

from enum import StrEnum

from app.workflow.definition import ADMIN, EXPERT, OFFICER, SYSTEM, Workflow, step


class ReviewAssignmentStatus(StrEnum):
    assigned = "assigned"
    submitted = "submitted"
    declined = "declined"
    removed = "removed"
    retracted = "retracted"


REVIEW_ASSIGNMENT = Workflow(
    name="review_assignment",
    status=ReviewAssignmentStatus,
    initial="assigned",
    states={
        "assigned": "待评审",
        "submitted": "已提交评分",
        "declined": "已回避",
        "removed": "已撤销",
        "retracted": "因利益冲突撤回",
    },
    transitions=(
        step("submit", "assigned", "submitted", [EXPERT], "提交评分"),
        step("reopen", "submitted", "assigned", [OFFICER, ADMIN], "退回专家重新评分"),
        step("decline", "assigned", "declined", [EXPERT], "声明利益冲突并回避"),
        step("remove", "assigned", "removed", [OFFICER, ADMIN], "撤销分配"),
        # A conflict recorded after assignment (by an officer, or declared by the expert): the assignment ends and a
        # submitted review leaves the ranking (aggregation reads ``submitted`` reviews only). Seedbed does it.
        step("retract_conflict", ["assigned", "submitted"], "retracted", [SYSTEM], "因利益冲突撤回评审"),
    ),
    # ``live``: the expert still holds the assignment (to score, or scored); the others ended it.
    capabilities={"live": ["assigned", "submitted"]},
)
