"""Piccolo tables of the scoring app."""

from __future__ import annotations

from piccolo.apps.user.tables import BaseUser
from piccolo.columns import (
    JSONB,
    Boolean,
    Date,
    ForeignKey,
    Integer,
    Numeric,
    OnDelete,
    Serial,
    Text,
    Timestamptz,
    Varchar,
)
from piccolo.table import Table

from app.organisations.tables import Organisation
from app.reference import District
from programmes.tables import Application, Round


class ReviewAssignment(Table):
    """An expert asked to review one application. One row per (application, expert): unique in the migration."""

    id: Serial  # added by Piccolo; declared for the type checker
    application = ForeignKey(Application, on_delete=OnDelete.restrict, null=False)
    expert = ForeignKey(BaseUser, on_delete=OnDelete.restrict, null=False)
    status = Varchar(length=16, null=False, default="assigned")  # assigned | submitted
    # {criterion_code: integer score}; exact integers so rankings never depend on float rounding.
    scores = JSONB(default={})
    comment = Text(default="")
    # The expert lets the applicant read ``comment`` (anonymised, after the 公示 ends: scoring.feedback); off unless
    # the expert says so when saving or submitting.
    comment_shareable = Boolean(default=False, null=False)
    submitted_at = Timestamptz(null=True, default=None)
    due_at = Timestamptz(null=True, default=None)
    # Why the solver chose this pair (affinity components), or "manual".
    reason = JSONB(default={})
    scope_district = Varchar(length=16, choices=District, null=True, default=None)
    created_at = Timestamptz()


class RankingEntry(Table):
    """A closed round's result for one application."""

    id: Serial  # added by Piccolo; declared for the type checker
    round = ForeignKey(Round, on_delete=OnDelete.restrict, null=False)
    application = ForeignKey(Application, on_delete=OnDelete.restrict, null=False, unique=True)
    rank = Integer(null=False)
    weighted_mean = Numeric(digits=(12, 6), null=False)
    review_count = Integer(null=False)
    # Every aggregation side by side ({"median": "81.5", "trimmed_mean": ..., "calibrated": ...}), spread and flags.
    methods = JSONB(default={})
    flags = JSONB(default=[])
    track = Integer(null=True, default=None)
    scope_district = Varchar(length=16, choices=District, null=True, default=None)
    created_at = Timestamptz()


class ExpertProfile(Table):
    """评估专家库: what an expert knows and how much they can take on."""

    id: Serial  # added by Piccolo; declared for the type checker
    expert = ForeignKey(BaseUser, on_delete=OnDelete.cascade, null=False, unique=True)
    domains = JSONB(default=[])  # e.g. ["为老服务", "社区治理"]
    tags = JSONB(default=[])
    district = Varchar(length=16, choices=District, null=True, default=None)
    street = Varchar(length=100, default="")  # 街镇, for programmes with the same-street conflict rule
    languages = JSONB(default=["zh"])
    max_load_per_round = Integer(default=30)
    available_from = Date(null=True, default=None)
    available_until = Date(null=True, default=None)
    created_at = Timestamptz()


class ExpertAffiliation(Table):
    """An organisation an expert belongs to or advises: a conflict for that organisation and those it custodies."""

    id: Serial  # added by Piccolo; declared for the type checker
    expert = ForeignKey(BaseUser, on_delete=OnDelete.cascade, null=False)
    organisation = ForeignKey(Organisation, on_delete=OnDelete.cascade, null=False)
    relation = Varchar(length=50, default="member")  # member | adviser | employee | board
    created_at = Timestamptz()


class ConflictOfInterest(Table):
    """A pair that must never be assigned: declared by the expert, recorded by an officer, or derived."""

    id: Serial  # added by Piccolo; declared for the type checker
    expert = ForeignKey(BaseUser, on_delete=OnDelete.cascade, null=False)
    organisation = ForeignKey(Organisation, on_delete=OnDelete.cascade, null=False)
    source = Varchar(length=16, null=False)  # declared | officer
    reason = Text(default="")
    created_by = ForeignKey(BaseUser, on_delete=OnDelete.restrict, null=True, default=None)
    revoked_at = Timestamptz(null=True, default=None)
    created_at = Timestamptz()


class Publication(Table):
    """公示: a round's result on public notice for N days; objections can be filed until it ends."""

    id: Serial  # added by Piccolo; declared for the type checker
    round = ForeignKey(Round, on_delete=OnDelete.restrict, null=False, unique=True)
    status = Varchar(length=16, null=False, default="published")
    starts_at = Timestamptz(null=False)
    ends_at = Timestamptz(null=False)
    # The public list as published: [{"application_id", "title", "organisation", "outcome"}], never scores.
    entries = JSONB(default=[])
    # How the list was cut ({"top_n", "cutoff"}), so a re-review after an upheld objection re-cuts it the same way.
    rules = JSONB(default={})
    # 更正公示: [{"at", "by", "objection_id", "added", "removed", "entries_before", "ends_at_before", "note"}], oldest
    # first; ``entries`` is always the current list, the history stays here.
    corrections = JSONB(default=[])
    published_by = ForeignKey(BaseUser, on_delete=OnDelete.restrict, null=True, default=None)
    finalised_at = Timestamptz(null=True, default=None)
    scope_district = Varchar(length=16, choices=District, null=True, default=None)
    created_at = Timestamptz()


class Objection(Table):
    """异议: filed by any signed-in user during 公示; an officer upholds (reopens the application) or dismisses it."""

    id: Serial  # added by Piccolo; declared for the type checker
    publication = ForeignKey(Publication, on_delete=OnDelete.restrict, null=False)
    application = ForeignKey(Application, on_delete=OnDelete.restrict, null=False)
    filed_by = ForeignKey(BaseUser, on_delete=OnDelete.restrict, null=False)
    reason = Text(null=False)
    status = Varchar(length=16, null=False, default="open")
    resolution = Text(default="")
    resolved_by = ForeignKey(BaseUser, on_delete=OnDelete.restrict, null=True, default=None)
    resolved_at = Timestamptz(null=True, default=None)
    scope_district = Varchar(length=16, choices=District, null=True, default=None)
    created_at = Timestamptz()


class CutLineDecision(Table):
    """An officer's decision on entries tied (same rank) at a quota's cut line: which of them pass, and why."""

    id: Serial  # added by Piccolo; declared for the type checker
    round = ForeignKey(Round, on_delete=OnDelete.restrict, null=False)
    line = Varchar(length=32, null=False)  # "overall" (top_n) or "track:<id>" (the track's quota)
    rank = Integer(null=False)
    tied = JSONB(default=[])  # the tied application ids, ascending: valid only while the ranking still ties them
    passed = JSONB(default=[])  # those the officer lets through
    top_n = Integer(null=True, default=None)  # the quota the line belongs to (publish's top_n)
    reason = Text(null=False)
    decided_by = ForeignKey(BaseUser, on_delete=OnDelete.restrict, null=True, default=None)
    scope_district = Varchar(length=16, choices=District, null=True, default=None)
    created_at = Timestamptz()
