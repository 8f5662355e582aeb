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


def demand_list_xlsx(rows: list[list[object]], headers: list[str] | None = None) -> bytes:
    """A street's demand list as offices fill it in (the template's columns unless told otherwise)."""
    import io

    from openpyxl import Workbook

    from programmes.matching.demand_import import COLUMNS

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(headers if headers is not None else list(COLUMNS))
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def demand_list_row(**overrides: object) -> list[object]:
    """One valid row for the 长宁 江苏路街道 community, by column name."""
    from programmes.matching.demand_import import COLUMNS

    start = now_utc().date() + timedelta(days=10)
    values: dict[str, object] = {
        "领域": "社区治理",
        "标签": "为老服务",
        "需求名称": "老年人智能手机培训",
        "需求描述": "每周一次",
        "区": "长宁区",
        "街镇": "江苏路街道",
        "对口地区": "",
        "服务对象": "社区老年人",
        "预计受益人数": 40,
        "开始日期": start,
        "结束日期": start + timedelta(days=60),
        "预算下限(元)": 5000,
        "预算上限(元)": 10000.5,
        "需要机构数": 1,
        "允许跨区": "否",
        "联系人": "王老师",
        "联系电话": "021-62512345",
        **overrides,
    }
    return [values[column] for column in COLUMNS]
