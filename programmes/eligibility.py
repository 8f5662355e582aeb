"""Automatic eligibility screening (资格审查): pure rules over an organisation's facts, explained finding by finding.

``screen`` checks every rule (it does not stop at the first failure) and returns findings with a stable code, a
severity and a zh-CN reason; ``ineligible`` findings make the result ineligible, ``warning`` findings do not.
Rules are an ``EligibilityRules`` model stored as JSON on a round. Codes and reasons: docs/forms-and-eligibility.md.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import Any, Literal

from pydantic import ConfigDict, Field, field_validator

from app.organisations.credit_code import normalise, problem_with, type_problem
from app.organisations.kinds import REGISTERED_TYPES, EvaluationGrade, OrganisationType
from app.reference import DISTRICT_NAMES_ZH, District
from app.types import RequestModel

ORG_TYPES_ZH = {
    OrganisationType.social_association: "社会团体",
    OrganisationType.social_service_institution: "社会服务机构",
    OrganisationType.foundation: "基金会",
    OrganisationType.filed_community_group: "备案类社区群众活动团队",
}
GRADE_RANK = {grade: rank for rank, grade in enumerate(EvaluationGrade)}  # none < 1A < … < 5A


class Severity(StrEnum):
    ineligible = "ineligible"
    warning = "warning"


class EligibilityRules(RequestModel):
    """申报资格规则 of a round. ``{}`` means: every organisation type, any grade and age, any district."""

    model_config = ConfigDict(extra="forbid", frozen=True, title="申报资格规则")

    allowed_types: tuple[OrganisationType, ...] = Field(
        default=tuple(OrganisationType),
        min_length=1,
        description="允许申报的组织类型：social_association 社会团体、social_service_institution 社会服务机构、"
        "foundation 基金会、filed_community_group 备案类社区群众活动团队（须经代管的社会组织服务中心申报）",
    )
    min_grade: Literal["3A", "4A", "5A"] | None = Field(
        default=None, description="最低社会组织评估等级（3A、4A 或 5A），且等级须在审查日仍在有效期内；为空表示不限"
    )
    min_registration_years: int = Field(default=0, ge=0, le=50, description="成立登记（备案）须满的整年数；0 表示不限")
    allowed_districts: tuple[District, ...] | None = Field(
        default=None,
        min_length=1,
        description="允许申报的组织所在区；为空表示不限（区级项目由系统限定为本区）",
    )
    certificate_warning_days: int = Field(
        default=90, ge=0, le=365, description="登记证书在多少天内到期视为临期（只提示，不影响资格）"
    )

    @field_validator("allowed_types", "allowed_districts")
    @classmethod
    def _unique(cls, values: tuple[Any, ...] | None) -> tuple[Any, ...] | None:
        return tuple(dict.fromkeys(values)) if values is not None else None


@dataclass(frozen=True)
class OrganisationFacts:
    """What screening needs to know about the applying organisation, as of the screening day.

    ``registered_on``, ``evaluation_grade``, ``grade_valid_until`` and ``certificate_expires_on`` are VERIFIED values
    (officer or registry import); ``None`` means not verified. The ``declared_*`` values are what the organisation
    said itself: they never pass a rule, they only make the finding say 待核验 instead of "missing" (and a declared
    expiry that has passed is the organisation's own admission).
    """

    org_type: OrganisationType
    district: District
    credit_code: str | None = None
    registered_on: date | None = None  # 成立登记（备案）日期
    evaluation_grade: EvaluationGrade | None = EvaluationGrade.none
    grade_valid_until: date | None = None  # last day the grade is valid
    abnormal_listed_on: date | None = None  # 活动异常名录
    serious_violation_listed_on: date | None = None  # 严重违法失信名单
    certificate_expires_on: date | None = None  # last day the registration certificate is valid
    custodian_id: int | None = None  # 代管的社会组织服务中心 (filed community groups)
    applying_via_custodian: bool = False  # the application is made through (by) the custodian
    declared_registered_on: date | None = None
    declared_evaluation_grade: EvaluationGrade | None = None
    declared_grade_valid_until: date | None = None
    declared_certificate_expires_on: date | None = None

    def __post_init__(self) -> None:
        # Database rows carry plain strings; fold them into the enums so comparisons and names are exact.
        object.__setattr__(self, "org_type", OrganisationType(self.org_type))
        object.__setattr__(self, "district", District(self.district))
        for name in ("evaluation_grade", "declared_evaluation_grade"):
            value = getattr(self, name)
            object.__setattr__(self, name, EvaluationGrade(value) if value is not None else None)

    @classmethod
    def from_row(cls, row: Mapping[str, Any], *, applying_via_custodian: bool = False) -> OrganisationFacts:
        """From an ``Organisation`` row (``custodian`` or ``custodian_id`` for the custodian's id)."""
        return cls(
            org_type=row["org_type"],
            district=row["district"],
            credit_code=row.get("credit_code"),
            registered_on=row.get("registered_on"),
            evaluation_grade=row.get("evaluation_grade"),
            grade_valid_until=row.get("grade_valid_until"),
            abnormal_listed_on=row.get("abnormal_listed_on"),
            serious_violation_listed_on=row.get("serious_violation_listed_on"),
            certificate_expires_on=row.get("certificate_expires_on"),
            custodian_id=row.get("custodian_id", row.get("custodian")),
            applying_via_custodian=applying_via_custodian,
            declared_registered_on=row.get("declared_registered_on"),
            declared_evaluation_grade=row.get("declared_evaluation_grade"),
            declared_grade_valid_until=row.get("declared_grade_valid_until"),
            declared_certificate_expires_on=row.get("declared_certificate_expires_on"),
        )


@dataclass(frozen=True)
class Finding:
    code: str
    severity: Severity
    reason: str

    def as_dict(self) -> dict[str, str]:
        return {"code": self.code, "severity": self.severity.value, "reason": self.reason}


@dataclass(frozen=True)
class ScreeningResult:
    screened_on: date
    findings: tuple[Finding, ...] = field(default_factory=tuple)

    @property
    def eligible(self) -> bool:
        return not any(f.severity is Severity.ineligible for f in self.findings)

    @property
    def codes(self) -> list[str]:
        return [f.code for f in self.findings]

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready: ``{"eligible", "screened_on" (ISO date), "findings": [{"code", "severity", "reason"}]}``."""
        return {
            "eligible": self.eligible,
            "screened_on": self.screened_on.isoformat(),
            "findings": [f.as_dict() for f in self.findings],
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ScreeningResult:
        findings = tuple(Finding(f["code"], Severity(f["severity"]), f["reason"]) for f in data.get("findings", []))
        return cls(date.fromisoformat(str(data["screened_on"])), findings)


def screen(
    org: OrganisationFacts, rules: EligibilityRules, today: date, *, programme_district: District | str | None = None
) -> ScreeningResult:
    """Screen ``org`` against ``rules`` as of ``today`` (Asia/Shanghai calendar day).

    ``programme_district``: the district of a district-level programme; when the rules name no districts, only
    organisations of that district are in scope. Explicit ``allowed_districts`` take precedence.
    """
    scope = rules.allowed_districts
    if scope is None and programme_district is not None:
        scope = (District(programme_district),)
    checks = (
        _type(org, rules),
        _credit_code(org),
        _custodian(org),
        _district(org, scope),
        _registration_age(org, rules, today),
        _grade(org, rules, today),
        _lists(org, today),
        _certificate(org, rules, today),
    )
    return ScreeningResult(today, tuple(finding for check in checks for finding in check))


def requirements_zh(rules: EligibilityRules, *, programme_district: District | str | None = None) -> list[str]:
    """The rules ``screen`` applies, in the order it checks them, as sentences for the people who may apply."""
    scope = rules.allowed_districts or ((District(programme_district),) if programme_district else None)
    lines = []
    if set(rules.allowed_types) == set(OrganisationType):
        lines.append("各类社会组织均可申报：社会团体、社会服务机构、基金会和备案类社区群众活动团队")
    else:
        lines.append("可申报的组织类型：" + "、".join(ORG_TYPES_ZH[t] for t in rules.allowed_types))
    if set(rules.allowed_types) & set(REGISTERED_TYPES):
        lines.append("登记的社会组织须有有效的统一社会信用代码，登记证书在有效期内")
    if OrganisationType.filed_community_group in rules.allowed_types:
        lines.append("备案类社区群众活动团队须由代管的街镇社会组织服务中心申报")
    if scope is None:
        lines.append("全市各区的组织均可申报")
    else:
        lines.append("只接受" + "、".join(DISTRICT_NAMES_ZH[d] for d in scope) + "的组织申报")
    if rules.min_registration_years > 0:
        lines.append(f"成立登记（备案）满 {rules.min_registration_years} 年")
    if rules.min_grade is not None:
        lines.append(f"社会组织评估等级 {rules.min_grade} 及以上，且等级在有效期内")
    lines.append("未被列入活动异常名录或严重违法失信名单")
    if rules.min_registration_years > 0 or rules.min_grade is not None:
        lines.append("成立日期和评估等级以主管部门核验或登记名录为准，自报信息须待核验")
    return lines


def _no(code: str, reason: str) -> Finding:
    return Finding(code, Severity.ineligible, reason)


UNVERIFIED = "facts_unverified"


def _unverified(what: str, declared: object, severity: Severity = Severity.ineligible) -> Finding:
    """待核验: the rule needs a fact nobody has verified yet; the organisation's own statement is shown, not trusted."""
    said = f"（本组织自报：{_shown(declared)}）" if declared is not None else ""
    return Finding(UNVERIFIED, severity, f"待核验：本组织的{what}尚未经主管部门核验或登记名录导入{said}")


def _shown(value: object) -> str:
    if isinstance(value, EvaluationGrade):
        return "未参加评估或无等级" if value is EvaluationGrade.none else f"{value.value}级"
    return value.isoformat() if isinstance(value, date) else str(value)


def _type(org: OrganisationFacts, rules: EligibilityRules) -> Iterator[Finding]:
    if org.org_type not in rules.allowed_types:
        allowed = "、".join(ORG_TYPES_ZH[t] for t in rules.allowed_types)
        yield _no(
            "type_not_allowed", f"本轮只接受以下类型的组织申报：{allowed}（本组织为{ORG_TYPES_ZH[org.org_type]}）"
        )


def _credit_code(org: OrganisationFacts) -> Iterator[Finding]:
    if org.org_type not in REGISTERED_TYPES:
        return
    if not (org.credit_code or "").strip():
        yield _no("credit_code_invalid", "登记的社会组织须有统一社会信用代码，本组织尚未填写")
        return
    code = normalise(org.credit_code or "")
    problem = problem_with(code) or type_problem(code, org.org_type.value)
    if problem is not None:
        yield _no("credit_code_invalid", f"统一社会信用代码无效：{problem.message}")


def _custodian(org: OrganisationFacts) -> Iterator[Finding]:
    if org.org_type is not OrganisationType.filed_community_group:
        return
    if org.custodian_id is None:
        yield _no(
            "filed_group_needs_custodian",
            "备案类社区群众活动团队须由街镇社会组织服务中心财务代管后申报，本团队尚未登记代管机构",
        )
    elif not org.applying_via_custodian:
        yield _no("filed_group_needs_custodian", "备案类社区群众活动团队须通过代管的社会组织服务中心申报")


def _district(org: OrganisationFacts, scope: tuple[District, ...] | None) -> Iterator[Finding]:
    if scope is not None and org.district not in scope:
        names = "、".join(DISTRICT_NAMES_ZH[d] for d in scope)
        yield _no("district_out_of_scope", f"本轮只接受{names}的组织申报（本组织在{DISTRICT_NAMES_ZH[org.district]}）")


def anniversary(start: date, years: int) -> date:
    """``start`` plus whole years; 29 February falls back to 28 February in common years."""
    year = start.year + years
    return start.replace(year=year, day=min(start.day, calendar.monthrange(year, start.month)[1]))


def _registration_age(org: OrganisationFacts, rules: EligibilityRules, today: date) -> Iterator[Finding]:
    years = rules.min_registration_years
    if years <= 0:
        return
    declared = org.declared_registered_on
    if org.registered_on is None and declared is not None and today < anniversary(declared, years):
        yield _no("registered_too_recently", f"本轮要求成立满 {years} 年（本组织自报 {declared.isoformat()} 成立）")
    elif org.registered_on is None and declared is not None:
        yield _unverified("成立登记日期", declared)
    elif org.registered_on is None:
        yield _no("registration_date_missing", f"本轮要求成立满 {years} 年，本组织未登记成立（备案）日期，无法核验")
    elif today < anniversary(org.registered_on, years):
        yield _no(
            "registered_too_recently",
            f"本轮要求成立满 {years} 年（本组织 {org.registered_on.isoformat()} 成立，"
            f"{anniversary(org.registered_on, years).isoformat()} 起满 {years} 年）",
        )


def _grade(org: OrganisationFacts, rules: EligibilityRules, today: date) -> Iterator[Finding]:
    if rules.min_grade is None:
        return
    wanted = EvaluationGrade(rules.min_grade)
    # A declared value never passes a rule, but one that fails it is the organisation's own word: it fails.
    grade = org.evaluation_grade if org.evaluation_grade is not None else org.declared_evaluation_grade
    if grade is not None and GRADE_RANK[grade] < GRADE_RANK[wanted]:
        said = "自报" if org.evaluation_grade is None else ""
        yield _no("grade_too_low", f"本轮要求社会组织评估等级 {wanted.value} 及以上（本组织{said}：{_shown(grade)}）")
    elif org.evaluation_grade is None:
        yield _unverified("评估等级", org.declared_evaluation_grade)
    elif org.grade_valid_until is None and org.declared_grade_valid_until is not None:
        yield _unverified("评估等级有效期", org.declared_grade_valid_until)
    elif org.grade_valid_until is None:
        yield _no("grade_validity_unknown", "本组织评估等级未登记有效期，无法确认等级仍然有效")
    elif org.grade_valid_until < today:
        yield _no("grade_expired", f"本组织评估等级已于 {org.grade_valid_until.isoformat()} 到期，须在有效期内方可申报")


def _lists(org: OrganisationFacts, today: date) -> Iterator[Finding]:
    if org.abnormal_listed_on is not None and org.abnormal_listed_on <= today:
        yield _no("listed_abnormal", f"本组织自 {org.abnormal_listed_on.isoformat()} 起被列入活动异常名录，不能申报")
    if org.serious_violation_listed_on is not None and org.serious_violation_listed_on <= today:
        yield _no(
            "listed_serious_violation",
            f"本组织自 {org.serious_violation_listed_on.isoformat()} 起被列入严重违法失信名单，不能申报",
        )


def _certificate(org: OrganisationFacts, rules: EligibilityRules, today: date) -> Iterator[Finding]:
    if org.org_type not in REGISTERED_TYPES:
        return
    expires = org.certificate_expires_on
    declared = org.declared_certificate_expires_on
    if expires is None and declared is not None and declared < today:
        yield _no("certificate_expired", f"本组织自报登记证书已于 {declared.isoformat()} 过期，须换发后方可申报")
    elif expires is None and declared is not None:
        # Like a missing date, an unverified one only warns: the certificate rule was never a gate of its own.
        yield _unverified("登记证书有效期", declared, Severity.warning)
    elif expires is None:
        yield Finding(
            "certificate_date_missing", Severity.warning, "本组织未登记证书有效期，请核验登记证书是否在有效期内"
        )
    elif expires < today:
        yield _no("certificate_expired", f"本组织登记证书已于 {expires.isoformat()} 过期，须换发后方可申报")
    elif (expires - today).days <= rules.certificate_warning_days:
        days = (expires - today).days
        when = "今天" if days == 0 else f" {days} 天后（{expires.isoformat()}）"
        yield Finding("certificate_expiring", Severity.warning, f"本组织登记证书将于{when}到期，请及时办理换证")
