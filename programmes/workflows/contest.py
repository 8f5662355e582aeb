"""公益创新创业大赛 (innovation contest): rounds and applications.

Rounds are shared by every programme kind (``PROGRAMME_ROUND`` is the same object as ``CONTEST_ROUND``).
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum

from app.timezone import now_utc
from app.workflow.definition import ADMIN, APPLICANT, OFFICER, SYSTEM, Guard, Transition, Workflow, step

STAFF = [OFFICER, ADMIN]


class RoundStatus(StrEnum):
    draft = "draft"
    open = "open"
    closed = "closed"


HAS_FORM = Guard("round_without_form", "轮次没有申报表，不能开放", lambda row: row["form"] is not None)
DEADLINE_PASSED = Guard(
    "round_not_yet_closed", "申报截止时间未到，不能关闭轮次", lambda row: row["closes_at"] <= now_utc()
)

CONTEST_ROUND = Workflow(
    name="contest_round",
    status=RoundStatus,
    initial=RoundStatus.draft,
    states={RoundStatus.draft: "草稿", RoundStatus.open: "征集中", RoundStatus.closed: "已截止评审完成"},
    transitions=(
        step("open", "draft", "open", STAFF, "开放申报", guards=[HAS_FORM]),
        step("close", "open", "closed", STAFF, "关闭轮次并排名", guards=[DEADLINE_PASSED]),
    ),
    # ``form_changes``: an officer may still put a new form version on the round.
    capabilities={"form_changes": ["draft", "open"]},
)
PROGRAMME_ROUND = CONTEST_ROUND


class ApplicationStatus(StrEnum):
    """Every state an application may hold, whatever its programme kind (each kind's workflow uses some)."""

    draft = "draft"
    submitted = "submitted"
    returned = "returned"
    withdrawn = "withdrawn"
    rejected = "rejected"
    in_review = "in_review"
    ranked = "ranked"
    advanced = "advanced"
    selected = "selected"
    not_selected = "not_selected"
    awarded = "awarded"
    approved = "approved"
    not_advanced = "not_advanced"


# Steps every application workflow shares: drafting, submitting, returns for revision, withdrawal, rejection.
APPLICATION_STATES: dict[str, str] = {
    ApplicationStatus.draft: "草稿",
    ApplicationStatus.submitted: "已提交",
    ApplicationStatus.returned: "退回修改",
    ApplicationStatus.withdrawn: "已撤回",
    ApplicationStatus.rejected: "未通过",
}
# What the intake states mean to every kind:
# - ``applicant_edits``: the organisation may change the answers and attachments (and is reminded of the deadline);
# - ``off_the_list``: ended before a decision; a 公示 no longer lists it (its ranking entry stays, as the record).
# Each kind adds, for its own states:
# - ``rescreened``: submitted and not yet decided: re-screened when the organisation's facts change (drafts are
#   screened at submit, awards watched by the risk scan);
# - ``risk_watched``: past intake, not yet awarded: experts, rankings and 公示 still rely on the screening.
APPLICATION_CAPABILITIES: dict[str, tuple[str, ...]] = {
    "applicant_edits": ("draft", "returned"),
    "off_the_list": ("rejected", "withdrawn"),
}


def reviewed_capabilities() -> dict[str, Iterable[str]]:
    """Capabilities of the kinds whose applications experts review and rounds rank (contest, support plan):
    ``reviewable``: experts may be assigned; ``in_ranking``: the round's ranking covers it."""
    return {
        **APPLICATION_CAPABILITIES,
        "reviewable": ("submitted", "in_review"),
        "in_ranking": ("in_review", "ranked"),
    }


def intake_steps(reviewable: tuple[str, ...]) -> tuple[Transition, ...]:
    """``reviewable``: states from which an officer may still reject (e.g. submitted, in_review)."""
    return (
        step("submit", "draft", "submitted", [APPLICANT], "提交申报"),
        # An entry carried from the previous stage (or sent to a graduation round) arrives with its answers frozen:
        # it is submitted for this round by the advance that made it, not by the applicant (programmes.applications
        # .carry).
        step("carry_in", "draft", "submitted", STAFF + [SYSTEM], "晋级进入本阶段"),
        step("return_for_revision", "submitted", "returned", STAFF, "退回修改", requires_reason=True, bulk=True),
        step("resubmit", "returned", "submitted", [APPLICANT], "修改后重新提交"),
        # ``system``: a fast-track invitation taken back by the officer withdraws its untouched pre-filled draft.
        step("withdraw", ["draft", "submitted", "returned"], "withdrawn", [APPLICANT, SYSTEM], "撤回申报"),
        step("reject", reviewable, "rejected", STAFF, "驳回", requires_reason=True, bulk=True),
    )


CONTEST_APPLICATION = Workflow(
    name="contest_application",
    status=ApplicationStatus,
    initial="draft",
    states={
        **APPLICATION_STATES,
        "in_review": "评审中",
        "ranked": "已排名",
        "advanced": "晋级",
        "not_advanced": "未晋级",
        "awarded": "已立项资助",
    },
    transitions=(
        *intake_steps(("submitted", "in_review", "ranked")),
        step("start_review", "submitted", "in_review", STAFF, "分配评审专家"),
        step("rank", "in_review", "ranked", [SYSTEM], "轮次关闭后排名"),
        step("advance", "ranked", "advanced", STAFF, "晋级下一轮", bulk=True),
        # 区级推荐: a district's recommended entry goes on without a ranking of its own (programmes.recommendations).
        step("forward", ["submitted", "in_review"], "advanced", STAFF + [SYSTEM], "推荐晋级下一阶段"),
        step("not_advance", ["submitted", "in_review", "ranked"], "not_advanced", STAFF + [SYSTEM], "未晋级"),
        step("reopen_review", ["ranked", "advanced", "not_advanced"], "in_review", STAFF, "异议成立，重新评审"),
        step("award", ["ranked", "advanced"], "awarded", STAFF, "确定资助"),
    ),
    capabilities={
        **reviewed_capabilities(),
        "rescreened": ("submitted", "returned", "in_review", "ranked", "advanced"),
        "risk_watched": ("in_review", "ranked", "advanced"),
    },
)
