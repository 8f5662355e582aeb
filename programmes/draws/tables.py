"""双随机、一公开: the draws, their hidden seeds and their append-only public findings (one aggregate)."""

from __future__ import annotations

from piccolo.apps.user.tables import BaseUser
from piccolo.columns import JSONB, ForeignKey, Integer, OnDelete, Serial, Text, Timestamptz, Varchar
from piccolo.table import Table

from app.reference import District
from programmes.tables import Award, Edition


class InspectionDraw(Table):
    """双随机、一公开: a recorded, reproducible draw of funded projects and of inspectors, with public results."""

    id: Serial  # added by Piccolo; declared for the type checker
    edition = ForeignKey(Edition, on_delete=OnDelete.restrict, null=False)
    # Commit-reveal (docs/adr/0013): the server generates ``seed`` and publishes only ``seed_hash`` (SHA-256 of the
    # seed) while the draw is ``committed``; executing reveals the seed. With the candidate lists and ``conflicts``
    # below, anyone can re-run the draw and check the hash. Rows drawn before this had officer-chosen seeds.
    seed = Varchar(length=64, null=False)
    seed_hash = Varchar(length=64, default="")
    status = Varchar(length=16, null=False, default="executed")  # workflows.supervision.INSPECTION_DRAW
    projects = Integer(default=0)
    inspectors_per_project = Integer(default=0)
    candidate_awards = JSONB(default=[])
    candidate_inspectors = JSONB(default=[])
    conflicts = JSONB(default={})  # {"<award id>": [inspector ids kept away]} — frozen at commit
    # [{"award_id", "inspector_ids": [...], "finding": "" }]; findings live in ``inspection_finding`` (append-only).
    selections = JSONB(default=[])
    # A second draw on an edition replaces the earlier one only with a recorded reason; both stay public.
    redraw_reason = Text(default="")
    superseded_by = Integer(null=True, default=None)
    executed_at = Timestamptz(null=True, default=None)
    drawn_by = ForeignKey(BaseUser, on_delete=OnDelete.restrict, null=True, default=None)
    scope_district = Varchar(length=16, choices=District, null=True, default=None)
    created_at = Timestamptz()


class InspectionFinding(Table):
    """检查结果 of one drawn project, public. Append-only (a trigger refuses UPDATE, DELETE and TRUNCATE): a
    correction is a new row whose ``corrects`` names the finding it replaces, so the public history keeps both."""

    id: Serial  # added by Piccolo; declared for the type checker
    draw = ForeignKey(InspectionDraw, on_delete=OnDelete.restrict, null=False)
    award = ForeignKey(Award, on_delete=OnDelete.restrict, null=False)
    finding = Text(null=False)
    corrects = Integer(null=True, default=None)  # id of the finding this one corrects
    recorded_by = ForeignKey(BaseUser, on_delete=OnDelete.restrict, null=True, default=None)
    scope_district = Varchar(length=16, choices=District, null=True, default=None)
    created_at = Timestamptz()


class InspectionDrawSeed(Table):
    """The seed of a committed 双随机 draw until it is executed: kept out of ``inspection_draw`` (and out of the
    admin) so nobody reads it before the pick; executing copies it into ``inspection_draw.seed`` for everyone."""

    id: Serial  # added by Piccolo; declared for the type checker
    draw = ForeignKey(InspectionDraw, on_delete=OnDelete.cascade, null=False, unique=True)
    seed = Varchar(length=64, null=False)
    created_at = Timestamptz()
