"""Review assignments (评审任务), shared by every programme kind that scores."""

from __future__ import annotations

from programmes.workflows.definition import EXPERT, Workflow, step

REVIEW_ASSIGNMENT = Workflow(
    name="review_assignment",
    initial="assigned",
    states={"assigned": "待评审", "submitted": "已提交评分"},
    transitions=(step("submit", "assigned", "submitted", [EXPERT], "提交评分"),),
)
