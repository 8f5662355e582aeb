"""Demo camp: a city 品牌塑造营 open for registration with three sessions, the demo organisation registered with two
participants (attendance is recorded by the attendance part on these rows)."""

from __future__ import annotations

from datetime import time, timedelta

from app.auth.principal import Principal
from app.organisations.membership import acting_organisation_ids
from app.organisations.tables import OrganisationMember


async def load_demo_camp(officer: Principal, applicant: Principal) -> int:
    """Returns the camp's id."""
    from app.timezone import today_shanghai
    from programmes.camps import camps, registrations
    from programmes.camps.kinds import CampAudience, CampKind
    from programmes.camps.schemas import CampCreate, CampParticipant, RegistrationCreate, SessionCreate

    camp = await camps.create(
        officer,
        CampCreate(
            kind=CampKind.brand,
            title="2026 品牌塑造营（第一期）",
            description="面向已登记社会组织的品牌定位、传播与公众沟通能力提升培训，共三场。",
            audience=CampAudience.any_registered,
            capacity=30,
            completion_min_percent=80,
        ),
    )
    start = today_shanghai() + timedelta(days=7)
    sessions = [
        ("品牌定位与项目故事", "上海市社会组织服务中心 301 室", "", "李老师"),
        ("新媒体传播实务", "", "https://meeting.example.cn/brand-2", "王老师"),
        ("公众沟通与筹款表达", "上海市社会组织服务中心 301 室", "", "陈老师"),
    ]
    for n, (title, place, link, trainer) in enumerate(sessions):
        await camps.add_session(
            officer,
            camp.id,
            SessionCreate(
                title=title,
                session_date=start + timedelta(days=7 * n),
                start_time=time(9, 0),
                end_time=time(12, 0),
                place=place,
                online_link=link,
                trainer=trainer,
            ),
        )
    await camps.step(officer, camp.id, "open")
    [organisation_id] = await acting_organisation_ids(applicant.user_id)
    await registrations.register(
        applicant,
        camp.id,
        RegistrationCreate(
            organisation_id=organisation_id,
            participants=[
                CampParticipant(name="张晓明", position="项目主管", mobile="13800138001"),
                CampParticipant(name="李芳", position="传播专员", mobile="13800138002"),
            ],
        ),
    )
    return camp.id


async def demo_applicant(username: str) -> Principal:
    from app.auth.tables import Role

    member = (
        await OrganisationMember.select(OrganisationMember.user)
        .where(OrganisationMember.user.username == username)
        .first()
    )
    assert member is not None
    return Principal(int(member["user"]), username, Role.applicant, None)
