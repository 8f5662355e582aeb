"""Supervision after payment: clawbacks (追回) after an audit finding, and risk warnings (预警)."""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING

from app.workflow.definition import ADMIN, OFFICER, SYSTEM, Workflow, state_names, step


class ClawbackStatus(StrEnum):
    demanded = "demanded"
    settled = "settled"
    withdrawn = "withdrawn"


class RiskWarningStatus(StrEnum):
    open = "open"
    resolved = "resolved"
    dismissed = "dismissed"


# A query parameter naming a risk-warning state.
if TYPE_CHECKING:
    RiskWarningStatusName = str
else:
    RiskWarningStatusName = state_names(RiskWarningStatus)


class InspectionDrawStatus(StrEnum):
    committed = "committed"
    executed = "executed"
    superseded = "superseded"


CLAWBACK = Workflow(
    name="clawback",
    status=ClawbackStatus,
    initial="demanded",
    states={"demanded": "已发起追回，待退款", "settled": "已全额退回", "withdrawn": "已撤回"},
    transitions=(
        step("settle", "demanded", "settled", [SYSTEM], "退款已全额到账"),
        step("withdraw", "demanded", "withdrawn", [OFFICER, ADMIN], "撤回追回（如复核推翻审计结论）"),
    ),
)

RISK_WARNING = Workflow(
    name="risk_warning",
    status=RiskWarningStatus,
    initial="open",
    states={"open": "待处理", "resolved": "已消除", "dismissed": "已核实排除"},
    transitions=(
        step("resolve", "open", "resolved", [SYSTEM], "风险条件已消除"),
        step("dismiss", "open", "dismissed", [OFFICER, ADMIN], "经核实排除"),
    ),
)

# 双随机 commit-reveal (docs/adr/0013): the seed's hash is public from ``committed``; ``execute`` reveals the seed and
# draws. A redraw supersedes the edition's earlier draw with a recorded reason; every draw stays in the public list.
INSPECTION_DRAW = Workflow(
    name="inspection_draw",
    status=InspectionDrawStatus,
    initial="committed",
    states={"committed": "已公布种子摘要，待抽取", "executed": "已抽取并公开种子", "superseded": "已作废（重抽）"},
    transitions=(
        step("execute", "committed", "executed", [OFFICER, ADMIN], "公开种子并抽取"),
        step("supersede", ["committed", "executed"], "superseded", [OFFICER, ADMIN], "说明原因后重新抽取"),
    ),
)
