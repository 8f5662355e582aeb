from __future__ import annotations

from piccolo.apps.user.tables import BaseUser
from piccolo.columns import BigInt, ForeignKey, OnDelete, Serial, Timestamptz, Varchar
from piccolo.table import Table

from app.reference import District
from programmes.tables import Application


class Attachment(Table):
    """A file uploaded to an application. Bytes live in the storage backend under ``storage_key``."""

    id: Serial  # added by Piccolo; declared for the type checker
    application = ForeignKey(Application, on_delete=OnDelete.restrict, null=False)
    storage_key = Varchar(length=300, null=False, unique=True)
    filename = Varchar(length=255, null=False)
    content_type = Varchar(length=100, null=False)
    size_bytes = BigInt(null=False)
    sha256 = Varchar(length=64, null=False)
    uploaded_by = ForeignKey(BaseUser, on_delete=OnDelete.restrict, null=True, default=None)
    scope_district = Varchar(length=16, choices=District, null=True, default=None)
    created_at = Timestamptz()
