"""A camp of five sessions in 长宁 with two registered organisations (and one that did not register), for the
check-in, attendance, certificate and feedback tests. Rows are written directly: the camp room's own API is tested
in its own files."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

import pytest

from app.auth.tables import Role
from app.reference import District
from app.timezone import SHANGHAI
from programmes.camps.tables import Camp, CampRegistration, CampSession
from tests import factories
from tests.factories import User

FIRST_DAY = date(2026, 12, 7)
START = time(9, 0)
END = time(11, 0)


@dataclass
class AttendanceWorld:
    city_officer: User
    officer: User  # 长宁
    other_officer: User  # 浦东
    member: User  # organisation A, registered
    second_member: User  # organisation B, registered
    outsider: User  # organisation C, no registration
    camp_id: int
    session_ids: list[int]
    registration_id: int  # A's
    second_registration_id: int  # B's
    outsider_registration_id: int  # C's, in another camp

    def starts_at(self, index: int = 0) -> datetime:
        return datetime.combine(FIRST_DAY + timedelta(days=7 * index), START, tzinfo=SHANGHAI)

    def ends_at(self, index: int = 0) -> datetime:
        return datetime.combine(FIRST_DAY + timedelta(days=7 * index), END, tzinfo=SHANGHAI)


async def _camp(title: str, district: District) -> int:
    rows = await Camp.insert(
        Camp(
            kind="brand",
            title=title,
            audience="any_registered",
            capacity=30,
            completion_min_percent=80,
            status="open",
            scope_district=district.value,
        )
    ).returning(Camp.id)
    return int(rows[0]["id"])


async def _registration(camp_id: int, organisation_id: int, name: str) -> int:
    rows = await CampRegistration.insert(
        CampRegistration(
            camp=camp_id,
            organisation=organisation_id,
            participants=[{"name": name, "role": "项目主管", "mobile": "13900000001"}],
            status="registered",
            scope_district=District.changning.value,
        )
    ).returning(CampRegistration.id)
    return int(rows[0]["id"])


@pytest.fixture(name="attendance_world")
async def attendance_world_fixture(client: object) -> AttendanceWorld:
    camp_id = await _camp("2026年品牌塑造营（第一期）", District.changning)
    session_ids = []
    for index in range(5):
        rows = await CampSession.insert(
            CampSession(
                camp=camp_id,
                title=f"第{index + 1}讲",
                session_date=FIRST_DAY + timedelta(days=7 * index),
                start_time=START,
                end_time=END,
                place="长宁区社会组织服务中心",
                trainer="李老师" if index < 3 else "王老师",
                scope_district=District.changning.value,
            )
        ).returning(CampSession.id)
        session_ids.append(int(rows[0]["id"]))
    org_a, member = await factories.organisation(District.changning, name="阳光社工服务社")
    org_b, second = await factories.organisation(District.changning)
    org_c, outsider = await factories.organisation(District.changning)
    other_camp = await _camp("另一期训练营", District.changning)
    return AttendanceWorld(
        city_officer=await factories.user(Role.officer),
        officer=await factories.user(Role.officer, District.changning),
        other_officer=await factories.user(Role.officer, District.pudong),
        member=member,
        second_member=second,
        outsider=outsider,
        camp_id=camp_id,
        session_ids=session_ids,
        registration_id=await _registration(camp_id, org_a, "张三"),
        second_registration_id=await _registration(camp_id, org_b, "李四"),
        outsider_registration_id=await _registration(other_camp, org_c, "王五"),
    )
