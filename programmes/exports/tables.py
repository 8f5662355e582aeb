from __future__ import annotations

from piccolo.apps.user.tables import BaseUser
from piccolo.columns import JSONB, ForeignKey, Integer, OnDelete, Serial, Text, Timestamptz, Varchar
from piccolo.table import Table

from app.reference import District
from programmes.tables import Round


class ExportJob(Table):
    """An xlsx export produced by the worker, with progress the requester can poll."""

    id: Serial  # added by Piccolo; declared for the type checker
    # Round exports: applications | scores (per expert and criterion) | ranking (every method side by side) |
    # load (per reviewer). Money exports (no round): money_summary | batch_payments.
    round = ForeignKey(Round, on_delete=OnDelete.cascade, null=True, default=None)
    kind = Varchar(length=16, default="applications")
    parameters = JSONB(default={})  # e.g. {"payment_batch_id": 3} or {"edition_id": 2}
    requested_by = ForeignKey(BaseUser, on_delete=OnDelete.restrict, null=False)
    state = Varchar(length=16, default="queued")  # queued | running | done | failed (a job's progress, not a workflow)
    rows_done = Integer(default=0)
    rows_total = Integer(default=0)
    storage_key = Varchar(length=300, default="")
    error = Text(default="")
    scope_district = Varchar(length=16, choices=District, null=True, default=None)
    created_at = Timestamptz()
    finished_at = Timestamptz(null=True, default=None)
