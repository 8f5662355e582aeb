"""Piccolo Admin: the officers' back office, mounted at /admin/ (Simplified Chinese by default).

The table configs (menu, list columns, filters, scope validators and hooks), the mount (``build_admin``) and the
chain of ASGI wrappers around it. Raw table edits never move a status (hooks in app.admin.scope refuse it); actions
with rules are forms (app.admin.forms) that call the same service functions as the API.
"""

from __future__ import annotations

from typing import Any

from piccolo.table import Table
from piccolo_admin.endpoints import TableConfig, create_admin

from app.admin.downloads import export_downloads
from app.admin.forms import FORMS
from app.admin.list_export import list_exports
from app.admin.list_export_button import list_export_button
from app.admin.localised import localised_admin
from app.admin.masking import masked_admin
from app.admin.overview.page import OVERVIEW_PATH, overview_pages
from app.admin.pages import admin_pages
from app.admin.picks import form_pickers, with_form_pickers
from app.admin.readables import install_readables
from app.admin.reference import REFERENCE, audited_writes, reference_hooks
from app.admin.scope import (
    scope_column,
    scope_hooks,
    scope_validators,
    scoped_admin,
)
from app.admin.users import user_ids_admin, user_table_config
from app.audit import AuditEntry
from app.auth.tables import Account
from app.notifications import Notification
from app.organisations.tables import Organisation, OrganisationClaim, OrganisationMember
from app.outbox import OutboxMessage
from app.settings import get_settings
from programmes.agreements.tables import Agreement
from programmes.attachments.tables import Attachment
from programmes.camps.tables import (
    Camp,
    CampCertificate,
    CampMaterial,
    CampRegistration,
    CampSession,
    SessionAttendance,
    SessionCheckinCode,
    SessionFeedback,
)
from programmes.draws.tables import InspectionDraw, InspectionFinding
from programmes.exports.tables import ExportJob
from programmes.fasttrack.tables import FastTrackInvitation
from programmes.incubation.tables import Cohort, IndicatorValue, ProjectIndicator, Replication, SupportedProject
from programmes.ledger.tables import LedgerEntry
from programmes.matching.tables import (
    Community,
    CommunityMember,
    DeliveryRecord,
    Demand,
    DemandBid,
    MatchingCase,
    MatchingSession,
    MatchingTag,
    MatchOrder,
    OfferVersion,
    OrderEvaluation,
    ServiceOffer,
    SessionPair,
    SessionUnmatched,
)
from programmes.matching.tables_delivery import DeliveryFile
from programmes.payees.tables import BankAccount
from programmes.prizes.tables import Prize, PrizeConfirmation, PrizeTier
from programmes.recommendations.tables import DistrictQuota, Recommendation, RecommendationClosure
from programmes.reports.tables import ProgressReport, ReportExpense
from programmes.resources.tables import ResourceIntroduction, ResourceOffer, ResourcePartner
from programmes.risk.tables import RiskWarning
from programmes.tables import (
    Application,
    Award,
    BudgetLine,
    Clawback,
    Criterion,
    Edition,
    FormVersion,
    FundSource,
    PaymentBatch,
    PaymentBatchItem,
    Programme,
    Round,
    SimulatedTransfer,
    Track,
    Tranche,
)
from scoring.mentors.tables import MentorMeeting, MentorProfile, MentorRating, Mentorship
from scoring.roadshow.tables import RoadshowPresentation, RoadshowSession, RoadshowVote
from scoring.tables import (
    ConflictOfInterest,
    ExpertAffiliation,
    ExpertProfile,
    Objection,
    Publication,
    RankingEntry,
    ReviewAssignment,
)

