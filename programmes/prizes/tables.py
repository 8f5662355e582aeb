"""Prize tiers of an edition, the confirmation of its prizes and the prizes themselves (one per entry).

Every row carries ``scope_district``, copied from the edition (empty for a city-level contest), as elsewhere.
Constraints Piccolo cannot declare (one tier name and position per edition, counts and amounts not negative) are
in the hand-written migration after the generated one.
"""

from __future__ import annotations

from piccolo.apps.user.tables import BaseUser
from piccolo.columns import JSONB, BigInt, ForeignKey, Integer, OnDelete, Serial, Text, Timestamptz, Varchar
from piccolo.table import Table

from app.organisations.tables import Organisation
from app.reference import District
from programmes.tables import Application, Award, BudgetLine, Edition, Round


class PrizeTier(Table):
    """一等奖 / 二等奖 / …: a name, a position (1 is best) and per track how many places and how much each."""

    id: Serial  # added by Piccolo; declared for the type checker
    edition = ForeignKey(Edition, on_delete=OnDelete.restrict, null=False)
    name = Varchar(length=100, null=False)
    position = Integer(null=False)
    # The budget line prize money of this tier obligates (its fund source is the award's); NULL for a tier
    # without money (e.g. 优秀奖 as an honour only).
    budget_line = ForeignKey(BudgetLine, on_delete=OnDelete.restrict, null=True, default=None)
    # [{"track": "为老服务" | null, "count": 2, "amount_fen": 5000000}]; track null: the whole ranking.
    places = JSONB(default=[])
    scope_district = Varchar(length=16, choices=District, null=True, default=None)
    created_at = Timestamptz()


class PrizeConfirmation(Table):
    """The officer's confirmation of an edition's prizes: once per edition (a unique column), from one round's
    ranking, with the decisions of the ties at tier boundaries."""

    id: Serial  # added by Piccolo; declared for the type checker
    edition = ForeignKey(Edition, on_delete=OnDelete.restrict, null=False, unique=True)
    round = ForeignKey(Round, on_delete=OnDelete.restrict, null=False)
    # [{"key": "<tier>:<track>:<rank>", "application_ids": [..], "reason": ".."}]
    tie_decisions = JSONB(default=[])
    confirmed_by = ForeignKey(BaseUser, on_delete=OnDelete.restrict, null=True, default=None)
    confirmed_at = Timestamptz()
    scope_district = Varchar(length=16, choices=District, null=True, default=None)


class Prize(Table):
    """One winner: the entry, its tier, the award its money went into (none for a tier without money) and the
    verification code of its 获奖证书."""

    id: Serial  # added by Piccolo; declared for the type checker
    confirmation = ForeignKey(PrizeConfirmation, on_delete=OnDelete.restrict, null=False)
    tier = ForeignKey(PrizeTier, on_delete=OnDelete.restrict, null=False)
    application = ForeignKey(Application, on_delete=OnDelete.restrict, null=False, unique=True)
    organisation = ForeignKey(Organisation, on_delete=OnDelete.restrict, null=False)
    track_name = Varchar(length=100, null=True, default=None)
    rank = Integer(null=False)
    amount_fen = BigInt(null=False)
    award = ForeignKey(Award, on_delete=OnDelete.restrict, null=True, default=None, unique=True)
    tie_reason = Text(default="")  # the officer's reason when the place was decided in a tie
    verification_code = Varchar(length=32, null=False, unique=True)
    scope_district = Varchar(length=16, choices=District, null=True, default=None)
    created_at = Timestamptz()
