"""沪社星耀 (quality-project support plan): selection of projects for funding in tranches.

Projects are reviewed on 有特色 / 有品质 / 有创新 / 有温度, ranked, then selected by an officer's decision. The later
stages (cohorts, 品牌塑造营 / 项目全能营 camps, mentors, milestones, 复制推广) are further states and actions after
``awarded``, added here as data when they are built.
"""

from __future__ import annotations

from app.workflow.definition import SYSTEM, Workflow, step
from programmes.workflows.contest import (
    APPLICATION_STATES,
    STAFF,
    ApplicationStatus,
    intake_steps,
    reviewed_capabilities,
)

SUPPORT_PLAN_APPLICATION = Workflow(
    name="support_plan_application",
    status=ApplicationStatus,
    initial="draft",
    states={
        **APPLICATION_STATES,
        "in_review": "评审中",
        "ranked": "已排名",
        "selected": "入选",
        "not_selected": "未入选",
        "awarded": "已签约资助",
    },
    transitions=(
        *intake_steps(("submitted", "in_review")),
        step("start_review", "submitted", "in_review", STAFF, "分配评审专家"),
        step("rank", "in_review", "ranked", [SYSTEM], "轮次关闭后排名"),
        step("select", "ranked", "selected", STAFF, "确定入选", bulk=True),
        step("reopen_review", ["ranked", "selected"], "in_review", STAFF, "异议成立，重新评审"),
        step("decline", "ranked", "not_selected", STAFF, "未入选", requires_reason=True, bulk=True),
        step("award", "selected", "awarded", STAFF, "确定资助"),
    ),
    capabilities={
        **reviewed_capabilities(),
        "rescreened": ("submitted", "returned", "in_review", "ranked", "selected"),
        "risk_watched": ("in_review", "ranked", "selected"),
    },
)
