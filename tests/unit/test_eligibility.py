"""Eligibility screening (资格审查): each rule both ways, boundary dates, serialisation, and the rules model."""

from __future__ import annotations

import dataclasses
import json
from datetime import date, timedelta
from typing import Any

import pytest
from pydantic import ValidationError

from app.organisations.tables import EvaluationGrade, OrganisationType
from app.reference import District
from programmes.eligibility import (
    EligibilityRules,
    OrganisationFacts,
    ScreeningResult,
    Severity,
    anniversary,
    screen,
)

TODAY = date(2026, 3, 15)
CODE = "52310105MJ00000024"  # 5 = civil affairs, 2 = 社会服务机构 (GB 32100)
ASSOCIATION_CODE = "51310105MJ0000003A"  # 51…: 社会团体
FOUNDATION_CODE = "53310105MJ00000047"  # 53…: 基金会

GOOD = OrganisationFacts(
    org_type=OrganisationType.social_service_institution,
    district=District.changning,
    credit_code=CODE,
    registered_on=date(2018, 6, 1),
    evaluation_grade=EvaluationGrade.a4,
    grade_valid_until=date(2028, 12, 31),
    certificate_expires_on=date(2029, 6, 1),
)
STRICT = EligibilityRules(
    allowed_types=(OrganisationType.social_service_institution, OrganisationType.social_association),
    min_grade="3A",
    min_registration_years=2,
    allowed_districts=(District.changning, District.xuhui),
)
GROUP = OrganisationFacts(
    org_type=OrganisationType.filed_community_group,
    district=District.yangpu,
    custodian_id=7,
    applying_via_custodian=True,
)


def facts(**changes: Any) -> OrganisationFacts:
    return dataclasses.replace(GOOD, **changes)


def rules(**changes: Any) -> EligibilityRules:
    return STRICT.model_copy(update=changes)


def codes(org: OrganisationFacts, screening_rules: EligibilityRules = STRICT, today: date = TODAY) -> list[str]:
    return screen(org, screening_rules, today).codes


def test_a_good_organisation_passes_strict_rules() -> None:
    result = screen(GOOD, STRICT, TODAY)
    assert result.eligible and result.findings == ()


def test_default_rules_screen_only_what_always_applies() -> None:
    assert codes(facts(evaluation_grade=EvaluationGrade.none, registered_on=None), EligibilityRules()) == []
    assert codes(GROUP, EligibilityRules()) == []


# --- type and credit code ------------------------------------------------------------------------------------------


def test_type_not_allowed() -> None:
    result = screen(facts(org_type=OrganisationType.foundation, credit_code=FOUNDATION_CODE), STRICT, TODAY)
    assert result.codes == ["type_not_allowed"] and not result.eligible
    assert "社会服务机构、社会团体" in result.findings[0].reason and "基金会" in result.findings[0].reason
    assert codes(facts(org_type=OrganisationType.social_association, credit_code=ASSOCIATION_CODE)) == []


@pytest.mark.parametrize("bad", ["91350100M000100Y44", "91350100M000100Y4", "", None, "   "])
def test_registered_types_need_a_valid_credit_code(bad: str | None) -> None:
    result = screen(facts(credit_code=bad), STRICT, TODAY)
    assert result.codes == ["credit_code_invalid"] and not result.eligible


def test_credit_code_is_normalised_like_user_input() -> None:
    assert codes(facts(credit_code=" 52310105mj00000024 ")) == []
    assert codes(facts(credit_code="５２３１０１０５ＭＪ００００００２４")) == []  # full-width, as pasted


def test_filed_groups_need_no_credit_code_or_certificate() -> None:
    assert codes(GROUP, EligibilityRules()) == []


# --- filed community groups apply through their custodian ---------------------------------------------------------


def test_filed_group_without_custodian() -> None:
    result = screen(
        dataclasses.replace(GROUP, custodian_id=None, applying_via_custodian=False), EligibilityRules(), TODAY
    )
    assert result.codes == ["filed_group_needs_custodian"] and "尚未登记代管机构" in result.findings[0].reason


def test_filed_group_applying_on_its_own() -> None:
    result = screen(dataclasses.replace(GROUP, applying_via_custodian=False), EligibilityRules(), TODAY)
    assert result.codes == ["filed_group_needs_custodian"] and "通过代管" in result.findings[0].reason


