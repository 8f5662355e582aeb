"""The incubation tables. A supported project's milestones are its award's progress reports and tranches (one plan,
not two): the project only adds goals, indicators and the values each milestone report records. Every row carries
``scope_district`` (the programme's, as elsewhere) for officers' scope."""

from __future__ import annotations

from piccolo.apps.user.tables import BaseUser
from piccolo.columns import JSONB, DoublePrecision, ForeignKey, Integer, OnDelete, Serial, Text, Timestamptz, Varchar
from piccolo.table import Table

from app.organisations.tables import Organisation
from app.reference import District
from programmes.reports.tables import ProgressReport
from programmes.tables import Application, Award, Clawback, Edition


class Cohort(Table):
    """The projects selected in one 沪社星耀 edition (期)."""

    id: Serial  # added by Piccolo; declared for the type checker
    edition = ForeignKey(Edition, on_delete=OnDelete.restrict, null=False)
    name = Varchar(length=100, null=False)
    description = Text(default="")
    scope_district = Varchar(length=16, choices=District, null=True, default=None)
    created_by = ForeignKey(BaseUser, on_delete=OnDelete.restrict, null=True, default=None)
    created_at = Timestamptz()


class SupportedProject(Table):
    """One selected or awarded support-plan application in a cohort (unique per application)."""

    id: Serial  # added by Piccolo; declared for the type checker
    cohort = ForeignKey(Cohort, on_delete=OnDelete.restrict, null=False)
    application = ForeignKey(Application, on_delete=OnDelete.restrict, null=False, unique=True)
    # The award whose payment plan holds the milestones; null while the application is selected, not yet awarded.
    award = ForeignKey(Award, on_delete=OnDelete.restrict, null=True, default=None)
    organisation = ForeignKey(Organisation, on_delete=OnDelete.restrict, null=False)
    title = Varchar(length=200, null=False)
    goals = Text(default="")
    status = Varchar(length=16, null=False, default="in_progress")  # workflows.incubation.SUPPORTED_PROJECT
    # 结项评估: the officer's decision with the experts' scores attached ({"scores": [{"expert", "score", ...}]}).
    evaluation = JSONB(default={})
    reason = Text(default="")  # the outcome's reasons
    clawback = ForeignKey(Clawback, on_delete=OnDelete.restrict, null=True, default=None)
    graduated_at = Timestamptz(null=True, default=None)
    scope_district = Varchar(length=16, choices=District, null=True, default=None)
    created_at = Timestamptz()


class ProjectIndicator(Table):
    """A measurable goal of the plan: baseline and target in a unit (e.g. 服务人次)."""

    id: Serial  # added by Piccolo; declared for the type checker
    project = ForeignKey(SupportedProject, on_delete=OnDelete.cascade, null=False)
    name = Varchar(length=100, null=False)
    unit = Varchar(length=20, null=False)
    baseline = DoublePrecision(null=False, default=0)
    target = DoublePrecision(null=False)
    scope_district = Varchar(length=16, choices=District, null=True, default=None)
    created_at = Timestamptz()


class IndicatorValue(Table):
    """An indicator's value as a milestone report states it; it counts once the report is accepted."""

    id: Serial  # added by Piccolo; declared for the type checker
    indicator = ForeignKey(ProjectIndicator, on_delete=OnDelete.cascade, null=False)
    report = ForeignKey(ProgressReport, on_delete=OnDelete.restrict, null=False)
    value = DoublePrecision(null=False)
    recorded_by = ForeignKey(BaseUser, on_delete=OnDelete.restrict, null=True, default=None)
    scope_district = Varchar(length=16, choices=District, null=True, default=None)
    recorded_at = Timestamptz()


class Replication(Table):
    """复制推广: another organisation runs a graduated practice in another district or street, under an
    officer-approved plan. ``origin`` is the graduated project at the root of the lineage; ``parent`` the
    replication it copies, when it copies a replication."""

    id: Serial  # added by Piccolo; declared for the type checker
    origin = ForeignKey(SupportedProject, on_delete=OnDelete.restrict, null=False)
    parent: ForeignKey[Replication] = ForeignKey("self", on_delete=OnDelete.restrict, null=True, default=None)
    organisation = ForeignKey(Organisation, on_delete=OnDelete.restrict, null=False)
    adviser = ForeignKey(Organisation, on_delete=OnDelete.restrict, null=True, default=None)
    title = Varchar(length=200, null=False)
    plan = Text(default="")
    district = Varchar(length=16, choices=District, null=False)
    street = Varchar(length=100, null=False)
    beneficiaries = Integer(null=False, default=0)
    status = Varchar(length=16, null=False, default="proposed")  # workflows.incubation.REPLICATION
    reason = Text(default="")
    proposed_by = ForeignKey(BaseUser, on_delete=OnDelete.restrict, null=True, default=None)
    approved_at = Timestamptz(null=True, default=None)
    scope_district = Varchar(length=16, choices=District, null=True, default=None)
    created_at = Timestamptz()
