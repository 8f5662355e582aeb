"""聚力计划 supply and demand: a community's demand (需求) and an organisation's service offer (服务项目)."""

from __future__ import annotations

from enum import StrEnum

from app.workflow.definition import ADMIN, APPLICANT, OFFICER, SYSTEM, Workflow, step

COMMUNITY = "community"
STAFF = [OFFICER, ADMIN]


class DemandStatus(StrEnum):
    draft = "draft"
    submitted = "submitted"
    rejected = "rejected"
    published = "published"
    partly_matched = "partly_matched"
    matched = "matched"
    closed = "closed"
    expired = "expired"


class OfferStatus(StrEnum):
    draft = "draft"
    submitted = "submitted"
    rejected = "rejected"
    approved = "approved"
    suspended = "suspended"
    withdrawn = "withdrawn"


DEMAND = Workflow(
    name="demand",
    status=DemandStatus,
    initial="draft",
    states={
        "draft": "草稿",
        "submitted": "待审核",
        "rejected": "审核未通过",
        "published": "已发布，待对接",
        "partly_matched": "部分对接",
        "matched": "已对接",
        "closed": "已关闭",
        "expired": "已过期",
    },
    transitions=(
        step("submit", "draft", "submitted", [COMMUNITY], "提交审核"),
        step("publish", "submitted", "published", STAFF, "审核通过并发布"),
        step("reject", "submitted", "rejected", STAFF, "审核不通过", requires_reason=True),
        step("revise", "rejected", "draft", [COMMUNITY], "修改后重新提交"),
        # Orders move these: a provider accepted (some or all of providers_wanted), or one dropped out.
        step("match_partly", ["published", "partly_matched", "matched"], "partly_matched", [SYSTEM], "部分对接"),
        step("match_fully", ["published", "partly_matched"], "matched", [SYSTEM], "对接完成"),
        step("reopen", ["partly_matched", "matched"], "published", [SYSTEM], "承接方退出，重新开放对接"),
        step(
            "close",
            ["draft", "submitted", "rejected", "published", "partly_matched", "matched"],
            "closed",
            [COMMUNITY, *STAFF],
            "关闭需求",
        ),
        step("expire", ["published", "partly_matched"], "expired", [SYSTEM], "需求期限已过"),
    ),
    # ``community_edits``: the community may change the demand; ``listed``: on the public demand list;
    # ``takeable``: organisations may still be matched to it or apply for it.
    capabilities={
        "community_edits": ["draft", "rejected"],
        "listed": ["published", "partly_matched", "matched"],
        "takeable": ["published", "partly_matched"],
    },
)

OFFER = Workflow(
    name="service_offer",
    status=OfferStatus,
    initial="draft",
    states={
        "draft": "草稿",
        "submitted": "待审核",
        "rejected": "审核未通过",
        "approved": "已入库（可对接）",
        "suspended": "已暂停",
        "withdrawn": "已撤回",
    },
    transitions=(
        step("submit", "draft", "submitted", [APPLICANT], "提交审核"),
        step("approve", "submitted", "approved", STAFF, "审核通过，入库"),
        step("reject", "submitted", "rejected", STAFF, "审核不通过", requires_reason=True),
        step("revise", "rejected", "draft", [APPLICANT], "修改后重新提交"),
        step("suspend", "approved", "suspended", STAFF, "暂停对接", requires_reason=True),
        step("resume", "suspended", "approved", STAFF, "恢复对接"),
        step("withdraw", ["draft", "submitted", "rejected", "approved", "suspended"], "withdrawn", [APPLICANT], "撤回"),
    ),
    # ``organisation_edits``: the organisation may change it (an approved offer's edit is versioned);
    # ``matchable``: recommended and matched.
    capabilities={"organisation_edits": ["draft", "rejected", "approved"], "matchable": ["approved"]},
)
