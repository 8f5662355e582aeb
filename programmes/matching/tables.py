"""The 聚力计划 tables. Money is integer fen; periods are dates; every row carries the district that scopes it for
officers (``scope_district``, as elsewhere). Tags are codes from the officer-curated vocabulary (``MatchingTag``),
stored as arrays so "shares a tag" is one indexed ``&&`` in PostgreSQL (GIN indexes in the migration)."""

from __future__ import annotations

from enum import StrEnum

from piccolo.apps.user.tables import BaseUser
from piccolo.columns import (
    JSONB,
    Array,
    BigInt,
    Boolean,
    Date,
    ForeignKey,
    Integer,
    OnDelete,
    Serial,
    SmallInt,
    Text,
    Timestamptz,
    Varchar,
)
from piccolo.table import Table

from app.organisations.tables import Organisation
from app.reference import District
from programmes.tables import Application, BudgetLine, Round, Tranche


class DemandField(StrEnum):
    """The four fields the 2026 work points name."""

    rural_urban = "rural_urban"  # 城乡帮扶
    governance = "governance"  # 社区治理
    livelihood = "livelihood"  # 民生服务
    culture_sports = "culture_sports"  # 文体活动


FIELD_LABELS_ZH: dict[str, str] = {
    DemandField.rural_urban: "城乡帮扶",
    DemandField.governance: "社区治理",
    DemandField.livelihood: "民生服务",
    DemandField.culture_sports: "文体活动",
}


class CommunityLevel(StrEnum):
    street = "street"  # 街道/镇
    neighbourhood = "neighbourhood"  # 居委/村委


class Community(Table):
    """A 街道/镇 office or a 居委/村委: who publishes demands and confirms delivery."""

    id: Serial  # added by Piccolo; declared for the type checker
    name = Varchar(length=100, null=False)
    level = Varchar(length=16, choices=CommunityLevel, null=False)
    district = Varchar(length=16, choices=District, null=False)
    street = Varchar(length=100, null=False)  # 街镇 (for a 居委/村委: the street it belongs to)
    scope_district = Varchar(length=16, choices=District, null=True, default=None)  # = district
    created_by = ForeignKey(BaseUser, on_delete=OnDelete.restrict, null=True, default=None)
    created_at = Timestamptz()


class CommunityMember(Table):
    """A community account's user (role ``community``); one community per user."""

    id: Serial  # added by Piccolo; declared for the type checker
    community = ForeignKey(Community, on_delete=OnDelete.restrict, null=False)
    user = ForeignKey(BaseUser, on_delete=OnDelete.cascade, null=False, unique=True)
    created_at = Timestamptz()


class CommunityInvitation(Table):
    """A one-time code inviting someone to open an account of a community (like a password reset code: only its
    SHA-256 is stored, it expires, and it is used once)."""

    id: Serial  # added by Piccolo; declared for the type checker
    community = ForeignKey(Community, on_delete=OnDelete.cascade, null=False)
    email = Varchar(length=254, default="")
    mobile = Varchar(length=11, default="")
    display_name = Varchar(length=100, default="")
    token_hash = Varchar(length=64, null=False, unique=True)
    expires_at = Timestamptz(null=False)
    used_at = Timestamptz(null=True, default=None)
    accepted_by = ForeignKey(BaseUser, on_delete=OnDelete.set_null, null=True, default=None)
    scope_district = Varchar(length=16, choices=District, null=True, default=None)
    created_by = ForeignKey(BaseUser, on_delete=OnDelete.restrict, null=True, default=None)
    created_at = Timestamptz()


class MatchingTag(Table):
    """The shared tag vocabulary, curated by officers (e.g. ``community_org`` 社区社会组织)."""

    id: Serial  # added by Piccolo; declared for the type checker
    code = Varchar(length=40, null=False, unique=True)
    label_zh = Varchar(length=40, null=False)
    active = Boolean(default=True, null=False)
    created_at = Timestamptz()


class Demand(Table):
    """One entry of a community's demand list (需求清单)."""

    id: Serial  # added by Piccolo; declared for the type checker
    community = ForeignKey(Community, on_delete=OnDelete.restrict, null=False)
    field = Varchar(length=16, choices=DemandField, null=False)
    tags = Array(Varchar(length=40), default=[])
    title = Varchar(length=200, null=False)
    description = Text(default="")
    district = Varchar(length=16, choices=District, null=False)
    street = Varchar(length=100, null=False)
    paired_area = Varchar(length=100, default="")  # 城乡帮扶: the paired area, e.g. an 对口援助 county
    beneficiary_group = Varchar(length=100, default="")
    expected_beneficiaries = Integer(null=True, default=None)
    period_start = Date(null=False)
    period_end = Date(null=False)
    # A budget range in fen, or none (in-kind: 无资金，以资源/志愿服务形式).
    budget_min_fen = BigInt(null=True, default=None)
    budget_max_fen = BigInt(null=True, default=None)
    providers_wanted = SmallInt(default=1, null=False)  # how many organisations may take it
    cross_district = Boolean(default=False, null=False)  # organisations from other districts may take it
    contact_name = Varchar(length=50, default="")
    contact_phone = Varchar(length=20, default="")
    status = Varchar(length=16, null=False, default="draft")
    rejected_reason = Varchar(length=1000, default="")
    # 复制自案例: the case this demand replicates. A plain id here, its foreign key is added by the constraints
    # migration: case → order → demand → case would be a cycle Piccolo cannot order when creating the tables.
    source_case = Integer(null=True, default=None)
    import_batch = Varchar(length=40, default="")  # the xlsx import it came from, if any
    scope_district = Varchar(length=16, choices=District, null=True, default=None)
    created_by = ForeignKey(BaseUser, on_delete=OnDelete.restrict, null=True, default=None)
    submitted_at = Timestamptz(null=True, default=None)
    published_at = Timestamptz(null=True, default=None)
    created_at = Timestamptz()
    updated_at = Timestamptz()


