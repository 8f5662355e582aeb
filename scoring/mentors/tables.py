"""Mentor tables. A ``MentorProfile`` row is the expert profile's mentor flag (and its mentoring domains and load
cap), kept beside ``scoring.tables.ExpertProfile`` so reviewer settings and mentor settings change apart."""

from __future__ import annotations

from piccolo.apps.user.tables import BaseUser
from piccolo.columns import (
    JSONB,
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

from app.reference import District
from programmes.tables import Application


class MentorProfile(Table):
    id: Serial  # added by Piccolo; declared for the type checker
    expert = ForeignKey(BaseUser, on_delete=OnDelete.cascade, null=False, unique=True)
    mentor = Boolean(default=True)  # the flag: False takes an expert out of the mentor pool, keeping its history
    domains = JSONB(default=[])  # e.g. ["品牌传播", "为老服务"]: matched against the project's tags and track
    max_projects = Integer(default=3)  # live mentorships at once, across rounds
    updated_at = Timestamptz()


class Mentorship(Table):
    """One mentor of one supported project (one row per pair; a partial unique index keeps one live per pair)."""

    id: Serial  # added by Piccolo; declared for the type checker
    application = ForeignKey(Application, on_delete=OnDelete.restrict, null=False)
    mentor = ForeignKey(BaseUser, on_delete=OnDelete.restrict, null=False)
    status = Varchar(length=16, null=False, default="active")
    affinity = JSONB(default={})  # why the solver chose the pair (shared tags, domain match)
    reason = Text(default="")  # why it ended
    assigned_by = ForeignKey(BaseUser, on_delete=OnDelete.restrict, null=True, default=None)
    scope_district = Varchar(length=16, choices=District, null=True, default=None)
    created_at = Timestamptz()


class MentorMeeting(Table):
    """A meeting the mentor logs; the project's organisation and officers in scope read it."""

    id: Serial  # added by Piccolo; declared for the type checker
    mentorship = ForeignKey(Mentorship, on_delete=OnDelete.restrict, null=False)
    met_on = Date(null=False)
    topic = Varchar(length=200, null=False)
    advice = Text(default="")
    follow_ups = Text(default="")
    scope_district = Varchar(length=16, choices=District, null=True, default=None)
    created_at = Timestamptz()


class MentorRating(Table):
    """The project's one rating of its mentor (unique per mentorship)."""

    id: Serial  # added by Piccolo; declared for the type checker
    mentorship = ForeignKey(Mentorship, on_delete=OnDelete.restrict, null=False, unique=True)
    score = SmallInt(null=False)  # 1..5 (CHECK in the migration)
    comment = Text(default="")
    rated_by = ForeignKey(BaseUser, on_delete=OnDelete.restrict, null=True, default=None)
    scope_district = Varchar(length=16, choices=District, null=True, default=None)
    created_at = Timestamptz()
