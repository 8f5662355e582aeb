"""The camp's audience rule, checked at registration; a refusal names the rule in words.

"Cohort members" are the organisations of the supported projects in a cohort of the camp's edition
(``programmes.incubation``). A camp that stands alone has no edition and so no cohort: nobody passes that rule.
"""

from __future__ import annotations

from typing import Any

from app.organisations.tables import REGISTERED_TYPES, EvaluationGrade, Organisation
from app.timezone import today_shanghai
from programmes.camps.kinds import CAMP_KIND_LABELS_ZH, CampAudience
from programmes.camps.schemas import EligibilityRead
from programmes.incubation.tables import SupportedProject
from programmes.prizes.tables import Prize
from programmes.tables import Award, ProgrammeKind
from programmes.workflows.disbursement import AwardStatus

GRADE_ORDER = [EvaluationGrade.a1, EvaluationGrade.a2, EvaluationGrade.a3, EvaluationGrade.a4, EvaluationGrade.a5]
ORG_TYPE_LABELS_ZH = {
    "social_association": "社会团体",
    "social_service_institution": "社会服务机构",
    "foundation": "基金会",
    "filed_community_group": "备案类社区群众活动团队",
}

OK = EligibilityRead(eligible=True, code="ok", reason="符合报名条件")


def _no(code: str, reason: str) -> EligibilityRead:
    return EligibilityRead(eligible=False, code=code, reason=reason)


async def _in_cohort(organisation_id: int, edition_id: int | None) -> bool:
    if edition_id is None:
        return False
    found = await SupportedProject.exists().where(
        (SupportedProject.organisation == organisation_id) & (SupportedProject.cohort._.edition == edition_id)
    )
    return bool(found)


async def _contest_winner(organisation_id: int) -> bool:
    """A prize of a contest (money or honour only, programmes.prizes), or an active award of a contest."""
    if await Prize.exists().where(Prize.organisation == organisation_id):
        return True
    found = await Award.exists().where(
        (Award.application._.organisation == organisation_id)
        & (Award.status == AwardStatus.active)
        & (Award.application._.round._.edition._.programme._.kind == ProgrammeKind.contest)
    )
    return bool(found)


def _grade_ok(organisation: dict[str, Any], minimum: str | None) -> bool:
    if minimum is None or minimum == EvaluationGrade.none:
        return True
    grade, valid_until = organisation["evaluation_grade"], organisation["grade_valid_until"]
    if grade not in GRADE_ORDER or (valid_until is not None and valid_until < today_shanghai()):
        return False
    return GRADE_ORDER.index(grade) >= GRADE_ORDER.index(EvaluationGrade(minimum))


async def check(camp: dict[str, Any], organisation_id: int) -> EligibilityRead:
    """May this organisation register for this camp?"""
    organisation = await Organisation.select().where(Organisation.id == organisation_id).first()
    assert organisation is not None  # the caller acts for it
    audience = camp["audience"]
    kind_zh = CAMP_KIND_LABELS_ZH.get(camp["kind"], camp["kind"])
    if audience == CampAudience.cohort and not await _in_cohort(organisation_id, camp["edition"]):
        return _no("audience_cohort_only", f"本{kind_zh}仅面向本届沪社星耀入选项目的承担单位")
    if audience == CampAudience.contest_winners and not await _contest_winner(organisation_id):
        return _no("audience_winners_only", f"本{kind_zh}仅面向公益创新创业大赛获奖团队")
    if audience == CampAudience.any_registered and organisation["org_type"] not in REGISTERED_TYPES:
        return _no("audience_registered_only", f"本{kind_zh}仅面向已登记的社会组织，备案类团队不能报名")
    if audience == CampAudience.street_centres and not organisation["serves_street"]:
        return _no("audience_centres_only", f"本{kind_zh}仅面向街镇社会组织服务中心")
    if audience == CampAudience.type_grade:
        types = list(camp["audience_org_types"] or [])
        if types and organisation["org_type"] not in types:
            names = "、".join(ORG_TYPE_LABELS_ZH.get(t, t) for t in types)
            return _no("audience_type_mismatch", f"本{kind_zh}仅面向{names}")
        if not _grade_ok(organisation, camp["audience_min_grade"]):
            return _no(
                "audience_grade_too_low",
                f"本{kind_zh}仅面向等级评估 {camp['audience_min_grade']} 及以上（在有效期内）的社会组织",
            )
    return OK
