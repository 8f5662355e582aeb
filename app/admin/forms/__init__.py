"""The admin's action forms, one module per area; each form calls the same service function as the API.

``FORMS`` is every form the admin mounts (tests walk it: schema limits, ids). Piccolo Admin lists a group's forms in
this order, so the concatenation keeps each group's order (e.g. 资金: approve, clawbacks, batches, then 确定资助).
"""

from __future__ import annotations

from piccolo_admin.endpoints import FormConfig

from app.admin.downloads import DOWNLOAD_FORMS
from app.admin.forms.accounts import ACCOUNT_FORMS
from app.admin.forms.agreements import AGREEMENT_FORMS
from app.admin.forms.applications import APPLICATION_FORMS
from app.admin.forms.camp_attendance import CAMP_ATTENDANCE_FORMS
from app.admin.forms.camps import CAMP_FORMS
from app.admin.forms.catalogue import CATALOGUE_FORMS
from app.admin.forms.custody import CUSTODY_FORMS
from app.admin.forms.fasttrack import FASTTRACK_FORMS
from app.admin.forms.gate import GATE_FORMS
from app.admin.forms.incubation import INCUBATION_FORMS
from app.admin.forms.matching import MATCHING_FORMS
from app.admin.forms.matching_demands import MATCHING_DEMAND_FORMS
from app.admin.forms.money import MONEY_FORMS
from app.admin.forms.notice import NOTICE_FORMS
from app.admin.forms.organisations import ORGANISATION_FORMS
from app.admin.forms.prizes import PRIZE_FORMS
from app.admin.forms.recommendations import RECOMMENDATION_FORMS
from app.admin.forms.review import REVIEW_FORMS
from app.admin.forms.roadshow import ROADSHOW_FORMS
from app.admin.forms.round_config import ROUND_CONFIG_FORMS
from app.admin.forms.settings import SETTINGS_FORMS
from app.admin.forms.stages import STAGE_FORMS

FORMS: list[FormConfig] = [
    *APPLICATION_FORMS,
    *ACCOUNT_FORMS,
    *AGREEMENT_FORMS,
    *MONEY_FORMS,
    *CATALOGUE_FORMS,  # issue 16: 新建项目 / 届次 / 轮次 through structured fields
    *ROUND_CONFIG_FORMS,  # issue 16: 修改轮次, 评分细则, 资格条件, 申报表版本
    *SETTINGS_FORMS,
    *DOWNLOAD_FORMS,
    *REVIEW_FORMS,
    *ORGANISATION_FORMS,  # issue 11: fact verification, registry import, credit-code claims
    *CUSTODY_FORMS,  # issue 11: service centres (财务代管) for filed groups
    *NOTICE_FORMS,  # issue 11: 公示 re-review, objections, inspection draws
    *GATE_FORMS,  # issue 11: eligibility override and award behind the gates
    *MATCHING_FORMS,  # issue 13: 聚力计划 moderation, sessions, cases
    *MATCHING_DEMAND_FORMS,  # issue 13: 聚力计划 demand moderation
    *FASTTRACK_FORMS,  # issue 14: fast-track invitations, mentor assignment
    *INCUBATION_FORMS,  # issue 14: 沪社星耀 cohorts and graduation
    *CAMP_FORMS,  # issue 14: camps, sessions, registrations
    *CAMP_ATTENDANCE_FORMS,  # issue 14: attendance corrections, certificates
    *RECOMMENDATION_FORMS,  # issue 15: 区级推荐 quotas, recommendations, forward
    *STAGE_FORMS,  # issue 15: stage order, stage advance with quotas and ties
    *ROADSHOW_FORMS,  # issue 15: the final (决赛路演): order, clock, end
    *PRIZE_FORMS,  # issue 15: confirming prizes, introducing winners to resources
]

__all__ = ["FORMS"]
