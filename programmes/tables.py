"""Piccolo tables of the programmes app.

``scope_district`` is copied from the programme onto every row below it (empty for city-level programmes). It never
changes after creation, and it lets one equality filter scope rows for district officers in both the API and the
admin (see docs/adr/0002-scope-district.md).
"""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING

from piccolo.apps.user.tables import BaseUser
from piccolo.columns import (
    JSONB,
    BigInt,
    Boolean,
    Date,
    ForeignKey,
    Integer,
    OnDelete,
    Serial,
    Text,
    Timestamptz,
    Varchar,
)
from piccolo.columns.reference import LazyTableReference
from piccolo.table import Table

from app.organisations.tables import Organisation
from app.reference import District
from programmes.payees.tables import BankAccount

if TYPE_CHECKING:
    from programmes.draws.tables import InspectionDraw
    from programmes.matching.tables import MatchOrder

# Re-exported: the enums live in programmes/kinds.py, apart from the database layer (pure rules use them).
from programmes.kinds import AwardType as AwardType
from programmes.kinds import ExpenseCategory as ExpenseCategory
from programmes.kinds import FundSourceKind as FundSourceKind
from programmes.kinds import ReleaseCondition as ReleaseCondition
from programmes.kinds import RoundStage as RoundStage


class ProgrammeKind(StrEnum):
    contest = "contest"  # 公益创新创业大赛
    support_plan = "support_plan"  # 沪社星耀
    matching = "matching"  # 聚力计划


class Programme(Table):
    id: Serial  # added by Piccolo; declared for the type checker
    name = Varchar(length=200, null=False)
    kind = Varchar(length=16, choices=ProgrammeKind, null=False)
    scope_district = Varchar(length=16, choices=District, null=True, default=None)
    description = Text(default="")
    # Extra conflict-of-interest rules of this programme: "same_street" (expert and applicant in one 街镇),
    # "same_district".
    conflict_rules = JSONB(default=[])
    created_at = Timestamptz()


class Edition(Table):
    id: Serial  # added by Piccolo; declared for the type checker
    programme = ForeignKey(Programme, on_delete=OnDelete.restrict, null=False)
    year = Integer(null=False)
    title = Varchar(length=200, null=False)
    scope_district = Varchar(length=16, choices=District, null=True, default=None)
    # JSON Schema of the milestone and final report form (中期/结项报告); empty = the default form in
    # programmes.reports.form.
    report_schema = JSONB(default={})
    created_at = Timestamptz()


class FormVersion(Table):
    """A JSON Schema (draft 2020-12) application form. Immutable once a round uses it."""

    id: Serial  # added by Piccolo; declared for the type checker
    edition = ForeignKey(Edition, on_delete=OnDelete.restrict, null=False)
    title = Varchar(length=200, null=False)
    json_schema = JSONB(null=False)
    scope_district = Varchar(length=16, choices=District, null=True, default=None)
    created_at = Timestamptz()


class Round(Table):
    id: Serial  # added by Piccolo; declared for the type checker
    edition = ForeignKey(Edition, on_delete=OnDelete.restrict, null=False)
    name = Varchar(length=100, null=False)  # e.g. 初赛
    status = Varchar(length=16, null=False, default="draft")
    form = ForeignKey(FormVersion, on_delete=OnDelete.restrict, null=True, default=None)
    opens_at = Timestamptz(null=False)
    closes_at = Timestamptz(null=False)
    blind = Boolean(default=True)
    # How the ranking is made: weighted_mean | median | trimmed_mean | calibrated (docs/scoring.md).
    aggregation_method = Varchar(length=16, default="weighted_mean")
    # Tie-break keys after the method's score, in order (scoring.aggregation.TIE_BREAK_KEYS; docs/scoring.md).
    tie_break = JSONB(default=["criteria", "spread", "submitted_at", "id"])
    reviews_per_application = Integer(default=3)
    # programmes.eligibility.EligibilityRules as JSON; empty = no automatic screening rules.
    eligibility_rules = JSONB(default={})
    # False: one application per organisation per round and track.
    allow_multiple_entries = Boolean(default=False)
    attachment_types = JSONB(default=["pdf", "docx", "xlsx", "jpg", "png"])
    max_attachment_bytes = BigInt(default=20 * 1024 * 1024)
    max_application_attachment_bytes = BigInt(default=100 * 1024 * 1024)
    scope_district = Varchar(length=16, choices=District, null=True, default=None)
    created_at = Timestamptz()
    # The stage this round is in its edition and its place in the order (programmes.kinds.RoundStage).
    stage = Varchar(length=24, choices=RoundStage, default=RoundStage.call)
    position = Integer(default=0)


