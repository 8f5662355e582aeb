"""The objects an officer may pick in an admin form, by kind: in the officer's scope, newest first, at most
``PICK_LIMIT``, each labelled by name (「2026 第十届大赛 · 初赛」), read in one query per list.

Scope is the list-side twin of the services' ``staff`` rule (``app.access.staff_filter`` on ``scope_district``):
city staff see every district, a district officer their own district's rows. It only narrows what is offered: the
service still decides, so a hand-typed id outside the list is refused there.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from piccolo.custom_types import Combinable
from piccolo.table import Table

from app.access import staff_filter
from app.admin.pages.html import when
from app.auth.principal import Principal
from app.money import yuan
from app.reference import DISTRICT_NAMES_ZH, District

PICK_LIMIT = 200

Pairs = list[tuple[int, str]]
PickList = Callable[[Principal], Awaitable[Pairs]]


async def _rows(
    principal: Principal, table: type[Table], *columns: Any, where: tuple[Combinable, ...] = ()
) -> list[dict[str, Any]]:
    """The rows in scope, newest first; for city staff each row's ``scope`` says whose it is (「长宁区」 or 「市级」),
    since two districts' rounds may share a name. A district officer's rows are all their own: no suffix."""
    scope_column: Any = getattr(table, "scope_district")  # noqa: B009 — every picked table has one
    pk = table._meta.primary_key
    query = table.select(pk.as_alias("id"), scope_column.as_alias("district"), *columns).where(
        *staff_filter(principal, scope_column), *where
    )
    rows: list[dict[str, Any]] = await query.order_by(pk, ascending=False).limit(PICK_LIMIT)
    for row in rows:
        district = row.pop("district")
        row["scope"] = "" if not principal.is_city_staff else f"（{_district_name(district)}）"
    return rows


def _district_name(value: str | None) -> str:
    if not value:
        return "市级"
    try:
        return DISTRICT_NAMES_ZH[District(value)]
    except ValueError:
        return value


async def rounds(principal: Principal) -> Pairs:
    from programmes.tables import Round

    edition: Any = Round.edition
    rows = await _rows(principal, Round, edition.title.as_alias("edition"), Round.name)
    return [(r["id"], f"{r['edition']} · {r['name']}{r['scope']}") for r in rows]


async def editions(principal: Principal) -> Pairs:
    from programmes.tables import Edition

    programme: Any = Edition.programme
    rows = await _rows(principal, Edition, programme.name.as_alias("programme"), Edition.title)
    return [(r["id"], f"{r['programme']} · {r['title']}{r['scope']}") for r in rows]


async def programmes(principal: Principal) -> Pairs:
    from programmes.tables import Programme

    return [(r["id"], f"{r['name']}{r['scope']}") for r in await _rows(principal, Programme, Programme.name)]


async def payment_batches(principal: Principal) -> Pairs:
    from programmes.tables import PaymentBatch

    rows = await _rows(principal, PaymentBatch, PaymentBatch.title, PaymentBatch.created_at)
    return [(r["id"], f"{r['title'] or '支付批次'}（{when(r['created_at'])} 创建）{r['scope']}") for r in rows]


async def budget_lines(principal: Principal) -> Pairs:
    from programmes.tables import BudgetLine

    edition: Any = BudgetLine.edition
    source: Any = BudgetLine.fund_source
    rows = await _rows(
        principal,
        BudgetLine,
        edition.title.as_alias("edition"),
        source.name.as_alias("source"),
        BudgetLine.amount_fen,
    )
    return [(r["id"], f"{r['edition']} · {r['source']} · {yuan(r['amount_fen'])}{r['scope']}") for r in rows]


async def publications(principal: Principal) -> Pairs:
    from scoring.tables import Publication

    round_: Any = Publication.round
    rows = await _rows(principal, Publication, round_.edition.title.as_alias("edition"), round_.name.as_alias("round"))
    return [(r["id"], f"{r['edition']} · {r['round']} 公示{r['scope']}") for r in rows]


async def objections(principal: Principal) -> Pairs:
    from scoring.tables import Objection

    application: Any = Objection.application
    rows = await _rows(principal, Objection, application.title.as_alias("title"), Objection.created_at)
    return [(r["id"], f"对「{r['title']}」的异议（{when(r['created_at'])}）{r['scope']}") for r in rows]


async def inspection_draws(principal: Principal) -> Pairs:
    from programmes.draws.tables import InspectionDraw

    edition: Any = InspectionDraw.edition
    rows = await _rows(principal, InspectionDraw, edition.title.as_alias("edition"), InspectionDraw.created_at)
    return [(r["id"], f"{r['edition']} 抽查（{when(r['created_at'])}）{r['scope']}") for r in rows]


async def camps(principal: Principal) -> Pairs:
    from programmes.camps.tables import Camp

    return [(r["id"], f"{r['title']}{r['scope']}") for r in await _rows(principal, Camp, Camp.title)]


async def matching_sessions(principal: Principal) -> Pairs:
    from programmes.matching.tables import MatchingSession

    rows = await _rows(principal, MatchingSession, MatchingSession.title)
    return [(r["id"], f"{r['title']}{r['scope']}") for r in rows]


async def roadshow_sessions(principal: Principal) -> Pairs:
    from scoring.roadshow.tables import RoadshowSession

    round_: Any = RoadshowSession.round
    rows = await _rows(
        principal, RoadshowSession, round_.edition.title.as_alias("edition"), round_.name.as_alias("round")
    )
    return [(r["id"], f"{r['edition']} · {r['round']} 路演{r['scope']}") for r in rows]


async def finished_exports(principal: Principal) -> Pairs:
    from programmes.exports.tables import ExportJob

    round_: Any = ExportJob.round
    rows = await _rows(
        principal,
        ExportJob,
        round_.edition.title.as_alias("edition"),
        round_.name.as_alias("round"),
        ExportJob.created_at,
        where=(ExportJob.state == "done",),
    )
    return [(r["id"], f"{r['edition']} · {r['round']}（{when(r['created_at'])} 导出）{r['scope']}") for r in rows]


async def cohorts(principal: Principal) -> Pairs:
    from programmes.incubation.tables import Cohort

    edition: Any = Cohort.edition
    rows = await _rows(principal, Cohort, edition.title.as_alias("edition"), Cohort.name)
    return [(r["id"], f"{r['edition']} · {r['name']}{r['scope']}") for r in rows]


async def risk_warnings(principal: Principal) -> Pairs:
    from programmes.risk.tables import RiskWarning

    rows = await _rows(principal, RiskWarning, RiskWarning.detail, RiskWarning.first_seen_at)
    return [(r["id"], f"{str(r['detail'])[:60]}（{when(r['first_seen_at'])}）{r['scope']}") for r in rows]


def _named(title: Any) -> str:
    return f"「{title}」" if title else "「（未命名）」"


async def agreements(principal: Principal) -> Pairs:
    from programmes.agreements.tables import Agreement

    award: Any = Agreement.award
    rows = await _rows(principal, Agreement, award.application.title.as_alias("title"))
    return [(r["id"], f"{_named(r['title'])}的资助协议{r['scope']}") for r in rows]


async def progress_reports(principal: Principal) -> Pairs:
    from programmes.reports.tables import ProgressReport

    award: Any = ProgressReport.award
    rows = await _rows(
        principal,
        ProgressReport,
        award.application.title.as_alias("title"),
        ProgressReport.kind,
        ProgressReport.sequence,
    )
    kinds = {"milestone": "中期报告", "final": "结项报告"}
    return [
        (r["id"], f"{_named(r['title'])} · 第 {r['sequence']} 期{kinds.get(r['kind'], '报告')}{r['scope']}")
        for r in rows
    ]


async def bank_accounts(principal: Principal) -> Pairs:
    from programmes.payees.tables import BankAccount

    # Never the account number (masked everywhere in the admin): the holder and the bank name are enough.
    organisation: Any = BankAccount.organisation
    rows = await _rows(principal, BankAccount, organisation.name.as_alias("holder"), BankAccount.bank_name)
    return [(r["id"], f"{r['holder']} · {r['bank_name']}{r['scope']}") for r in rows]


async def organisation_claims(principal: Principal) -> Pairs:
    from app.organisations.tables import OrganisationClaim

    organisation: Any = OrganisationClaim.organisation
    rows = await _rows(
        principal, OrganisationClaim, organisation.name.as_alias("organisation"), OrganisationClaim.claimant_name
    )
    return [(r["id"], f"{r['claimant_name']} 认领「{r['organisation']}」{r['scope']}") for r in rows]


async def demands(principal: Principal) -> Pairs:
    from programmes.matching.tables import Demand

    return [(r["id"], f"{r['title']}{r['scope']}") for r in await _rows(principal, Demand, Demand.title)]


async def matching_cases(principal: Principal) -> Pairs:
    from programmes.matching.tables import MatchingCase

    return [(r["id"], f"{r['title']}{r['scope']}") for r in await _rows(principal, MatchingCase, MatchingCase.title)]


async def recommendations(principal: Principal) -> Pairs:
    from programmes.recommendations.tables import Recommendation

    application: Any = Recommendation.application
    rows = await _rows(principal, Recommendation, application.title.as_alias("title"), Recommendation.district)
    return [(r["id"], f"推荐{_named(r['title'])}（{_district_name(r['district'])}）") for r in rows]


async def resource_offers(principal: Principal) -> Pairs:
    from programmes.resources.tables import ResourceOffer

    partner: Any = ResourceOffer.partner
    rows = await _rows(principal, ResourceOffer, partner.name.as_alias("partner"), ResourceOffer.title)
    return [(r["id"], f"{r['partner']} · {r['title']}{r['scope']}") for r in rows]


async def prizes(principal: Principal) -> Pairs:
    from programmes.prizes.tables import Prize

    application: Any = Prize.application
    tier: Any = Prize.tier
    rows = await _rows(principal, Prize, application.title.as_alias("title"), tier.name.as_alias("tier"))
    return [(r["id"], f"{_named(r['title'])} · {r['tier']}{r['scope']}") for r in rows]


async def awards(principal: Principal) -> Pairs:
    from programmes.tables import Award

    application: Any = Award.application
    rows = await _rows(principal, Award, application.title.as_alias("title"), Award.amount_fen)
    return [(r["id"], f"{_named(r['title'])} · {yuan(r['amount_fen'])}{r['scope']}") for r in rows]


async def clawbacks(principal: Principal) -> Pairs:
    from programmes.tables import Clawback

    award: Any = Clawback.award
    rows = await _rows(principal, Clawback, award.application.title.as_alias("title"), Clawback.amount_fen)
    return [(r["id"], f"追回{_named(r['title'])} · {yuan(r['amount_fen'])}{r['scope']}") for r in rows]


async def camp_sessions(principal: Principal) -> Pairs:
    from programmes.camps.tables import CampSession

    camp: Any = CampSession.camp
    rows = await _rows(principal, CampSession, camp.title.as_alias("camp"), CampSession.title, CampSession.session_date)
    return [(r["id"], f"{r['camp']} · {r['title']}（{r['session_date']}）{r['scope']}") for r in rows]


# Kind → list; a form field names its kind with ``picked(kind, …)`` (app.admin.picks).
PICK_LISTS: dict[str, PickList] = {
    "round": rounds,
    "edition": editions,
    "programme": programmes,
    "payment_batch": payment_batches,
    "budget_line": budget_lines,
    "publication": publications,
    "objection": objections,
    "inspection_draw": inspection_draws,
    "camp": camps,
    "matching_session": matching_sessions,
    "roadshow_session": roadshow_sessions,
    "finished_export": finished_exports,
    "cohort": cohorts,
    "risk_warning": risk_warnings,
    "agreement": agreements,
    "progress_report": progress_reports,
    "bank_account": bank_accounts,
    "organisation_claim": organisation_claims,
    "demand": demands,
    "matching_case": matching_cases,
    "recommendation": recommendations,
    "resource_offer": resource_offers,
    "prize": prizes,
    "award": awards,
    "clawback": clawbacks,
    "camp_session": camp_sessions,
}
