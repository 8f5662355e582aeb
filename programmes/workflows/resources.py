"""链接资源对接: an officer introduces a prize winner to a resource partner's offer; the follow-up is recorded step
by step (contacted, agreed or declined, done), each step with its note."""

from __future__ import annotations

from enum import StrEnum

from app.workflow.definition import ADMIN, OFFICER, Workflow, step

STAFF = (OFFICER, ADMIN)


class IntroductionStatus(StrEnum):
    introduced = "introduced"
    contacted = "contacted"
    agreed = "agreed"
    declined = "declined"
    done = "done"


INTRODUCTION = Workflow(
    name="resource_introduction",
    status=IntroductionStatus,
    initial="introduced",
    states={
        "introduced": "已引荐",
        "contacted": "已对接联系",
        "agreed": "已达成合作意向",
        "declined": "未达成合作",
        "done": "对接完成",
    },
    transitions=(
        step("contact", "introduced", "contacted", STAFF, "记录已联系"),
        step("agree", ["introduced", "contacted"], "agreed", STAFF, "记录达成合作意向"),
        step(
            "decline", ["introduced", "contacted", "agreed"], "declined", STAFF, "记录未达成合作", requires_reason=True
        ),
        step("complete", "agreed", "done", STAFF, "记录对接完成"),
    ),
    # ``open``: the follow-up goes on (a new introduction of the pair is refused whatever the state).
    capabilities={"open": ["introduced", "contacted", "agreed"]},
)