class Track(Table):
    """赛道: a lane of a round with its own quota of places."""

    id: Serial  # added by Piccolo; declared for the type checker
    round = ForeignKey(Round, on_delete=OnDelete.cascade, null=False)
    name = Varchar(length=100, null=False)
    quota = Integer(null=True, default=None)
    position = Integer(default=0)
    scope_district = Varchar(length=16, choices=District, null=True, default=None)


class Criterion(Table):
    """One weighted rubric criterion of a round. Scores are integers 0..max_score."""

    id: Serial  # added by Piccolo; declared for the type checker
    round = ForeignKey(Round, on_delete=OnDelete.cascade, null=False)
    code = Varchar(length=50, null=False)
    name = Varchar(length=100, null=False)
    weight = Integer(null=False)
    max_score = Integer(null=False)
    position = Integer(default=0)
    allow_na = Boolean(default=False)  # 不适用 allowed: weights renormalise over the answered criteria
    # A comment is required when this criterion is scored below the threshold (None: never required).
    comment_below = Integer(null=True, default=None)
    anchors = JSONB(default={})  # {"90": "优秀：…", "60": "合格：…"} anchor text per level


class Application(Table):
    id: Serial  # added by Piccolo; declared for the type checker
    round = ForeignKey(Round, on_delete=OnDelete.restrict, null=False)
    track = ForeignKey(Track, on_delete=OnDelete.restrict, null=True, default=None)
    organisation = ForeignKey(Organisation, on_delete=OnDelete.restrict, null=False)
    # 1 unless the round allows several entries per organisation and track (unique index in the migration).
    entry_number = Integer(default=1)
    title = Varchar(length=200, null=False)
    status = Varchar(length=16, null=False, default="draft")
    answers = JSONB(default={})
    # Frozen at submission: the form version and the answers exactly as submitted.
    form_version = ForeignKey(FormVersion, on_delete=OnDelete.restrict, null=True, default=None)
    submitted_answers = JSONB(null=True, default=None)
    submitted_at = Timestamptz(null=True, default=None)
    # Latest eligibility screening (programmes.eligibility.ScreeningResult.as_dict()).
    eligibility = JSONB(null=True, default=None)
    eligibility_outcome = Varchar(length=16, default="not_screened")  # not_screened|eligible|ineligible|overridden
    eligibility_override_reason = Text(default="")
    returned_reason = Text(default="")
    organisation_district = Varchar(length=16, choices=District, null=True, default=None)
    created_by = ForeignKey(BaseUser, on_delete=OnDelete.restrict, null=True, default=None)
    scope_district = Varchar(length=16, choices=District, null=True, default=None)
    created_at = Timestamptz()
    updated_at = Timestamptz()
    # A filed group's application is made by its custodian centre (财务代管): recorded when the draft is created, so
    # screening does not depend on whether its creator is still one of the centre's members.
    applied_via = ForeignKey(Organisation, on_delete=OnDelete.restrict, null=True, default=None)
    # The entry this one was carried from: the previous stage's entry it advanced from, or the supported project's
    # application sent to a graduation round. One carried entry per source and round (unique index).
    carried_from: ForeignKey[Application] = ForeignKey("self", on_delete=OnDelete.restrict, null=True, default=None)


class FundSource(Table):
    id: Serial  # added by Piccolo; declared for the type checker
    name = Varchar(length=200, null=False)
    kind = Varchar(length=16, choices=FundSourceKind, null=False)


class BudgetLine(Table):
    """Money an edition may obligate from one fund source, in fen (分)."""

    id: Serial  # added by Piccolo; declared for the type checker
    edition = ForeignKey(Edition, on_delete=OnDelete.restrict, null=False)
    fund_source = ForeignKey(FundSource, on_delete=OnDelete.restrict, null=False)
    amount_fen = BigInt(null=False)
    scope_district = Varchar(length=16, choices=District, null=True, default=None)
    created_at = Timestamptz()


class Award(Table):
    id: Serial  # added by Piccolo; declared for the type checker
    application = ForeignKey(Application, on_delete=OnDelete.restrict, null=False, unique=True)
    budget_line = ForeignKey(BudgetLine, on_delete=OnDelete.restrict, null=False)
    amount_fen = BigInt(null=False)
    award_type = Varchar(length=16, choices=AwardType, default=AwardType.reward)
    status = Varchar(length=16, null=False, default="active")
    # Who receives the money: the organisation, or for a filed group its custodian centre (财务代管).
    payee = ForeignKey(Organisation, on_delete=OnDelete.restrict, null=False)
    scope_district = Varchar(length=16, choices=District, null=True, default=None)
    created_at = Timestamptz()


