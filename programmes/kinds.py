"""Kinds of fund source, award, release condition and expense: plain enums, apart from the tables so pure rules
(payment plans, request schemas) can use them without the database layer. programmes/tables.py re-exports them."""

from __future__ import annotations

from enum import StrEnum


class FundSourceKind(StrEnum):
    welfare_lottery = "welfare_lottery"  # 福利彩票公益金
    fiscal = "fiscal"  # 财政资金
    foundation = "foundation"  # 基金会资金


class AwardType(StrEnum):
    """Subsidy and reward kinds from the district funds (长宁区专项资金等)."""

    start_up = "start_up"  # 一次性开办补贴
    operating = "operating"  # 工作经费
    rent = "rent"  # 房租补贴
    large_event = "large_event"  # 大型活动补贴
    staff = "staff"  # 人员补贴
    reward = "reward"  # 奖励（大赛奖金、项目资助）


class ReleaseCondition(StrEnum):
    """When a tranche of the payment plan may be paid (拨付条件)."""

    on_signing = "on_signing"  # 协议生效（双方签署）后拨付
    milestone = "milestone"  # 第 N 期中期报告验收通过后拨付
    final_report = "final_report"  # 结项报告验收通过后拨付


class ExpenseCategory(StrEnum):
    """Budget categories of a funded project; report expense lines are booked against them."""

    personnel = "personnel"  # 人员费用
    activities = "activities"  # 活动费用
    materials = "materials"  # 物资采购
    venue = "venue"  # 场地租赁
    publicity = "publicity"  # 宣传推广
    administration = "administration"  # 管理费用
    other = "other"  # 其他
