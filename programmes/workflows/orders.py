"""聚力计划 matching and delivery: a matching session (交流对接活动), an order (接单 → delivery → evaluation), an
organisation's direct application to a demand (申请承接) and a replicable case."""

from __future__ import annotations

from enum import StrEnum

from app.workflow.definition import ADMIN, APPLICANT, OFFICER, SYSTEM, Workflow, step
from programmes.workflows.demand import COMMUNITY, STAFF


class SessionStatus(StrEnum):
    draft = "draft"
    open = "open"
    published = "published"
    closed = "closed"
    cancelled = "cancelled"


class OrderStatus(StrEnum):
    matched = "matched"
    accepted = "accepted"
    in_delivery = "in_delivery"
    delivered = "delivered"
    evaluated = "evaluated"
    declined = "declined"
    cancelled = "cancelled"


class BidStatus(StrEnum):
    pending = "pending"
    chosen = "chosen"
    not_chosen = "not_chosen"
    withdrawn = "withdrawn"


class CaseStatus(StrEnum):
    draft = "draft"
    published = "published"
    withdrawn = "withdrawn"


SESSION = Workflow(
    name="matching_session",
    status=SessionStatus,
    initial="draft",
    states={"draft": "筹备中", "open": "对接中", "published": "结果已发布", "closed": "已结束", "cancelled": "已取消"},
    transitions=(
        step("open", "draft", "open", STAFF, "开启对接"),
        step("publish", "open", "published", STAFF, "发布对接结果"),
        # After declines: preview the remainder again (accepted and live orders stay) and publish the new pairs.
        step("rematch", "published", "open", STAFF, "婉拒后重新对接"),
        step("close", "published", "closed", STAFF, "结束活动"),
        step("cancel", ["draft", "open"], "cancelled", STAFF, "取消活动", requires_reason=True),
    ),
    # ``adjustable``: the preview may be recomputed and adjusted by hand.
    capabilities={"adjustable": ["open"]},
)

ORDER = Workflow(
    name="match_order",
    status=OrderStatus,
    initial="matched",
    states={
        "matched": "已匹配，待接单",
        "accepted": "已接单",
        "in_delivery": "服务中",
        "delivered": "社区已确认完成",
        "evaluated": "已评价",
        "declined": "机构已婉拒",
        "cancelled": "已取消",
    },
    transitions=(
        step("accept", "matched", "accepted", [APPLICANT], "接单"),
        step("decline", "matched", "declined", [APPLICANT], "婉拒", requires_reason=True),
        step("start_delivery", "accepted", "in_delivery", [APPLICANT], "开始服务"),
        step("confirm_delivery", "in_delivery", "delivered", [COMMUNITY], "社区确认服务完成"),
        step("evaluate", "delivered", "evaluated", [COMMUNITY], "社区评价"),
        step(
            "cancel",
            ["matched", "accepted", "in_delivery"],
            "cancelled",
            [COMMUNITY, OFFICER, ADMIN],
            "取消订单",
            requires_reason=True,
        ),
        step("withdraw_match", "matched", "cancelled", [SYSTEM], "对接结果调整，撤销匹配"),
    ),
    # ``holds_capacity``: counts against the offer's capacity; ``holds_demand``: counts towards the demand's
    # providers_wanted; ``records_delivery``: the organisation may add delivery records; ``provides``: an
    # organisation has taken the demand (accepted, and on through evaluation) — what fills providers_wanted.
    capabilities={
        "holds_capacity": ["accepted", "in_delivery"],
        "provides": ["accepted", "in_delivery", "delivered", "evaluated"],
        "holds_demand": ["matched", "accepted", "in_delivery", "delivered", "evaluated"],
        "records_delivery": ["accepted", "in_delivery"],
        # ``payable``: an officer may turn the order into a payable obligation (政府购买服务) on a budget line.
        "payable": ["accepted", "in_delivery"],
        # ``delivered_record``: counts in the organisation's track record (programmes.matching.track_record).
        "delivered_record": ["delivered", "evaluated"],
    },
)

BID = Workflow(
    name="demand_bid",
    status=BidStatus,
    initial="pending",
    states={"pending": "待社区选择", "chosen": "已选定", "not_chosen": "未选定", "withdrawn": "已撤回"},
    transitions=(
        step("choose", "pending", "chosen", [COMMUNITY], "选定承接机构"),
        step("pass_over", "pending", "not_chosen", [COMMUNITY, SYSTEM], "未选定"),
        step("withdraw", "pending", "withdrawn", [APPLICANT], "撤回申请"),
    ),
)

CASE = Workflow(
    name="matching_case",
    status=CaseStatus,
    initial="draft",
    states={"draft": "草稿", "published": "已发布", "withdrawn": "已撤下"},
    transitions=(
        step("publish", "draft", "published", STAFF, "发布案例"),
        step("withdraw", "published", "withdrawn", STAFF, "撤下案例", requires_reason=True),
    ),
    capabilities={"public": ["published"]},
)