class ServiceOffer(Table):
    """An organisation's service offer; edits after approval write an ``OfferVersion`` first."""

    id: Serial  # added by Piccolo; declared for the type checker
    organisation = ForeignKey(Organisation, on_delete=OnDelete.restrict, null=False)
    # The 聚力计划 registration (matching application) the offer came from, if any.
    registration = ForeignKey(Application, on_delete=OnDelete.restrict, null=True, default=None)
    field = Varchar(length=16, choices=DemandField, null=False)
    tags = Array(Varchar(length=40), default=[])
    title = Varchar(length=200, null=False)
    description = Text(default="")
    city_wide = Boolean(default=False, null=False)
    districts_served = Array(Varchar(length=16), default=[])
    capacity = SmallInt(default=1, null=False)  # concurrent orders (accepted or in delivery)
    price_min_fen = BigInt(null=True, default=None)  # both null: free (公益无偿)
    price_max_fen = BigInt(null=True, default=None)
    delivery_days = SmallInt(null=True, default=None)
    version = Integer(default=1, null=False)
    status = Varchar(length=16, null=False, default="draft")
    decision_reason = Varchar(length=1000, default="")
    scope_district = Varchar(length=16, choices=District, null=True, default=None)  # the organisation's district
    created_by = ForeignKey(BaseUser, on_delete=OnDelete.restrict, null=True, default=None)
    approved_at = Timestamptz(null=True, default=None)
    created_at = Timestamptz()
    updated_at = Timestamptz()


class OfferVersion(Table):
    """What an approved offer said before an edit (version n), so orders can show what was agreed."""

    id: Serial  # added by Piccolo; declared for the type checker
    offer = ForeignKey(ServiceOffer, on_delete=OnDelete.restrict, null=False)
    version = Integer(null=False)
    snapshot = JSONB(default={})
    created_at = Timestamptz()


class SessionKind(StrEnum):
    general = "general"  # 交流对接活动
    special = "special"  # 专场, e.g. 聚力计划社区社会组织专场 (restricted by tag or organisation type)


class MatchingSession(Table):
    """A matching session over the open demands and approved offers in its scope."""

    id: Serial  # added by Piccolo; declared for the type checker
    title = Varchar(length=200, null=False)
    kind = Varchar(length=16, choices=SessionKind, default=SessionKind.general, null=False)
    round = ForeignKey(Round, on_delete=OnDelete.restrict, null=True, default=None)  # a 聚力计划 round, if any
    required_tags = Array(Varchar(length=40), default=[])  # 专场: offers must carry one of these
    organisation_types = Array(Varchar(length=40), default=[])  # 专场: only these organisation types
    rules = JSONB(default={})  # solver rules: unmatched penalty, forbid own-street centres, …
    status = Varchar(length=16, null=False, default="draft")
    scope_district = Varchar(length=16, choices=District, null=True, default=None)
    created_by = ForeignKey(BaseUser, on_delete=OnDelete.restrict, null=True, default=None)
    previewed_at = Timestamptz(null=True, default=None)
    published_at = Timestamptz(null=True, default=None)
    created_at = Timestamptz()


class SessionPair(Table):
    """One pair of a session's matching preview (the solver's or an officer's), with the score's terms."""

    id: Serial  # added by Piccolo; declared for the type checker
    session = ForeignKey(MatchingSession, on_delete=OnDelete.cascade, null=False)
    demand = ForeignKey(Demand, on_delete=OnDelete.restrict, null=False)
    offer = ForeignKey(ServiceOffer, on_delete=OnDelete.restrict, null=False)
    score = Integer(null=False)  # the solver's integer score (terms in ``terms``)
    terms = JSONB(default={})
    source = Varchar(length=16, default="solver", null=False)  # solver | officer
    created_at = Timestamptz()


class SessionUnmatched(Table):
    """A demand the session's matching left without a provider, and why."""

    id: Serial  # added by Piccolo; declared for the type checker
    session = ForeignKey(MatchingSession, on_delete=OnDelete.cascade, null=False)
    demand = ForeignKey(Demand, on_delete=OnDelete.restrict, null=False)
    reason_code = Varchar(length=40, null=False)  # stable code, e.g. no_candidate, capacity_taken (problem.py)
    detail_zh = Varchar(length=500, default="")
    created_at = Timestamptz()


