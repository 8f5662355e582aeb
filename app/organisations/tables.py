"""The organisation registry (申报主体)."""

from __future__ import annotations

from enum import StrEnum

from piccolo.apps.user.tables import BaseUser
from piccolo.columns import Date, ForeignKey, OnDelete, Serial, Text, Timestamptz, Varchar
from piccolo.table import Table

# Re-exported: the enums live in app/organisations/kinds.py, apart from the database layer (eligibility uses them).
from app.organisations.kinds import REGISTERED_TYPES as REGISTERED_TYPES
from app.organisations.kinds import EvaluationGrade as EvaluationGrade
from app.organisations.kinds import OrganisationType as OrganisationType
from app.reference import District


class Organisation(Table):
    id: Serial  # added by Piccolo; declared for the type checker
    name = Varchar(length=200, null=False)
    org_type = Varchar(length=32, choices=OrganisationType, null=False)
    # 统一社会信用代码; empty only for filed community groups (备案类), which have none.
    credit_code = Varchar(length=18, null=True, default=None, unique=True)
    district = Varchar(length=16, choices=District, null=False)
    street = Varchar(length=100, default="")  # 街镇
    # Filed groups apply and get paid through their street's service centre (财务代管).
    custodian: ForeignKey[Organisation] = ForeignKey("self", on_delete=OnDelete.restrict, null=True, default=None)
    # Set by an officer: this social service institution is the 街镇社会组织服务中心 of that street, listed publicly
    # for filed groups to choose as custodian (one per district and street; unique index in the migration).
    serves_street = Varchar(length=100, null=True, default=None)
    # The four facts screening trusts are VERIFIED values (an officer's check or the registry import, provenance in
    # ``OrganisationFactVerification``); NULL means not verified yet (待核验). What the organisation itself said at
    # registration is kept in the ``declared_*`` columns and is never used to pass a rule.
    evaluation_grade = Varchar(length=4, choices=EvaluationGrade, null=True, default=None)
    grade_valid_until = Date(null=True, default=None)
    registered_on = Date(null=True, default=None)  # 成立登记日期
    certificate_expires_on = Date(null=True, default=None)
    declared_evaluation_grade = Varchar(length=4, choices=EvaluationGrade, null=True, default=None)
    declared_grade_valid_until = Date(null=True, default=None)
    declared_registered_on = Date(null=True, default=None)
    declared_certificate_expires_on = Date(null=True, default=None)
    abnormal_listed_on = Date(null=True, default=None)  # 活动异常名录
    serious_violation_listed_on = Date(null=True, default=None)  # 严重违法失信名单
    created_at = Timestamptz()


class OrganisationMember(Table):
    """An applicant account acting for an organisation."""

    id: Serial  # added by Piccolo; declared for the type checker
    user = ForeignKey(BaseUser, on_delete=OnDelete.cascade, null=False)
    organisation = ForeignKey(Organisation, on_delete=OnDelete.cascade, null=False)
    created_at = Timestamptz()


class FactSource(StrEnum):
    officer = "officer"  # an officer checked the certificate or the registry's record (核验)
    registry = "registry"  # the 社会组织 registry import (seedbed import-registry / admin upload)


class OrganisationFactVerification(Table):
    """Who verified one of an organisation's screening facts, when and from what (one row per organisation and
    fact, replaced by the next verification; the audit log keeps every one before and after)."""

    id: Serial  # added by Piccolo; declared for the type checker
    organisation = ForeignKey(Organisation, on_delete=OnDelete.cascade, null=False)
    fact = Varchar(length=32, null=False)  # a column of Organisation: evaluation_grade, registered_on, ...
    value = Varchar(length=40, null=True, default=None)  # ISO date or grade as verified; NULL: verified as none
    source = Varchar(length=16, choices=FactSource, null=False)
    verified_by = ForeignKey(BaseUser, on_delete=OnDelete.restrict, null=True, default=None)
    verified_at = Timestamptz()
    reference = Text(default="")  # the officer's reason or the import file and row


class OrganisationClaim(Table):
    """认领: the real holder of a credit code asks to take over the organisation registered under it. An officer
    approves (membership moves to the claimant) or rejects; workflow ``app.organisations.workflow.CLAIM``."""

    id: Serial  # added by Piccolo; declared for the type checker
    organisation = ForeignKey(Organisation, on_delete=OnDelete.cascade, null=False)
    claimant = ForeignKey(BaseUser, on_delete=OnDelete.cascade, null=False)
    claimant_name = Varchar(length=200, null=False)  # the organisation's name as the claimant gives it
    evidence = Text(default="")
    status = Varchar(length=16, null=False, default="pending")
    decided_by = ForeignKey(BaseUser, on_delete=OnDelete.restrict, null=True, default=None)
    decided_at = Timestamptz(null=True, default=None)
    decision_reason = Text(default="")
    scope_district = Varchar(length=16, choices=District, null=True, default=None)
    created_at = Timestamptz()
