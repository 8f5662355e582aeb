"""Chinese names for the codes the admin's tables hold (status, kind, district, field …), as labelled choices.

Piccolo Admin draws a column with ``choices`` as a dropdown — in the filter sidebar and on the detail page — and
shows a choice's ``display_name`` in lists. The columns' own ``choices`` are the enums (English display names)
and Piccolo records them in migrations, so the Chinese names are not put on the columns: the admin's schema
answers carry them instead (app.admin.localised), and the choices still submit the code.

Where the names come from: a status column of a table bound to a workflow takes the workflow's state names (an
application's from every programme kind's workflow); an enum column takes its enum's names below (most are the
services' own dictionaries); a few plain columns with a fixed set of codes are listed in ``PLAIN_CHOICES``.
tests/admin/test_admin_labels.py fails on any code without a Chinese name.
"""

from __future__ import annotations

from enum import Enum
from functools import cache

from piccolo.table import Table

from app.admin.pages.html import OUTCOME_ZH
from app.auth.tables import ROLE_LABELS_ZH, Role
from app.organisations.kinds import EvaluationGrade, OrganisationType
from app.organisations.registry_import import TYPE_NAMES
from app.reference import DISTRICT_NAMES_ZH, District
from app.workflow.registry import bindings
from programmes.agreements.service import CATEGORY_ZH
from programmes.camps.kinds import CAMP_AUDIENCE_LABELS_ZH, CAMP_KIND_LABELS_ZH, CampAudience, CampKind
from programmes.exports.money import FUND_KIND_ZH
from programmes.exports.service import KIND_LABELS as EXPORT_KIND_ZH
from programmes.kinds import ROUND_STAGE_ZH, AwardType, ExpenseCategory, FundSourceKind, ReleaseCondition, RoundStage
from programmes.ledger.tables import LedgerKind
from programmes.matching.tables import FIELD_LABELS_ZH, CommunityLevel, DemandField, SessionKind
from programmes.reports.tables import ReportKind
from programmes.resources.kinds import OFFER_KIND_ZH, PARTNER_KIND_ZH, OfferKind, PartnerKind
from programmes.risk.service import KIND_ZH as RISK_KIND_ZH
from programmes.risk.tables import RiskKind
from programmes.tables import ProgrammeKind

# Per enum: code → Chinese name (enums of status columns are named by their workflows instead).
ENUM_LABELS: dict[type[Enum], dict[str, str]] = {
    District: {district.value: name for district, name in DISTRICT_NAMES_ZH.items()},
    Role: ROLE_LABELS_ZH,
    OrganisationType: TYPE_NAMES,
    EvaluationGrade: {"none": "未评估", **{g.value: g.value for g in EvaluationGrade if g is not EvaluationGrade.none}},
    ProgrammeKind: {
        "contest": "公益创新创业大赛", "support_plan": "沪社星耀（孵化支持）", "matching": "聚力计划（供需对接）",
    },
    RoundStage: {stage.value: name for stage, name in ROUND_STAGE_ZH.items()},
    FundSourceKind: FUND_KIND_ZH,
    AwardType: {
        "start_up": "一次性开办补贴", "operating": "工作经费", "rent": "房租补贴", "large_event": "大型活动补贴",
        "staff": "人员补贴", "reward": "奖励（大赛奖金、项目资助）",
    },
    ReleaseCondition: {
        "on_signing": "协议生效后拨付", "milestone": "中期报告验收通过后拨付", "final_report": "结项报告验收通过后拨付",
        "on_delivery": "社区确认服务完成后拨付",
    },
    RiskKind: RISK_KIND_ZH,
    ReportKind: {"milestone": "中期报告", "final": "结项报告"},
    ExpenseCategory: CATEGORY_ZH,
    CommunityLevel: {"street": "街道/镇", "neighbourhood": "居委/村委"},
    DemandField: FIELD_LABELS_ZH,
    SessionKind: {"general": "综合场", "special": "专场"},
    CampKind: CAMP_KIND_LABELS_ZH,
    CampAudience: CAMP_AUDIENCE_LABELS_ZH,
    PartnerKind: {str(kind): name for kind, name in PARTNER_KIND_ZH.items()},
    OfferKind: {str(kind): name for kind, name in OFFER_KIND_ZH.items()},
}  # fmt: skip

# Plain columns (no enum on the column) that hold a fixed set of codes.
PLAIN_CHOICES: dict[tuple[str, str], dict[str, str]] = {
    ("application", "eligibility_outcome"): {k: v for k, v in OUTCOME_ZH.items()},
    ("export_job", "kind"): EXPORT_KIND_ZH,
    ("export_job", "state"): {"queued": "排队中", "running": "生成中", "done": "已完成", "failed": "失败"},
    ("ledger_entry", "kind"): {
        LedgerKind.obligation.value: "资金占用（立项）",
        LedgerKind.disbursement.value: "拨付",
        LedgerKind.reversal.value: "释放（减少或撤销）",
        LedgerKind.refund.value: "追回入账",
    },
}


@cache
def _workflow_states() -> dict[str, dict[str, str]]:
    """Per bound table: state → its Chinese name (the first workflow naming it wins, as the lists show one name)."""
    states: dict[str, dict[str, str]] = {}
    for binding in bindings():
        names = states.setdefault(binding.table._meta.tablename, {})
        for workflow in binding.workflows:
            for state, label in workflow.states.items():
                names.setdefault(state, label)
    return states


def choice_labels(table: type[Table], column: str) -> dict[str, str] | None:
    """The column's codes and their Chinese names, in display order; None for a column of free values."""
    tablename = table._meta.tablename
    if column == "status" and tablename in _workflow_states():
        return _workflow_states()[tablename]
    if (tablename, column) in PLAIN_CHOICES:
        return PLAIN_CHOICES[(tablename, column)]
    enum = table._meta.get_column_by_name(column)._meta.choices
    if enum is None:
        return None
    labels = ENUM_LABELS.get(enum, {})
    return {member.value: labels.get(member.value, member.value) for member in enum}