# (table, menu group, read-only, list columns). Business tables are read-only: their changes are forms calling the
# services. The only writable ones are reference tables (app.admin.reference.REFERENCE), through its audited hook.
MENU: list[tuple[type[Table], str, bool, list[str] | None]] = [
    (Organisation, "社会组织", True, ["id", "name", "org_type", "district", "street", "evaluation_grade"]),
    (OrganisationMember, "社会组织", True, None),
    (OrganisationClaim, "社会组织", True, ["id", "organisation", "claimant_name", "status", "created_at"]),
    (
        BankAccount,
        "社会组织",
        True,
        ["id", "organisation", "account_name", "bank_name", "account_number", "status", "verified_at"],
    ),
    (Programme, "项目与轮次", True, ["id", "name", "kind", "scope_district"]),
    (Edition, "项目与轮次", False, ["id", "programme", "year", "title"]),
    (Round, "项目与轮次", True, ["id", "edition", "name", "status", "opens_at", "closes_at", "blind"]),
    (FormVersion, "项目与轮次", True, ["id", "edition", "title", "created_at"]),
    (Criterion, "项目与轮次", True, ["id", "round", "code", "name", "weight", "max_score"]),
    (Track, "项目与轮次", True, ["id", "round", "name", "quota"]),
    (
        Application,
        "申报与评审",
        True,
        ["id", "round", "track", "organisation", "title", "status", "eligibility_outcome", "submitted_at"],
    ),
    (Attachment, "申报与评审", True, ["id", "application", "filename", "content_type", "size_bytes", "created_at"]),
    (
        ExportJob,
        "申报与评审",
        True,
        ["id", "kind", "round", "state", "rows_done", "rows_total", "created_at", "finished_at"],
    ),
    (ReviewAssignment, "申报与评审", True, ["id", "application", "expert", "status", "submitted_at"]),
    (RankingEntry, "申报与评审", True, ["id", "round", "rank", "application", "weighted_mean", "review_count"]),
    (ExpertProfile, "专家与评审", True, ["id", "expert", "domains", "district", "max_load_per_round"]),
    (ExpertAffiliation, "专家与评审", True, ["id", "expert", "organisation", "relation"]),
    (ConflictOfInterest, "专家与评审", True, ["id", "expert", "organisation", "source", "reason", "revoked_at"]),
    (Publication, "专家与评审", True, ["id", "round", "status", "starts_at", "ends_at"]),
    (Objection, "专家与评审", True, ["id", "publication", "application", "status", "created_at"]),
    # issue 15: 决赛路演 — read-only; setting up, drawing, the clock and ending are forms (app.admin.forms.roadshow).
    # The hidden seed (roadshow_seed) is never in the admin, like 双随机's.
    (
        RoadshowSession,
        "专家与评审",
        True,
        ["id", "round", "status", "seed_hash", "seed", "vote_weight_percent", "voting_open", "ended_at"],
    ),
    (
        RoadshowPresentation,
        "专家与评审",
        True,
        ["id", "session", "position", "application", "planned_minutes", "started_at", "stopped_at"],
    ),
    (RoadshowVote, "专家与评审", True, ["id", "session", "application", "created_at"]),
    (FundSource, "资金", False, ["id", "name", "kind"]),
    (BudgetLine, "资金", True, ["id", "edition", "fund_source", "amount_fen"]),
    (Award, "资金", True, ["id", "application", "budget_line", "amount_fen", "payee"]),
    (Tranche, "资金", True, ["id", "award", "match_order", "sequence", "amount_fen", "status"]),
    (PaymentBatch, "资金", True, ["id", "title", "status", "approved_by", "approved_at"]),
    (PaymentBatchItem, "资金", True, ["id", "batch", "tranche", "status", "provider_reference"]),
    (InspectionDraw, "资金", True, ["id", "edition", "status", "seed_hash", "seed", "redraw_reason", "created_at"]),
    (InspectionFinding, "资金", True, ["id", "draw", "award", "finding", "corrects", "created_at"]),
    (Clawback, "资金", True, ["id", "award", "amount_fen", "status", "due_on", "created_at"]),
    (RiskWarning, "资金", True, ["id", "kind", "subject_key", "detail", "status", "first_seen_at"]),
    (
        LedgerEntry,
        "资金",
        True,
        ["id", "kind", "award", "match_order", "tranche", "clawback", "amount_fen", "created_at"],
    ),
    (SimulatedTransfer, "资金", True, None),
    (
        Agreement,
        "协议与报告",
        True,
        ["id", "award", "status", "payee", "signer_name", "signed_at", "countersigned_at"],
    ),
    (
        ProgressReport,
        "协议与报告",
        True,
        ["id", "award", "kind", "sequence", "due_on", "status", "submitted_at", "reviewed_at"],
    ),
    (ReportExpense, "协议与报告", True, ["id", "report", "category", "description", "amount_fen", "spent_on"]),
    # issue 13: 聚力计划 — read-only; moderation, sessions and cases are forms (app.admin.forms.matching).
    (Community, "聚力计划", True, ["id", "name", "level", "district", "street"]),
    (CommunityMember, "聚力计划", True, None),
    (MatchingTag, "聚力计划", True, ["id", "code", "label_zh", "active"]),
    (
        Demand,
        "聚力计划",
        True,
        ["id", "community", "field", "title", "district", "street", "status", "providers_wanted", "published_at"],
    ),
    (ServiceOffer, "聚力计划", True, ["id", "organisation", "field", "title", "capacity", "status", "version"]),
    (OfferVersion, "聚力计划", True, ["id", "offer", "version", "created_at"]),
    (MatchingSession, "聚力计划", True, ["id", "title", "kind", "status", "scope_district", "published_at"]),
    (SessionPair, "聚力计划", True, ["id", "session", "demand", "offer", "score", "source"]),
    (SessionUnmatched, "聚力计划", True, ["id", "session", "demand", "reason_code", "detail_zh"]),
    (MatchOrder, "聚力计划", True, ["id", "demand", "offer", "organisation", "session", "status", "accepted_at"]),
    (DemandBid, "聚力计划", True, ["id", "demand", "offer", "organisation", "status", "created_at"]),
    (DeliveryRecord, "聚力计划", True, ["id", "order", "delivered_on", "activity", "beneficiaries_served"]),
    (OrderEvaluation, "聚力计划", True, ["id", "order", "overall", "comment", "responded_at"]),
    (DeliveryFile, "聚力计划", True, ["id", "order", "record", "filename", "content_type", "size_bytes"]),
    (MatchingCase, "聚力计划", True, ["id", "order", "title", "field", "status", "beneficiaries", "published_at"]),
    (Cohort, "沪社星耀", True, ["id", "edition", "name", "created_at"]),
    (SupportedProject, "沪社星耀", True, ["id", "cohort", "application", "organisation", "title", "status"]),
    (ProjectIndicator, "沪社星耀", True, ["id", "project", "name", "unit", "baseline", "target"]),
    (IndicatorValue, "沪社星耀", True, ["id", "indicator", "report", "value", "recorded_at"]),
    (Replication, "沪社星耀", True, ["id", "origin", "organisation", "district", "street", "status"]),
    (
        FastTrackInvitation,
        "沪社星耀",
        True,
        ["id", "origin_application", "round", "organisation", "application", "status", "created_at", "answered_at"],
    ),
    (Mentorship, "沪社星耀", True, ["id", "application", "mentor", "status", "assigned_by", "created_at"]),
    (MentorMeeting, "沪社星耀", True, ["id", "mentorship", "met_on", "topic", "follow_ups", "created_at"]),
    (MentorRating, "沪社星耀", True, ["id", "mentorship", "score", "comment", "created_at"]),
    # Mentor flags sit beside the expert profiles (no district of their own: city staff only, like the pool).
    (MentorProfile, "专家与评审", True, ["id", "expert", "mentor", "domains", "max_projects", "updated_at"]),
    (Camp, "训练营", True, ["id", "title", "kind", "audience", "capacity", "status", "scope_district"]),
    (CampSession, "训练营", True, ["id", "camp", "title", "session_date", "start_time", "end_time", "trainer"]),
    (CampMaterial, "训练营", True, ["id", "camp", "session", "filename", "content_type", "size_bytes", "created_at"]),
    (CampRegistration, "训练营", True, ["id", "camp", "organisation", "status", "waitlist_position", "created_at"]),
    # issue 15: 区级推荐 — read-only; quotas, recommendations and the forward are forms (admin.forms.recommendations).
    (DistrictQuota, "大赛阶段", True, ["id", "round", "district", "quota", "updated_at"]),
    (Recommendation, "大赛阶段", True, ["id", "round", "application", "district", "status", "created_at"]),
    (RecommendationClosure, "大赛阶段", True, ["id", "round", "next_round", "advanced", "not_advanced", "closed_at"]),
    # issue 15: prizes and resource links — read-only; confirming prizes and introducing winners are forms.
    (PrizeTier, "奖项与资源对接", True, ["id", "edition", "name", "position", "budget_line"]),
    (PrizeConfirmation, "奖项与资源对接", True, ["id", "edition", "round", "confirmed_by", "confirmed_at"]),
    (Prize, "奖项与资源对接", True, ["id", "tier", "application", "organisation", "rank", "amount_fen", "award"]),
    (ResourcePartner, "奖项与资源对接", True, ["id", "name", "kind", "scope_district", "created_at"]),
    (ResourceOffer, "奖项与资源对接", True, ["id", "partner", "kind", "title", "valid_from", "valid_until"]),
    (ResourceIntroduction, "奖项与资源对接", True, ["id", "offer", "prize", "status", "created_at"]),
    (
        SessionAttendance,
        "训练营",
        True,
        ["id", "session", "registration", "checked_in_at", "corrected_by", "reason"],
    ),
    # The code's hash never leaves the admin (app.admin.masking): a six-digit code falls to a million guesses.
    (SessionCheckinCode, "训练营", True, ["id", "session", "valid_from", "valid_until", "created_by", "created_at"]),
    (SessionFeedback, "训练营", True, ["id", "session", "registration", "rating", "comment", "created_at"]),
    (CampCertificate, "训练营", True, ["id", "registration", "verification_code", "issued_at"]),
    (AuditEntry, "系统", True, ["id", "created_at", "actor_id", "action", "object_type", "object_id"]),
    (OutboxMessage, "系统", True, ["id", "job_name", "job_key", "created_at", "delivered_at"]),
    (Notification, "系统", True, ["id", "user", "kind", "title", "created_at", "read_at"]),
]


