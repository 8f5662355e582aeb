"""Files attached to an order's delivery records (photos, documents): the bytes live in the attachment storage
under ``storage_key``; the content type was checked like any attachment's (``programmes.content_types``)."""

from __future__ import annotations

from piccolo.apps.user.tables import BaseUser
from piccolo.columns import BigInt, ForeignKey, OnDelete, Serial, Timestamptz, Varchar
from piccolo.table import Table

from app.reference import District
from programmes.matching.tables import DeliveryRecord, MatchOrder


class DeliveryFile(Table):
    id: Serial  # added by Piccolo; declared for the type checker
    record = ForeignKey(DeliveryRecord, on_delete=OnDelete.restrict, null=False)
    order = ForeignKey(MatchOrder, on_delete=OnDelete.restrict, null=False)
    storage_key = Varchar(length=300, null=False, unique=True)
    filename = Varchar(length=255, null=False)
    content_type = Varchar(length=100, null=False)
    size_bytes = BigInt(null=False)
    sha256 = Varchar(length=64, null=False)
    uploaded_by = ForeignKey(BaseUser, on_delete=OnDelete.restrict, null=True, default=None)
    scope_district = Varchar(length=16, choices=District, null=True, default=None)
    created_at = Timestamptz()
