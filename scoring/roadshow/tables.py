"""The roadshow session of a final round, its hidden seed, its presentations and the public votes (one aggregate).

Composite unique keys (one presentation per entry and per slot, one vote per account and session), the CHECKs and
the trigger that locks the final's score sheets once the session ends are in the hand-written migration
``scoring_2026_12_01t18_50_00_000001``.
"""

from __future__ import annotations

from piccolo.apps.user.tables import BaseUser
from piccolo.columns import JSONB, Boolean, ForeignKey, Integer, OnDelete, Serial, Timestamptz, Varchar
from piccolo.table import Table

from app.reference import District
from programmes.tables import Application, Round


class RoadshowSession(Table):
    """One per final round. Commit-reveal like 双随机 draws (docs/adr/0013): only ``seed_hash`` is shown until the
    draw; drawing reveals ``seed``, and anyone can recompute the order from it and ``entries``."""

    id: Serial  # added by Piccolo; declared for the type checker
    round = ForeignKey(Round, on_delete=OnDelete.restrict, null=False, unique=True)
    status = Varchar(length=16, null=False, default="committed")
    seed_hash = Varchar(length=64, null=False)
    seed = Varchar(length=64, default="")  # revealed by the draw; until then only in roadshow_seed
    entries = JSONB(default=[])  # the entries' application ids, ascending, frozen at commit
    planned_minutes = Integer(null=False, default=8)  # each presentation's planned length
    grace_seconds = Integer(null=False, default=120)  # judges may still score this long after a presentation stops
    vote_weight_percent = Integer(null=False, default=0)  # public vote's share of the result; 0 = no public vote
    voting_open = Boolean(default=False)
    drawn_at = Timestamptz(null=True, default=None)
    ended_at = Timestamptz(null=True, default=None)
    created_by = ForeignKey(BaseUser, on_delete=OnDelete.restrict, null=True, default=None)
    scope_district = Varchar(length=16, choices=District, null=True, default=None)
    created_at = Timestamptz()


class RoadshowSeed(Table):
    """A committed session's seed until the draw: kept out of ``roadshow_session`` (and out of the admin)."""

    id: Serial  # added by Piccolo; declared for the type checker
    session = ForeignKey(RoadshowSession, on_delete=OnDelete.cascade, null=False, unique=True)
    seed = Varchar(length=64, null=False)
    created_at = Timestamptz()


class RoadshowPresentation(Table):
    """One entry's slot in the drawn order and its clock: the scoring window is ``started_at`` to ``stopped_at`` +
    the session's grace period."""

    id: Serial  # added by Piccolo; declared for the type checker
    session = ForeignKey(RoadshowSession, on_delete=OnDelete.restrict, null=False)
    application = ForeignKey(Application, on_delete=OnDelete.restrict, null=False)
    position = Integer(null=False)  # 1 = first on stage
    planned_minutes = Integer(null=False)
    started_at = Timestamptz(null=True, default=None)
    stopped_at = Timestamptz(null=True, default=None)
    scope_district = Varchar(length=16, choices=District, null=True, default=None)
    created_at = Timestamptz()


class RoadshowVote(Table):
    """A verified account's public vote in a session (one per account and session: unique in the migration)."""

    id: Serial  # added by Piccolo; declared for the type checker
    session = ForeignKey(RoadshowSession, on_delete=OnDelete.restrict, null=False)
    voter = ForeignKey(BaseUser, on_delete=OnDelete.restrict, null=False)
    application = ForeignKey(Application, on_delete=OnDelete.restrict, null=False)
    created_at = Timestamptz()
