"""Rounds to screen in the admin's reader pages: a form with a money field, a group and a repeatable group, submitted
applications (screened ineligible when the round asks for a 5A grade) and a PDF attachment, all through the services."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from app.reference import District
from tests import factories
from tests.factories.admin import AdminSession
from tests.factories.applications import PDF

READER_FORM: dict[str, Any] = {
    "type": "object",
    "required": ["summary", "budget"],
    "x-ui": {"order": ["budget", "summary", "team", "contact"]},
    "properties": {
        "summary": {"type": "string", "title": "项目简介", "minLength": 10},
        "budget": {"type": "integer", "title": "申请金额", "minimum": 0, "x-ui": {"widget": "money", "unit": "元"}},
        "contact": {
            "type": "object",
            "title": "联系方式",
            "properties": {"phone": {"type": "string", "title": "联系电话"}},
        },
        "team": {
            "type": "array",
            "title": "团队成员",
            "items": {
                "type": "object",
                "properties": {
                    "name": {"type": "string", "title": "姓名"},
                    "role": {"type": "string", "title": "分工"},
                },
            },
        },
    },
}
READER_ANSWERS: dict[str, Any] = {
    "summary": "为社区独居老人提供助餐与陪伴服务",
    "budget": 150000,
    "contact": {"phone": "021-62345678"},
    "team": [{"name": "王芳", "role": "项目负责人"}, {"name": "李强", "role": "财务"}],
}


def user_of(session: AdminSession) -> factories.User:
    assert session.user is not None
    return session.user


@dataclass
class ScreeningRound:
    round_id: int
    application_ids: list[int]
    attachment_id: int
    organisation_names: list[str] = field(default_factory=list)


async def screening_round(
    officer: factories.User, district: District | None, *, count: int = 3, title: str = "社区助餐", strict: bool = True
) -> ScreeningRound:
    """An open round of ``district``'s programme with ``count`` submitted applications from organisations of that
    district (changning for a city programme); ``strict`` rounds want a 5A grade, so each is screened ineligible."""
    from app.timezone import now_utc
    from programmes.applications.schemas import ApplicationCreate
    from programmes.applications.service import create_draft, submit
    from programmes.attachments.service import upload
    from programmes.catalogue.schemas import CriterionIn, EditionCreate, ProgrammeCreate, RoundCreate
    from programmes.catalogue.service import create_edition, create_programme, create_round, open_round
    from programmes.tables import ProgrammeKind

    programme = await create_programme(
        officer.principal, ProgrammeCreate(name="公益创新创业大赛", kind=ProgrammeKind.contest, scope_district=district)
    )
    edition = await create_edition(officer.principal, programme.id, EditionCreate(year=2026, title="2026 年度"))
    now = now_utc()
    created = await create_round(
        officer.principal,
        edition.id,
        RoundCreate(
            name="初赛",
            opens_at=now - timedelta(hours=1),
            closes_at=now + timedelta(days=7),
            form_title="申报书",
            form_schema=READER_FORM,
            criteria=[CriterionIn(**c) for c in factories.CRITERIA],
            eligibility_rules={"min_grade": "5A"} if strict else {},
        ),
    )
    await open_round(officer.principal, created.id)
    ids: list[int] = []
    names: list[str] = []
    attachment_id = 0
    for n in range(count):
        org_id, member = await factories.organisation(district or District.changning)
        draft = await create_draft(
            member.principal,
            ApplicationCreate(
                round_id=created.id, organisation_id=org_id, title=f"{title}{n + 1}", answers=READER_ANSWERS
            ),
        )
        if n == 0:
            attachment_id = (await upload(member.principal, draft.id, "项目预算表.pdf", PDF)).id
        await submit(member.principal, draft.id)
        ids.append(draft.id)
        from app.organisations.tables import Organisation

        row = await Organisation.select(Organisation.name).where(Organisation.id == org_id).first()
        names.append(row["name"] if row else "")
    return ScreeningRound(created.id, ids, attachment_id, names)