class MatchOrder(Table):
    """An order (订单): one offer serving one demand, from match to evaluation."""

    id: Serial  # added by Piccolo; declared for the type checker
    demand = ForeignKey(Demand, on_delete=OnDelete.restrict, null=False)
    offer = ForeignKey(ServiceOffer, on_delete=OnDelete.restrict, null=False)
    organisation = ForeignKey(Organisation, on_delete=OnDelete.restrict, null=False)
    session = ForeignKey(MatchingSession, on_delete=OnDelete.restrict, null=True, default=None)  # None: direct
    offer_version = Integer(default=1, null=False)
    score = Integer(null=True, default=None)
    status = Varchar(length=16, null=False, default="matched")
    decision_reason = Varchar(length=1000, default="")
    # Government purchase of services: the obligation on a budget line and the tranche that pays it.
    budget_line = ForeignKey(BudgetLine, on_delete=OnDelete.restrict, null=True, default=None)
    amount_fen = BigInt(null=True, default=None)
    tranche = ForeignKey(Tranche, on_delete=OnDelete.restrict, null=True, default=None)
    # Who receives the money: the organisation, or for a filed group its custodian centre (财务代管), as for awards.
    payee = ForeignKey(Organisation, on_delete=OnDelete.restrict, null=True, default=None)
    scope_district = Varchar(length=16, choices=District, null=True, default=None)  # the demand's district
    accepted_at = Timestamptz(null=True, default=None)
    delivered_at = Timestamptz(null=True, default=None)
    evaluated_at = Timestamptz(null=True, default=None)
    created_at = Timestamptz()


class DemandBid(Table):
    """An organisation applying to take a published demand directly (申请承接); the community chooses."""

    id: Serial  # added by Piccolo; declared for the type checker
    demand = ForeignKey(Demand, on_delete=OnDelete.restrict, null=False)
    offer = ForeignKey(ServiceOffer, on_delete=OnDelete.restrict, null=False)
    organisation = ForeignKey(Organisation, on_delete=OnDelete.restrict, null=False)
    message = Varchar(length=1000, default="")
    status = Varchar(length=16, null=False, default="pending")
    order = ForeignKey(MatchOrder, on_delete=OnDelete.restrict, null=True, default=None)
    scope_district = Varchar(length=16, choices=District, null=True, default=None)
    created_by = ForeignKey(BaseUser, on_delete=OnDelete.restrict, null=True, default=None)
    created_at = Timestamptz()


class DeliveryRecord(Table):
    """What was delivered on one day of an order (dates, activity, people served); files attach to it."""

    id: Serial  # added by Piccolo; declared for the type checker
    order = ForeignKey(MatchOrder, on_delete=OnDelete.restrict, null=False)
    delivered_on = Date(null=False)
    activity = Varchar(length=500, null=False)
    beneficiaries_served = Integer(default=0, null=False)
    notes = Text(default="")
    scope_district = Varchar(length=16, choices=District, null=True, default=None)
    created_by = ForeignKey(BaseUser, on_delete=OnDelete.restrict, null=True, default=None)
    created_at = Timestamptz()


class OrderEvaluation(Table):
    """The community's evaluation of a delivered order (one per order), and the organisation's one response."""

    id: Serial  # added by Piccolo; declared for the type checker
    order = ForeignKey(MatchOrder, on_delete=OnDelete.restrict, null=False, unique=True)
    ratings = JSONB(default={})  # aspect -> 1..5 (quality, timeliness, communication, effect)
    overall = SmallInt(null=False)  # 1..5
    comment = Varchar(length=5000, default="")  # the same bound as a review comment
    response = Varchar(length=1000, default="")
    responded_at = Timestamptz(null=True, default=None)
    scope_district = Varchar(length=16, choices=District, null=True, default=None)
    created_by = ForeignKey(BaseUser, on_delete=OnDelete.restrict, null=True, default=None)
    created_at = Timestamptz()


class MatchingCase(Table):
    """A replicable case (可复制、可推广的优秀项目案例) promoted from an evaluated order."""

    id: Serial  # added by Piccolo; declared for the type checker
    order = ForeignKey(MatchOrder, on_delete=OnDelete.restrict, null=False, unique=True)
    title = Varchar(length=200, null=False)
    summary = Text(default="")
    field = Varchar(length=16, choices=DemandField, null=False)
    tags = Array(Varchar(length=40), default=[])
    outcomes = Text(default="")
    beneficiaries = Integer(default=0, null=False)
    photo_ids = Array(Integer(), default=[])  # attachments of the order's delivery records
    status = Varchar(length=16, null=False, default="draft")
    withdrawn_reason = Varchar(length=1000, default="")  # migration 2026-12-01T16:10:05
    scope_district = Varchar(length=16, choices=District, null=True, default=None)
    created_by = ForeignKey(BaseUser, on_delete=OnDelete.restrict, null=True, default=None)
    published_at = Timestamptz(null=True, default=None)
    created_at = Timestamptz()
