"""沪社星耀 incubation: a supported project's journey from selection to graduation (结项评估), and a replication
(复制推广) of a graduated practice by another organisation in another district or street."""

from __future__ import annotations

from enum import StrEnum

from app.workflow.definition import ADMIN, OFFICER, Workflow, step

STAFF = [OFFICER, ADMIN]


class SupportedProjectStatus(StrEnum):
    in_progress = "in_progress"
    evaluating = "evaluating"
    excellent = "excellent"
    passed = "passed"
    failed = "failed"


class ReplicationStatus(StrEnum):
    proposed = "proposed"
    approved = "approved"
    rejected = "rejected"
    withdrawn = "withdrawn"


SUPPORTED_PROJECT = Workflow(
    name="supported_project",
    status=SupportedProjectStatus,
    initial="in_progress",
    states={
        "in_progress": "扶持中",
        "evaluating": "结项评估中",
        "excellent": "结项：优秀",
        "passed": "结项：合格",
        "failed": "结项：不合格",
    },
    transitions=(
        # The project's application is carried into a graduation round (结项评估轮次) for the experts.
        step("start_evaluation", "in_progress", "evaluating", STAFF, "启动结项评估（送评审轮次）"),
        step("graduate_excellent", "evaluating", "excellent", STAFF, "评估结论：优秀", requires_reason=True),
        step("graduate_passed", "evaluating", "passed", STAFF, "评估结论：合格", requires_reason=True),
        step("fail", "evaluating", "failed", STAFF, "评估结论：不合格", requires_reason=True),
    ),
    # ``plan_editable``: goals and indicators may change; ``reporting``: indicator values may be recorded;
    # ``awaiting_outcome``: its entry is in the graduation round, the officer's decision reads the reviews;
    # ``replicable``: graduated 优秀/合格, so other organisations may replicate it.
    capabilities={
        "plan_editable": ["in_progress"],
        "reporting": ["in_progress", "evaluating"],
        "awaiting_outcome": ["evaluating"],
        "graduated": ["excellent", "passed", "failed"],
        "replicable": ["excellent", "passed"],
    },
)

REPLICATION = Workflow(
    name="replication",
    status=ReplicationStatus,
    initial="proposed",
    states={"proposed": "待审批", "approved": "已批准（复制推广中）", "rejected": "未批准", "withdrawn": "已撤回"},
    transitions=(
        step("approve", "proposed", "approved", STAFF, "批准复制推广方案"),
        step("reject", "proposed", "rejected", STAFF, "不批准", requires_reason=True),
        step("withdraw", "proposed", "withdrawn", STAFF, "撤回", requires_reason=True),
    ),
    # ``lineage``: counts in the lineage, the district counts and the public practice page; ``replicable``: may be
    # replicated in turn (origin → replications → their replications).
    capabilities={"lineage": ["approved"], "replicable": ["approved"]},
)
