"""公益创新创业大赛 (innovation contest): rounds and applications.

Rounds are shared by every programme kind (``PROGRAMME_ROUND`` is the same object as ``CONTEST_ROUND``).
"""

from __future__ import annotations

from app.workflow.definition import ADMIN, APPLICANT, OFFICER, SYSTEM, Transition, Workflow, step

STAFF = [OFFICER, ADMIN]

CONTEST_ROUND = Workflow(
    name="contest_round",
    initial="draft",
    states={"draft": "草稿", "open": "征集中", "closed": "已截止评审完成"},
    transitions=(
        step("open", "draft", "open", STAFF, "开放申报"),
        step("close", "open", "closed", STAFF, "关闭轮次并排名"),
    ),
)
PROGRAMME_ROUND = CONTEST_ROUND

# Steps every application workflow shares: drafting, submitting, returns for revision, withdrawal, rejection.
APPLICATION_STATES = {
    "draft": "草稿",
    "submitted": "已提交",
    "returned": "退回修改",
    "withdrawn": "已撤回",
    "rejected": "未通过",
}


def intake_steps(reviewable: tuple[str, ...]) -> tuple[Transition, ...]:
    """``reviewable``: states from which an officer may still reject (e.g. submitted, in_review)."""
    return (
        step("submit", "draft", "submitted", [APPLICANT], "提交申报"),
        step("return_for_revision", "submitted", "returned", STAFF, "退回修改"),
        step("resubmit", "returned", "submitted", [APPLICANT], "修改后重新提交"),
        step("withdraw", ["draft", "submitted", "returned"], "withdrawn", [APPLICANT], "撤回申报"),
        step("reject", reviewable, "rejected", STAFF, "驳回"),
    )


CONTEST_APPLICATION = Workflow(
    name="contest_application",
    initial="draft",
    states={
        **APPLICATION_STATES,
        "in_review": "评审中",
        "ranked": "已排名",
        "advanced": "晋级",
        "awarded": "已立项资助",
    },
    transitions=(
        *intake_steps(("submitted", "in_review", "ranked")),
        step("start_review", "submitted", "in_review", STAFF, "分配评审专家"),
        step("rank", "in_review", "ranked", [SYSTEM], "轮次关闭后排名"),
        step("advance", "ranked", "advanced", STAFF, "晋级下一轮"),
        step("reopen_review", ["ranked", "advanced"], "in_review", STAFF, "异议成立，重新评审"),
        step("award", ["ranked", "advanced"], "awarded", STAFF, "确定资助"),
    ),
)
