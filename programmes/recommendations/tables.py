"""区级推荐's rows: the quota of each district in a round, the recommendations, and the city's forward (which
closes the round's recommendations).

All three hang under a city-level round, so their ``scope_district`` is the round's (NULL); the district a row
concerns is its own ``district`` column."""

from __future__ import annotations

from piccolo.apps.user.tables import BaseUser
from piccolo.columns import ForeignKey, Integer, OnDelete, Serial, Text, Timestamptz, Varchar
from piccolo.table import Table

from app.reference import District
from programmes.tables import Application, Round


class DistrictQuota(Table):
    """How many entries a district may recommend in a round (one row per round and district, set by city staff)."""

    id: Serial  # added by Piccolo; declared for the type checker
    round = ForeignKey(Round, on_delete=OnDelete.restrict, null=False)
    district = Varchar(length=16, choices=District, null=False)
    quota = Integer(null=False)
    set_by = ForeignKey(BaseUser, on_delete=OnDelete.restrict, null=True, default=None)
    scope_district = Varchar(length=16, choices=District, null=True, default=None)
    updated_at = Timestamptz()


class Recommendation(Table):
    """A district officer's recommendation of one entry, with the reason (one live one per entry: a partial unique
    index in the migration)."""

    id: Serial  # added by Piccolo; declared for the type checker
    round = ForeignKey(Round, on_delete=OnDelete.restrict, null=False)
    application = ForeignKey(Application, on_delete=OnDelete.restrict, null=False)
    district = Varchar(length=16, choices=District, null=False)
    reason = Text(null=False)
    status = Varchar(length=16, null=False, default="recommended")
    recommended_by = ForeignKey(BaseUser, on_delete=OnDelete.restrict, null=True, default=None)
    withdrawn_reason = Text(default="")
    # The entry made for it in the next stage, once forwarded.
    carried_entry = ForeignKey(Application, on_delete=OnDelete.restrict, null=True, default=None)
    scope_district = Varchar(length=16, choices=District, null=True, default=None)
    created_at = Timestamptz()


class RecommendationClosure(Table):
    """The city's forward of a round's recommendations: once it exists, nothing is recommended or withdrawn any
    more (one per round)."""

    id: Serial  # added by Piccolo; declared for the type checker
    round = ForeignKey(Round, on_delete=OnDelete.restrict, null=False, unique=True)
    next_round = ForeignKey(Round, on_delete=OnDelete.restrict, null=False)
    advanced = Integer(default=0)
    not_advanced = Integer(default=0)
    closed_by = ForeignKey(BaseUser, on_delete=OnDelete.restrict, null=True, default=None)
    scope_district = Varchar(length=16, choices=District, null=True, default=None)
    closed_at = Timestamptz()