class Tranche(Table):
    """One instalment of an award's payment plan, or the one payment of a 聚力计划 order (政府购买服务): exactly one
    of ``award`` and ``match_order`` is set (CHECK ``tranche_award_or_order``)."""

    id: Serial  # added by Piccolo; declared for the type checker
    award = ForeignKey(Award, on_delete=OnDelete.restrict, null=True, default=None)
    # Lazy: orders live in their own room (programmes.matching.tables), which imports this module. One per order.
    match_order: ForeignKey[MatchOrder] = ForeignKey(
        LazyTableReference("MatchOrder", module_path="programmes.matching.tables"),
        on_delete=OnDelete.restrict,
        null=True,
        default=None,
        unique=True,
    )
    sequence = Integer(null=False)
    amount_fen = BigInt(null=False)
    status = Varchar(length=16, null=False, default="planned")
    release_condition = Varchar(length=16, choices=ReleaseCondition, default=ReleaseCondition.on_signing)
    # The milestone report number whose acceptance releases this tranche (release_condition = milestone).
    milestone = Integer(null=True, default=None)
    released_at = Timestamptz(null=True, default=None)
    scope_district = Varchar(length=16, choices=District, null=True, default=None)
    created_at = Timestamptz()


class PaymentBatch(Table):
    id: Serial  # added by Piccolo; declared for the type checker
    title = Varchar(length=200, null=False)
    status = Varchar(length=16, null=False, default="draft")
    # Who built the batch: four-eyes (双人复核) means the approver is someone else (trigger in the migration).
    # Null only on batches built before the rule, which the trigger then refuses to approve.
    created_by = ForeignKey(BaseUser, on_delete=OnDelete.restrict, null=True, default=None)
    approved_by = ForeignKey(BaseUser, on_delete=OnDelete.restrict, null=True, default=None)
    approved_at = Timestamptz(null=True, default=None)
    scope_district = Varchar(length=16, choices=District, null=True, default=None)
    created_at = Timestamptz()


class PaymentBatchItem(Table):
    """A tranche in a batch. A tranche is in at most one live batch (unique index in the migration)."""

    id: Serial  # added by Piccolo; declared for the type checker
    batch = ForeignKey(PaymentBatch, on_delete=OnDelete.restrict, null=False)
    tranche = ForeignKey(Tranche, on_delete=OnDelete.restrict, null=False)
    status = Varchar(length=16, null=False, default="pending")  # pending | paid | failed
    provider_reference = Varchar(length=100, default="")
    error = Varchar(length=500, default="")
    # The payee's verified account the money was sent to (recorded when paid: an account change applies later on).
    payee_account = ForeignKey(BankAccount, on_delete=OnDelete.restrict, null=True, default=None)
    scope_district = Varchar(length=16, choices=District, null=True, default=None)


class Clawback(Table):
    """追回: after an audit finding, money already paid is demanded back; refunds are ledger ``refund`` entries."""

    id: Serial  # added by Piccolo; declared for the type checker
    award = ForeignKey(Award, on_delete=OnDelete.restrict, null=False)
    amount_fen = BigInt(null=False)
    finding = Text(null=False)  # the audit finding this rests on
    # Lazy: the draw lives in its own room (programmes.draws.tables), which imports this module.
    inspection_draw: ForeignKey[InspectionDraw] = ForeignKey(
        LazyTableReference("InspectionDraw", module_path="programmes.draws.tables"),
        on_delete=OnDelete.restrict,
        null=True,
        default=None,
    )
    status = Varchar(length=16, null=False, default="demanded")  # workflows.supervision.CLAWBACK
    demanded_by = ForeignKey(BaseUser, on_delete=OnDelete.restrict, null=True, default=None)
    due_on = Date(null=True, default=None)
    scope_district = Varchar(length=16, choices=District, null=True, default=None)
    created_at = Timestamptz()


class SimulatedTransfer(Table):
    """The simulated payment provider's own records (stands in for the bank's side)."""

    id: Serial  # added by Piccolo; declared for the type checker
    idempotency_key = Varchar(length=100, null=False, unique=True)
    payee_name = Varchar(length=200, null=False)
    account_number = Varchar(length=40, default="")
    amount_fen = BigInt(null=False)
    reference = Varchar(length=100, null=False)
    created_at = Timestamptz()
