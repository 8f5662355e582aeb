"""Names instead of ids for the admin's foreign keys: each referenced table's Piccolo ``get_readable``.

Piccolo Admin shows a foreign key as its row's ``get_readable()`` (lists with ``__readable=true``, detail pages,
the key picker's ``ids/``); Piccolo's default is the primary key, so a round showed as 「11」. The readables are
the admin's way of naming rows, so they are installed here, by ``install_readables()`` when the admin is built,
rather than written into the domain tables (nothing else reads them). Readables may follow foreign keys (a round
is named 「2026 年度大赛 · 初赛」): piccolo_api joins them in the same query as the rows, so a list never asks per
row. Users are named by their username here; app.admin.localised puts the account's display name beside it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from piccolo.columns.readable import Readable
from piccolo.table import Table

from app.organisations.tables import Organisation
from programmes.camps.tables import Camp, CampRegistration, CampSession
from programmes.draws.tables import InspectionDraw
from programmes.incubation.tables import Cohort, ProjectIndicator, Replication, SupportedProject
from programmes.matching.tables import (
    Community,
    DeliveryRecord,
    Demand,
    MatchingSession,
    MatchOrder,
    ServiceOffer,
)
from programmes.payees.tables import BankAccount
from programmes.prizes.tables import Prize, PrizeConfirmation, PrizeTier
from programmes.reports.tables import ProgressReport
from programmes.resources.tables import ResourceOffer, ResourcePartner
from programmes.tables import (
    Application,
    Award,
    BudgetLine,
    Clawback,
    Criterion,
    Edition,
    FormVersion,
    FundSource,
    PaymentBatch,
    Programme,
    Round,
    Track,
    Tranche,
)
from scoring.mentors.tables import Mentorship
from scoring.roadshow.tables import RoadshowSession
from scoring.tables import Publication


def _named(template: str, *columns: Callable[[Any], Any]) -> Callable[[Any], Readable]:
    return lambda table: Readable(template=template, columns=[column(table) for column in columns])


# Per table: how a row of it is named wherever another table points at it.
READABLES: dict[type[Table], Callable[[Any], Readable]] = {
    Organisation: _named("%s", lambda t: t.name),
    Programme: _named("%s", lambda t: t.name),
    Edition: _named("%s", lambda t: t.title),
    Round: _named("%s · %s", lambda t: t.edition.title, lambda t: t.name),
    FormVersion: _named("%s", lambda t: t.title),
    Criterion: _named("%s", lambda t: t.name),
    Track: _named("%s", lambda t: t.name),
    Application: _named("%s", lambda t: t.title),
    Award: _named("%s（资助）", lambda t: t.application.title),
    Tranche: _named("%s · 第 %s 期", lambda t: t.award.application.title, lambda t: t.sequence),
    FundSource: _named("%s", lambda t: t.name),
    BudgetLine: _named("%s · %s", lambda t: t.edition.title, lambda t: t.fund_source.name),
    # The bank and the holder's name, never the number (app.admin.masking).
    BankAccount: _named("%s · %s", lambda t: t.bank_name, lambda t: t.account_name),
    PaymentBatch: _named("%s", lambda t: t.title),
    Publication: _named("%s · 公示", lambda t: t.round.name),
    InspectionDraw: _named("%s · 双随机抽查", lambda t: t.edition.title),
    Clawback: _named("%s · 追回", lambda t: t.award.application.title),
    ProgressReport: _named("%s · 第 %s 期报告", lambda t: t.award.application.title, lambda t: t.sequence),
    Community: _named("%s", lambda t: t.name),
    Demand: _named("%s", lambda t: t.title),
    ServiceOffer: _named("%s", lambda t: t.title),
    MatchingSession: _named("%s", lambda t: t.title),
    MatchOrder: _named("%s · %s", lambda t: t.demand.title, lambda t: t.organisation.name),
    DeliveryRecord: _named("%s · %s", lambda t: t.delivered_on, lambda t: t.activity),
    Cohort: _named("%s", lambda t: t.name),
    SupportedProject: _named("%s", lambda t: t.title),
    ProjectIndicator: _named("%s", lambda t: t.name),
    Replication: _named("%s", lambda t: t.title),
    Mentorship: _named("%s · 导师结对", lambda t: t.application.title),
    Camp: _named("%s", lambda t: t.title),
    CampSession: _named("%s · %s", lambda t: t.camp.title, lambda t: t.title),
    CampRegistration: _named("%s · %s", lambda t: t.camp.title, lambda t: t.organisation.name),
    RoadshowSession: _named("%s · 路演", lambda t: t.round.name),
    PrizeTier: _named("%s", lambda t: t.name),
    PrizeConfirmation: _named("%s · 奖项确认", lambda t: t.edition.title),
    Prize: _named("%s · %s", lambda t: t.tier.name, lambda t: t.application.title),
    ResourcePartner: _named("%s", lambda t: t.name),
    ResourceOffer: _named("%s", lambda t: t.title),
}


def install_readables() -> None:
    """Give each table in ``READABLES`` its Piccolo ``get_readable`` (idempotent: building the admin twice is fine)."""
    for table, readable in READABLES.items():
        setattr(table, "get_readable", classmethod(readable))  # noqa: B010 — a classmethod put on the class