def test_custodian_rule_is_only_for_filed_groups() -> None:
    assert codes(facts(custodian_id=None, applying_via_custodian=False)) == []


# --- district ------------------------------------------------------------------------------------------------------


def test_district_out_of_scope() -> None:
    result = screen(facts(district=District.pudong), STRICT, TODAY)
    assert result.codes == ["district_out_of_scope"]
    assert "长宁区、徐汇区" in result.findings[0].reason and "浦东新区" in result.findings[0].reason
    assert codes(facts(district=District.xuhui)) == []


def test_no_district_rule_means_any_district() -> None:
    assert codes(facts(district=District.chongming), rules(allowed_districts=None)) == []


def test_district_programme_limits_scope_when_rules_name_none() -> None:
    open_rules = rules(allowed_districts=None)
    assert screen(facts(district=District.pudong), open_rules, TODAY, programme_district="changning").codes == [
        "district_out_of_scope"
    ]
    assert screen(GOOD, open_rules, TODAY, programme_district=District.changning).codes == []
    # Explicit districts win over the programme's own.
    assert screen(facts(district=District.xuhui), STRICT, TODAY, programme_district=District.changning).codes == []


# --- registration age ----------------------------------------------------------------------------------------------


def test_registration_age_boundary() -> None:
    two_years_ago = TODAY.replace(year=TODAY.year - 2)
    assert codes(facts(registered_on=two_years_ago)) == []
    result = screen(facts(registered_on=two_years_ago + timedelta(days=1)), STRICT, TODAY)
    assert result.codes == ["registered_too_recently"] and "2026-03-16 起满 2 年" in result.findings[0].reason


def test_registration_on_29_february() -> None:
    assert anniversary(date(2024, 2, 29), 1) == date(2025, 2, 28)
    assert anniversary(date(2024, 2, 29), 4) == date(2028, 2, 29)
    leap = facts(registered_on=date(2024, 2, 29))
    assert codes(leap, rules(min_registration_years=2), date(2026, 2, 28)) == []
    assert codes(leap, rules(min_registration_years=2), date(2026, 2, 27)) == ["registered_too_recently"]


def test_registration_date_missing_only_matters_when_age_is_required() -> None:
    assert codes(facts(registered_on=None)) == ["registration_date_missing"]
    assert codes(facts(registered_on=None), rules(min_registration_years=0)) == []


# --- evaluation grade ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("grade", "minimum", "ok"),
    [
        (EvaluationGrade.a3, "3A", True),
        (EvaluationGrade.a2, "3A", False),
        (EvaluationGrade.none, "3A", False),
        (EvaluationGrade.a5, "4A", True),
        (EvaluationGrade.a4, "5A", False),
        (EvaluationGrade.a5, "5A", True),
    ],
)
def test_minimum_grade(grade: EvaluationGrade, minimum: str, ok: bool) -> None:
    found = codes(facts(evaluation_grade=grade), rules(min_grade=minimum))
    assert found == ([] if ok else ["grade_too_low"])


def test_grade_must_still_be_valid_on_the_screening_day() -> None:
    assert codes(facts(grade_valid_until=TODAY)) == []
    result = screen(facts(grade_valid_until=TODAY - timedelta(days=1)), STRICT, TODAY)
    assert result.codes == ["grade_expired"] and "2026-03-14" in result.findings[0].reason
    assert codes(facts(grade_valid_until=None)) == ["grade_validity_unknown"]


def test_no_grade_rule_ignores_grade_and_its_validity() -> None:
    no_grade = facts(evaluation_grade=EvaluationGrade.none, grade_valid_until=date(2000, 1, 1))
    assert codes(no_grade, rules(min_grade=None)) == []


def test_grade_reason_names_both_grades() -> None:
    [finding] = screen(facts(evaluation_grade=EvaluationGrade.a2), rules(min_grade="4A"), TODAY).findings
    assert "4A 及以上" in finding.reason and "2A级" in finding.reason


# --- 活动异常名录 / 严重违法失信名单 ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "code"),
    [("abnormal_listed_on", "listed_abnormal"), ("serious_violation_listed_on", "listed_serious_violation")],
)
def test_credit_lists_at_screening_time(field: str, code: str) -> None:
    assert codes(facts(**{field: TODAY})) == [code]
    assert codes(facts(**{field: TODAY - timedelta(days=400)})) == [code]
    assert codes(facts(**{field: TODAY + timedelta(days=1)})) == []  # listed after the screening day
    assert codes(facts(**{field: None})) == []


