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
    on_delivery = "on_delivery"  # 聚力计划订单：社区确认服务完成后拨付 (only an order's tranche; award plans refuse it)


class ExpenseCategory(StrEnum):
    """Budget categories of a funded project; report expense lines are booked against them."""

    personnel = "personnel"  # 人员费用
    activities = "activities"  # 活动费用
    materials = "materials"  # 物资采购
    venue = "venue"  # 场地租赁
    publicity = "publicity"  # 宣传推广
    administration = "administration"  # 管理费用
    other = "other"  # 其他


class RoundStage(StrEnum):
    """What a round is within its edition (docs/workflows/contest.md). Rounds of one edition are ordered by
    ``Round.position``; only the first stage admits applications directly, later stages admit the entries the
    previous stage advanced (carried, ``Application.carried_from``). A graduation round (结项评估) sits outside the
    order: it admits the supported projects an officer sends to evaluation."""

    call = "call"  # 申报（单轮征集，旧有轮次的默认）
    district_recommendation = "district_recommendation"  # 区级推荐
    preliminary = "preliminary"  # 初赛（线上评审）
    semifinal = "semifinal"  # 复赛
    final = "final"  # 决赛（路演）
    custom = "custom"  # 其他阶段
    graduation = "graduation"  # 结项评估


ROUND_STAGE_ZH = {
    RoundStage.call: "申报",
    RoundStage.district_recommendation: "区级推荐",
    RoundStage.preliminary: "初赛",
    RoundStage.semifinal: "复赛",
    RoundStage.final: "决赛路演",
    RoundStage.custom: "其他阶段",
    RoundStage.graduation: "结项评估",
}