# Tables without a scope column that every district shares; the other unscoped tables hold all districts' rows
# (members, criteria, audit, outbox, the bank's transfers) and are for city staff only.
SHARED_REFERENCE: set[type[Table]] = {FundSource, MatchingTag}


def _columns(table: type[Table], names: list[str] | None) -> Any:
    return [getattr(table, n) for n in names] if names else None


# Filters officers use to find applications (programme via round, district of the applicant, screening result).
FILTERS: dict[type[Table], list[str]] = {
    Application: ["round", "track", "organisation_district", "status", "eligibility_outcome", "organisation"],
    ExportJob: ["kind", "round", "state"],
    ProgressReport: ["status", "kind", "award"],
    RiskWarning: ["status", "kind"],
    Demand: ["status", "field", "district", "community"],
    MatchOrder: ["status", "session", "organisation"],
    MatchingCase: ["status", "field"],
    SessionAttendance: ["session", "registration"],
    FastTrackInvitation: ["status", "round"],
    Mentorship: ["status", "mentor"],
}


def _table_config(table: type[Table], group: str, read_only: bool, columns: list[str] | None) -> TableConfig:
    column = scope_column(table)
    if read_only == (table in REFERENCE):
        raise ValueError(f"{table._meta.tablename}: writable in the admin if and only if it is audited reference data")
    return TableConfig(
        table,
        menu_group=group,
        visible_columns=_columns(table, columns),
        visible_filters=_columns(table, FILTERS.get(table)),
        validators=scope_validators(
            table, column, read_only=read_only, city_only=column is None and table not in SHARED_REFERENCE
        ),
        # piccolo_api groups hooks with itertools.groupby (no sort): hooks of one type must be adjacent, or the later
        # group replaces the earlier. A stable sort keeps the scope hooks before the reference hook.
        hooks=sorted(
            scope_hooks(table, column) + (reference_hooks(table) if table in REFERENCE else []),
            key=lambda hook: hook.hook_type.value,
        ),
        # The link column stays the primary key: Piccolo Admin 1.14's list view crashes (isBoolean of an undefined
        # schema property) when "id" is a visible column but not the link column. Officers need the ids anyway
        # (the forms ask for batch and round numbers).
    )


