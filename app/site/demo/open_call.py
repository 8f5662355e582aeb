"""The 2026 contest's open 初赛 as the portal's journeys need it (docs/portal.md): its form is the documented example
(docs/examples/contest-form.json: repeatable 团队成员 and 预算明细, 合作方名称 required only when 合作 is 是), one
criterion may be scored 不适用, and 上海阳光社区公益服务社's submitted application is assigned to both experts, so
`expert1` finds an open, blind review on signing in."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from app.auth.principal import Principal

OPEN_CALL_FORM: dict[str, Any] = json.loads((Path(__file__).with_name("contest_form.json")).read_text("utf-8"))

OPEN_CALL_ANSWERS: dict[str, Any] = {
    "project_name": "银龄助餐·社区食堂",
    "summary": "为社区独居和高龄老人提供助餐、送餐与陪伴服务，联动街道食堂和志愿者队伍，建立长效机制。",
    "target_groups": ["老年人", "社区居民"],
    "beneficiaries": 320,
    "team": [
        {"name": "王小梅", "role": "项目负责人", "phone": "13912345678"},
        {"name": "李强", "role": "财务", "phone": "021-62345678"},
    ],
    "budget": [{"subject": "活动费用", "amount": 30000}, {"subject": "人员费用", "amount": 50000}],
    "cooperates": True,
    "partner_name": "新华路街道社区食堂",
}


def open_call_criteria() -> list[Any]:
    from programmes.catalogue.schemas import CriterionIn

    return [
        CriterionIn(code="innovation", name="创新性", weight=30, max_score=100),
        CriterionIn(code="need", name="需求契合度", weight=30, max_score=100, comment_below=60),
        CriterionIn(code="feasibility", name="可行性", weight=30, max_score=100),
        # A project without partners is not marked down for it: the expert may score 不适用.
        CriterionIn(code="partnership", name="合作与资源整合", weight=10, max_score=100, allow_na=True),
    ]


async def submit_for_review(officer: Principal, experts: list[Principal], round_id: int) -> int:
    """上海阳光社区公益服务社 submits to the open 初赛 and both experts are assigned; returns the application id."""
    from app.auth.tables import Role
    from app.organisations.tables import Organisation, OrganisationMember
    from programmes.applications.schemas import ApplicationCreate
    from programmes.applications.service import create_draft, submit
    from scoring.assignments.schemas import AssignmentCreate
    from scoring.assignments.service import assign

    org = await Organisation.select(Organisation.id).where(Organisation.name == "上海阳光社区公益服务社").first()
    assert org is not None
    [member] = await OrganisationMember.select(OrganisationMember.user).where(
        OrganisationMember.organisation == org["id"]
    )
    sunshine = Principal(member["user"], "sunshine", Role.applicant, None)
    draft = await create_draft(
        sunshine,
        ApplicationCreate(
            round_id=round_id, organisation_id=int(org["id"]), title="银龄助餐·社区食堂", answers=OPEN_CALL_ANSWERS
        ),
    )
    await submit(sunshine, draft.id)
    for expert in experts:
        await assign(officer, AssignmentCreate(application_id=draft.id, expert_id=expert.user_id))
    return int(draft.id)
