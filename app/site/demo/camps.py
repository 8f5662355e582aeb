"""Demo camp: a city 品牌塑造营 of the 2025 沪社星耀 edition (app/site/demo/incubation.py), open for registration,
with three sessions (two held, one next week); the cohort's two organisations registered, with named participants
(attendance is recorded by the attendance part on these rows)."""

from __future__ import annotations

from datetime import time, timedelta

from app.auth.principal import Principal
from app.organisations.membership import acting_organisation_ids

HANDOUT_PDF = b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"


async def load_demo_camp(officer: Principal, applicants: list[Principal], edition_id: int | None = None) -> int:
    """Returns the camp's id."""
    from app.timezone import today_shanghai
    from programmes.camps import camps, materials, registrations
    from programmes.camps.kinds import CampAudience, CampKind
    from programmes.camps.schemas import CampCreate, CampParticipant, RegistrationCreate, SessionCreate

    camp = await camps.create(
        officer,
        CampCreate(
            edition_id=edition_id,
            kind=CampKind.brand,
            title="2026 品牌塑造营（第一期）",
            description="面向已登记社会组织的品牌定位、传播与公众沟通能力提升培训，共三场。",
            audience=CampAudience.any_registered,
            capacity=30,
            completion_min_percent=80,
        ),
    )
    today = today_shanghai()
    sessions = [
        ("品牌定位与项目故事", "上海市社会组织服务中心 301 室", "", "李老师"),
        ("新媒体传播实务", "", "https://meeting.example.cn/brand-2", "王老师"),
        ("公众沟通与筹款表达", "上海市社会组织服务中心 301 室", "", "陈老师"),
    ]
    for days, (title, place, link, trainer) in zip((-14, -7, 7), sessions, strict=True):
        await camps.add_session(
            officer,
            camp.id,
            SessionCreate(
                title=title,
                session_date=today + timedelta(days=days),
                start_time=time(9, 0),
                end_time=time(12, 0),
                place=place,
                online_link=link,
                trainer=trainer,
            ),
        )
    # A handout for the camp's page (the portal lists and serves it to registered organisations).
    await materials.upload(officer, camp.id, "品牌塑造营课程讲义.pdf", HANDOUT_PDF)
    await camps.step(officer, camp.id, "open")
    people = [
        [("张晓明", "项目主管", "13800138001"), ("李芳", "传播专员", "13800138002")],
        [("周婷", "项目社工", "13800138011")],
    ]
    for applicant, names in zip(applicants, people, strict=False):
        [organisation_id] = await acting_organisation_ids(applicant.user_id)
        await registrations.register(
            applicant,
            camp.id,
            RegistrationCreate(
                organisation_id=organisation_id,
                participants=[CampParticipant(name=n, position=p, mobile=m) for n, p, m in names],
            ),
        )
    return camp.id
