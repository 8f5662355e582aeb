"""Piccolo tables of the scoring app."""

from __future__ import annotations

from piccolo.apps.user.tables import BaseUser
from piccolo.columns import JSONB, ForeignKey, Integer, Numeric, OnDelete, Serial, Text, Timestamptz, Varchar
from piccolo.table import Table

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
    submitted_at = Timestamptz(null=True, default=None)
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
    scope_district = Varchar(length=16, choices=District, null=True, default=None)
    created_at = Timestamptz()
