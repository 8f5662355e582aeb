"""聚力计划 part A builders: a small world of people in two districts, two communities and a tag vocabulary, and
the demand body the API tests send."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest

from app.auth.tables import Role
from app.reference import District
from app.timezone import now_utc
from programmes.matching.tables import MatchingTag
from tests import factories
from tests.factories import User
from tests.factories.matching import community

TAGS = {"community_org": "社区社会组织", "elderly": "为老服务", "children": "儿童关爱", "retired": "已停用标签"}


@dataclass
class DemandWorld:
    city_officer: User
    changning_officer: User
    pudong_officer: User
    applicant: User
    community_id: int  # 长宁 street community
    community: User
    other_community_id: int  # 浦东 street community
    other_community: User


async def tag_vocabulary() -> None:
    """The seeded tags (after the first test the tables start empty) plus one inactive tag."""
    for code, label in TAGS.items():
        await MatchingTag.raw(
            "INSERT INTO matching_tag (code, label_zh, active, created_at) VALUES ({}, {}, {}, now())"
            " ON CONFLICT (code) DO UPDATE SET label_zh = EXCLUDED.label_zh, active = EXCLUDED.active",
            code,
            label,
            code != "retired",
        )


@pytest.fixture
async def demand_world(client: object) -> DemandWorld:
    await tag_vocabulary()
    community_id, account = await community(District.changning, street="江苏路街道")
    other_id, other = await community(District.pudong, street="陆家嘴街道")
    _, applicant = await factories.organisation(District.changning)
    return DemandWorld(
        city_officer=await factories.user(Role.officer),
        changning_officer=await factories.user(Role.officer, District.changning),
        pudong_officer=await factories.user(Role.officer, District.pudong),
        applicant=applicant,
        community_id=community_id,
        community=account,
        other_community_id=other_id,
        other_community=other,
    )


def demand_body(**overrides: Any) -> dict[str, Any]:
    start = now_utc().date() + timedelta(days=10)
    body: dict[str, Any] = {
        "field": "governance",
        "tags": ["elderly"],
        "title": "老年人智能手机培训",
        "description": "每周一次，教老年人使用智能手机就医、出行。",
        "beneficiary_group": "社区老年人",
        "expected_beneficiaries": 40,
        "period_start": start.isoformat(),
        "period_end": (start + timedelta(days=90)).isoformat(),
        "budget_min_fen": 500_000,
        "budget_max_fen": 1_000_000,
        "providers_wanted": 1,
        "cross_district": False,
        "contact_name": "王老师",
        "contact_phone": "021-62512345",
    }
    return {**body, **overrides}
