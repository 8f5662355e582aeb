"""The camps' enums, apart from the database layer (the pure audience rule uses them)."""

from __future__ import annotations

from enum import StrEnum


class CampKind(StrEnum):
    brand = "brand"  # 品牌塑造营
    all_round = "all_round"  # 项目全能营
    venture = "venture"  # 公益创业训练营
    companion = "companion"  # 陪伴式赋能 (street service centres, a year long)


CAMP_KIND_LABELS_ZH: dict[str, str] = {
    CampKind.brand: "品牌塑造营",
    CampKind.all_round: "项目全能营",
    CampKind.venture: "公益创业训练营",
    CampKind.companion: "陪伴式赋能",
}


class CampAudience(StrEnum):
    """Who may register; checked at registration, the refusal names the rule."""

    cohort = "cohort"  # selected projects of the camp's 沪社星耀 edition (support-plan selected applications)
    contest_winners = "contest_winners"  # organisations holding an award of a 公益创新创业大赛
    any_registered = "any_registered"  # any organisation in the registry
    street_centres = "street_centres"  # 街镇社会组织服务中心 (organisations serving a street)
    type_grade = "type_grade"  # organisations of the listed types and at least the minimum 等级评估 grade


CAMP_AUDIENCE_LABELS_ZH: dict[str, str] = {
    CampAudience.cohort: "本届沪社星耀入选项目",
    CampAudience.contest_winners: "公益创新创业大赛获奖团队",
    CampAudience.any_registered: "已登记的社会组织",
    CampAudience.street_centres: "街镇社会组织服务中心",
    CampAudience.type_grade: "指定类型及等级的社会组织",
}
