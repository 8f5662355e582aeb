"""Kinds of organisation and their grades: plain enums, apart from the tables so pure rules (eligibility) can use
them without the database layer. app/organisations/tables.py re-exports them."""

from __future__ import annotations

from enum import StrEnum


class OrganisationType(StrEnum):
    social_association = "social_association"  # 社会团体
    social_service_institution = "social_service_institution"  # 社会服务机构（民办非企业单位）
    foundation = "foundation"  # 基金会
    filed_community_group = "filed_community_group"  # 备案类社区群众活动团队 (not a legal person)


REGISTERED_TYPES = frozenset(
    {
        OrganisationType.social_association,
        OrganisationType.social_service_institution,
        OrganisationType.foundation,
    }
)


class EvaluationGrade(StrEnum):
    """等级评估 result."""

    none = "none"
    a1 = "1A"
    a2 = "2A"
    a3 = "3A"
    a4 = "4A"
    a5 = "5A"
