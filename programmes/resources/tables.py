"""Resource partners (foundations, enterprises, 街镇), their offers and the introductions of prize winners to them.

Partners are not accounts: officers record them and their offers. Every row carries ``scope_district`` (the
district of the officer who recorded it; empty for city staff), and an introduction the winner's prize's.
"""

from __future__ import annotations

from piccolo.apps.user.tables import BaseUser
from piccolo.columns import JSONB, Date, ForeignKey, OnDelete, Serial, Text, Timestamptz, Varchar
from piccolo.table import Table

from app.reference import District
from programmes.prizes.tables import Prize
from programmes.resources.kinds import OfferKind, PartnerKind
from programmes.workflows.resources import IntroductionStatus


class ResourcePartner(Table):
    id: Serial  # added by Piccolo; declared for the type checker
    name = Varchar(length=200, null=False)
    kind = Varchar(length=16, choices=PartnerKind, null=False)
    description = Text(default="")
    created_by = ForeignKey(BaseUser, on_delete=OnDelete.restrict, null=True, default=None)
    scope_district = Varchar(length=16, choices=District, null=True, default=None)
    created_at = Timestamptz()


class ResourceOffer(Table):
    id: Serial  # added by Piccolo; declared for the type checker
    partner = ForeignKey(ResourcePartner, on_delete=OnDelete.restrict, null=False)
    kind = Varchar(length=24, choices=OfferKind, null=False)
    title = Varchar(length=200, null=False)
    description = Text(default="")
    valid_from = Date(null=False)
    valid_until = Date(null=False)
    scope_district = Varchar(length=16, choices=District, null=True, default=None)
    created_at = Timestamptz()


class ResourceIntroduction(Table):
    """One winner introduced to one offer (a unique pair); ``notes`` keeps every step's note, oldest first."""

    id: Serial  # added by Piccolo; declared for the type checker
    offer = ForeignKey(ResourceOffer, on_delete=OnDelete.restrict, null=False)
    prize = ForeignKey(Prize, on_delete=OnDelete.restrict, null=False)
    status = Varchar(length=16, choices=IntroductionStatus, null=False, default=IntroductionStatus.introduced)
    # [{"at": iso, "by": user id, "action": "introduce" | "contact" | …, "note": ".."}]
    notes = JSONB(default=[])
    introduced_by = ForeignKey(BaseUser, on_delete=OnDelete.restrict, null=True, default=None)
    scope_district = Varchar(length=16, choices=District, null=True, default=None)
    created_at = Timestamptz()
