"""公益创新创业大赛 (innovation contest): rounds and applications."""

from __future__ import annotations

from programmes.workflows.definition import ADMIN, APPLICANT, OFFICER, SYSTEM, Workflow, step

CONTEST_ROUND = Workflow(
    name="contest_round",
    initial="draft",
    states={"draft": "草稿", "open": "征集中", "closed": "已截止评审完成"},
    transitions=(
        step("open", "draft", "open", [OFFICER, ADMIN], "开放申报"),
        step("close", "open", "closed", [OFFICER, ADMIN], "关闭轮次并排名"),
    ),
)

CONTEST_APPLICATION = Workflow(
    name="contest_application",
    initial="draft",
    states={
        "draft": "草稿",
        "submitted": "已提交",
        "withdrawn": "已撤回",
        "in_review": "评审中",
        "ranked": "已排名",
        "awarded": "已立项资助",
    },
    transitions=(
        step("submit", "draft", "submitted", [APPLICANT], "提交申报"),
        step("withdraw", ["draft", "submitted"], "withdrawn", [APPLICANT], "撤回申报"),
        step("start_review", "submitted", "in_review", [OFFICER, ADMIN], "分配评审专家"),
        step("rank", "in_review", "ranked", [SYSTEM], "轮次关闭后排名"),
        step("award", "ranked", "awarded", [OFFICER, ADMIN], "确定资助"),
    ),
)