def test_credit_lists_apply_to_filed_groups_too() -> None:
    assert codes(dataclasses.replace(GROUP, abnormal_listed_on=TODAY), EligibilityRules()) == ["listed_abnormal"]


# --- certificate ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("days_left", "expected", "eligible"),
    [
        (-1, ["certificate_expired"], False),  # expired yesterday
        (0, ["certificate_expiring"], True),  # last valid day is today
        (1, ["certificate_expiring"], True),
        (90, ["certificate_expiring"], True),  # the window's last day
        (91, [], True),
    ],
)
def test_certificate_expiry_edges(days_left: int, expected: list[str], eligible: bool) -> None:
    result = screen(facts(certificate_expires_on=TODAY + timedelta(days=days_left)), STRICT, TODAY)
    assert result.codes == expected and result.eligible is eligible
    if expected == ["certificate_expiring"]:
        assert result.findings[0].severity is Severity.warning


def test_certificate_warning_window_is_configurable() -> None:
    assert codes(facts(certificate_expires_on=TODAY), rules(certificate_warning_days=0)) == ["certificate_expiring"]
    assert codes(facts(certificate_expires_on=TODAY + timedelta(days=1)), rules(certificate_warning_days=0)) == []
    assert codes(facts(certificate_expires_on=TODAY + timedelta(days=30)), rules(certificate_warning_days=30)) == [
        "certificate_expiring"
    ]


def test_certificate_reasons() -> None:
    [today] = screen(facts(certificate_expires_on=TODAY), STRICT, TODAY).findings
    assert today.reason == "本组织登记证书将于今天到期，请及时办理换证"
    [soon] = screen(facts(certificate_expires_on=TODAY + timedelta(days=30)), STRICT, TODAY).findings
    assert soon.reason == "本组织登记证书将于 30 天后（2026-04-14）到期，请及时办理换证"
    [gone] = screen(facts(certificate_expires_on=TODAY - timedelta(days=1)), STRICT, TODAY).findings
    assert "已于 2026-03-14 过期" in gone.reason


def test_missing_certificate_date_is_a_warning() -> None:
    result = screen(facts(certificate_expires_on=None), STRICT, TODAY)
    assert result.codes == ["certificate_date_missing"] and result.eligible


# --- results -------------------------------------------------------------------------------------------------------


def test_every_failure_is_reported_in_rule_order() -> None:
    bad = OrganisationFacts(
        org_type=OrganisationType.foundation,
        district=District.pudong,
        credit_code="123",
        registered_on=TODAY,
        evaluation_grade=EvaluationGrade.a1,
        abnormal_listed_on=TODAY,
        serious_violation_listed_on=TODAY,
        certificate_expires_on=TODAY - timedelta(days=1),
    )
    assert codes(bad) == [
        "type_not_allowed",
        "credit_code_invalid",
        "district_out_of_scope",
        "registered_too_recently",
        "grade_too_low",
        "listed_abnormal",
        "listed_serious_violation",
        "certificate_expired",
    ]


def test_warnings_do_not_block() -> None:
    result = screen(facts(certificate_expires_on=TODAY + timedelta(days=10)), STRICT, TODAY)
    assert result.eligible and [f.severity for f in result.findings] == [Severity.warning]


def test_result_is_json_serialisable_and_round_trips() -> None:
    result = screen(facts(certificate_expires_on=TODAY, credit_code=None), STRICT, TODAY)
    data = json.loads(json.dumps(result.as_dict(), ensure_ascii=False))
    assert data["eligible"] is False and data["screened_on"] == "2026-03-15"
    assert [f["code"] for f in data["findings"]] == ["credit_code_invalid", "certificate_expiring"]
    assert {f["severity"] for f in data["findings"]} == {"ineligible", "warning"}
    assert all(f["reason"] for f in data["findings"])
    assert ScreeningResult.from_dict(data) == result


def test_facts_accept_database_strings() -> None:
    row = {
        "org_type": "social_association",
        "district": "xuhui",
        "credit_code": ASSOCIATION_CODE,
        "registered_on": date(2010, 1, 1),
        "evaluation_grade": "5A",
        "grade_valid_until": date(2030, 1, 1),
        "abnormal_listed_on": None,
        "serious_violation_listed_on": None,
        "certificate_expires_on": date(2030, 1, 1),
        "custodian": None,
    }
    org = OrganisationFacts.from_row(row)
    assert org.org_type is OrganisationType.social_association and org.evaluation_grade is EvaluationGrade.a5
    assert org.district is District.xuhui and codes(org) == []
    with pytest.raises(ValueError):
        OrganisationFacts(org_type="company", district="xuhui")  # type: ignore[arg-type]