def _account_config() -> TableConfig:
    """Accounts are read-only here: roles and districts change through the form 「调整账户角色」 (admins only).

    Accounts have no district of their own to filter by (only officers carry one), and the list holds every district's
    people: like the other unscoped tables, it is for city staff only.
    """
    return TableConfig(
        Account,
        menu_group="系统",
        visible_columns=[Account._meta.primary_key, Account.user, Account.role, Account.district, Account.display_name],
        validators=scope_validators(Account, None, read_only=True, city_only=True),
    )


def build_admin() -> Any:
    install_readables()  # names instead of ids for foreign keys (app.admin.readables)
    # The user table is registered (read-only) because every page with a foreign key to it asks for its ids.
    configs = [_account_config(), user_table_config()] + [_table_config(*entry) for entry in MENU]
    scoped = {t._meta.tablename: t for t, *_ in MENU if scope_column(t)}
    admin = create_admin(
        tables=configs,
        forms=FORMS,
        site_name="Seedbed 社会组织项目管理后台",
        default_language_code="zh-CN",
        auto_include_related=False,
        allowed_hosts=[],
        production=get_settings().production,
        # issue 16: the overview first (Piccolo Admin's home page is its own), then the application reader and the
        # rounds' screening lists (app.admin.overview, app.admin.pages), beside the tables.
        sidebar_links={
            "首页概览": OVERVIEW_PATH,
            "申报审阅与资格审查": "/admin/screening",
            "专家评审": "/admin/review",
            "公示与晋级": "/admin/publication",
            "资金管理": "/admin/money",
            "聚力计划对接": "/admin/matching",
            "沪社星耀与训练营": "/admin/incubation",
        },
    )
    # Piccolo's page loads one more script: the forms' dropdowns (app.admin.picks, docs/adr/0018).
    admin.template = with_form_pickers(admin.template)
    registered = {c.table_class._meta.tablename: c.table_class for c in configs}
    read_only = {name for name in registered if name not in {t._meta.tablename for t in REFERENCE}}
    # Outermost first: the list export's button in index.html; the lists as xlsx (they call the chain below, so
    # the list API's scope and masking apply to them); account numbers masked in every answer; the overview page;
    # the reader and screening pages; export downloads; the forms' per-officer choices and Chinese refusals;
    # district-scoped user ids; district scope; the Chinese names, 元 and Beijing times of the admin's own views
    # (app.admin.localised); innermost, each reference-table write runs in one transaction with its audit row.
    localised = localised_admin(audited_writes(admin), registered, read_only)
    inner = user_ids_admin(scoped_admin(localised, scoped))
    masked = masked_admin(
        overview_pages(admin_pages(export_downloads(form_pickers(inner, FORMS)))),
        [t for t, *_ in MENU],
    )
    return list_export_button(list_exports(masked, configs))