# --- the rules model -----------------------------------------------------------------------------------------------


def test_rules_default_from_empty_json() -> None:
    default = EligibilityRules.model_validate({})
    assert set(default.allowed_types) == set(OrganisationType)
    assert (default.min_grade, default.min_registration_years, default.allowed_districts) == (None, 0, None)
    assert default.certificate_warning_days == 90


def test_rules_round_trip_through_json() -> None:
    stored = STRICT.model_dump(mode="json")
    assert stored["allowed_districts"] == ["changning", "xuhui"] and stored["min_grade"] == "3A"
    assert EligibilityRules.model_validate(json.loads(json.dumps(stored))) == STRICT


@pytest.mark.parametrize(
    "bad",
    [
        {"unknown_rule": True},
        {"min_grade": "2A"},
        {"min_grade": "none"},
        {"min_registration_years": -1},
        {"certificate_warning_days": 400},
        {"allowed_types": []},
        {"allowed_types": ["company"]},
        {"allowed_districts": ["beijing"]},
        {"allowed_districts": []},
    ],
)
def test_rules_refuse_bad_settings(bad: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        EligibilityRules.model_validate(bad)


def test_rules_deduplicate_and_describe_themselves_in_chinese() -> None:
    assert EligibilityRules.model_validate({"allowed_districts": ["xuhui", "xuhui"]}).allowed_districts == (
        District.xuhui,
    )
    schema = EligibilityRules.model_json_schema()
    assert schema["additionalProperties"] is False
    for name, prop in schema["properties"].items():
        assert any("\u4e00" <= ch <= "\u9fff" for ch in prop["description"]), name


def test_a_valid_code_of_another_type_or_authority_is_refused() -> None:
    # Regression (issue 11): a company's valid code (9…) or a foundation's (53…) passed for a 社会服务机构.
    for other in ("91350100M000100Y43", FOUNDATION_CODE):
        result = screen(facts(credit_code=other), STRICT, TODAY)
        assert result.codes == ["credit_code_invalid"] and not result.eligible


def test_unverified_facts_screen_as_pending_verification_not_as_pass() -> None:
    # Regression (issue 11): declared facts used to pass min_grade / min_registration_years as if verified.
    declared = facts(
        evaluation_grade=None,
        grade_valid_until=None,
        registered_on=None,
        certificate_expires_on=None,
        declared_evaluation_grade=EvaluationGrade.a5,
        declared_grade_valid_until=date(2030, 1, 1),
        declared_registered_on=date(2010, 1, 1),
        declared_certificate_expires_on=date(2030, 1, 1),
    )
    result = screen(declared, STRICT, TODAY)
    assert not result.eligible
    assert result.codes == ["facts_unverified", "facts_unverified", "facts_unverified"]
    assert [f.severity for f in result.findings] == [Severity.ineligible, Severity.ineligible, Severity.warning]
    assert all(f.reason.startswith("待核验") for f in result.findings)
    assert "2010-01-01" in result.findings[0].reason and "5A" in result.findings[1].reason
    # Without rules on grade or age only the certificate is unverified, which warns like a missing date.
    assert screen(declared, EligibilityRules(), TODAY).eligible
    # A grade verified, its validity only declared: still pending.
    half = dataclasses.replace(declared, evaluation_grade=EvaluationGrade.a4, registered_on=date(2010, 1, 1))
    assert codes(half) == ["facts_unverified", "facts_unverified"]


def test_a_declared_expired_certificate_is_the_organisations_own_admission() -> None:
    org = facts(certificate_expires_on=None, declared_certificate_expires_on=date(2026, 1, 1))
    assert codes(org) == ["certificate_expired"]


def test_a_declared_value_that_fails_a_rule_fails_it() -> None:
    pending = facts(evaluation_grade=None, registered_on=None)
    low = dataclasses.replace(pending, declared_evaluation_grade=EvaluationGrade.a2, declared_registered_on=TODAY)
    assert codes(low) == ["registered_too_recently", "grade_too_low"]
    assert "自报" in screen(low, STRICT, TODAY).findings[1].reason
