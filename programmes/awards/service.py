"""Fund sources, budget lines and awards. An award obligates a budget line and creates its first tranche.

Available money is derived from the ledger (``programmes.ledger.service.available``), read while the budget line
row is locked ``FOR UPDATE``, so concurrent awards against one line serialise and can never take it below zero.
"""

from __future__ import annotations

from asyncpg.exceptions import UniqueViolationError

from app.access import load
from app.auth.principal import Principal
from app.errors import DomainError, conflict, not_found
from app.money import yuan
from app.organisations.tables import Organisation, OrganisationType
from app.uow import unit_of_work
from app.workflow.engine import Actor
from programmes.agreements.plan import payment_plan_for
from programmes.agreements.service import write_plan
from programmes.agreements.tables import Agreement
from programmes.awards.access import AWARDS
from programmes.awards.schemas import (
    AwardCreate,
    AwardRead,
    BudgetLineCreate,
    BudgetLineRead,
    FundSourceCreate,
    FundSourceRead,
    TrancheRead,
)
from programmes.ledger import service as ledger
from programmes.ledger.tables import LedgerKind
from programmes.ports import review_side
from programmes.scope import ensure_staff_scope
from programmes.tables import Application, Award, BudgetLine, Edition, FundSource, Tranche
from programmes.workflows.disbursement import AWARD


async def create_fund_source(principal: Principal, data: FundSourceCreate) -> FundSourceRead:
    async with unit_of_work(Actor.of(principal)) as uow:
        rows = await FundSource.insert(FundSource(name=data.name, kind=data.kind)).returning(*FundSource.all_columns())
        await uow.audit(
            "fund_source.create", "fund_source", rows[0]["id"], after={"name": data.name, "kind": data.kind.value}
        )
    return FundSourceRead(**rows[0])


async def create_budget_line(principal: Principal, edition_id: int, data: BudgetLineCreate) -> BudgetLineRead:
    edition = await Edition.select(Edition.scope_district).where(Edition.id == edition_id).first()
    if edition is None:
        raise not_found("届次")
    ensure_staff_scope(principal, edition["scope_district"], "届次")
    if not await FundSource.exists().where(FundSource.id == data.fund_source_id):
        raise not_found("资金来源")
    async with unit_of_work(Actor.of(principal)) as uow:
        rows = await BudgetLine.insert(
            BudgetLine(
                edition=edition_id,
                fund_source=data.fund_source_id,
                amount_fen=data.amount_fen,
                scope_district=edition["scope_district"],
            )
        ).returning(BudgetLine.id)
        line_id = int(rows[0]["id"])
        await uow.audit("budget_line.create", "budget_line", line_id, after={"amount_fen": data.amount_fen})
    return await read_budget_line(line_id)


async def read_budget_line(budget_line_id: int) -> BudgetLineRead:
    row = await BudgetLine.select().where(BudgetLine.id == budget_line_id).first()
    if row is None:
        raise not_found("预算科目")
    obligated = await ledger.obligated(budget_line_id)
    return BudgetLineRead(
        id=row["id"],
        edition_id=row["edition"],
        fund_source_id=row["fund_source"],
        amount_fen=row["amount_fen"],
        obligated_fen=obligated,
        available_fen=row["amount_fen"] - obligated,
    )


async def make_award(principal: Principal, data: AwardCreate) -> AwardRead:
    """Officer in scope awards a ranked application: obligation entry, award, and its draft agreement with the
    payment plan (planned tranches, due reports). Nothing is payable until the agreement takes effect."""
    plan = payment_plan_for(data)
    application = (
        await Application.select(
            Application.id,
            Application.title,
            Application.status,
            Application.organisation,
            Application.scope_district,
            Application.round.edition.as_alias("edition_id"),
            Application.round.as_alias("round_id"),
        )
        .where(Application.id == data.application_id)
        .first()
    )
    if application is None:
        raise not_found("申报")
    ensure_staff_scope(principal, application["scope_district"], "申报")
    payee_id = await payee_for(application["organisation"])
    scope = application["scope_district"]
    try:
        async with unit_of_work(Actor.of(principal)) as uow:
            lines = await BudgetLine.select().where(BudgetLine.id == data.budget_line_id).lock_rows("UPDATE")
            if not lines or lines[0]["edition"] != application["edition_id"]:
                raise DomainError("budget_line_invalid", "预算科目不存在或不属于该届次", 422)
            available = await ledger.available(data.budget_line_id)
            if data.amount_fen > available:
                raise conflict("budget_exceeded", f"预算余额不足：可用 {yuan(available)}")
            # The engine applies the eligibility gate (programmes.applications.gate) under the row lock.
            await uow.transition(Application, data.application_id, "award")
            await review_side().ensure_noticed(data.application_id, application["round_id"])
            award_rows = await Award.insert(
                Award(
                    application=data.application_id,
                    budget_line=data.budget_line_id,
                    amount_fen=data.amount_fen,
                    award_type=data.award_type,
                    status=AWARD.initial,
                    payee=payee_id,
                    scope_district=scope,
                )
            ).returning(Award.id)
            award_id = int(award_rows[0]["id"])
            await ledger.post(
                LedgerKind.obligation,
                award_id=award_id,
                budget_line_id=data.budget_line_id,
                amount_fen=data.amount_fen,
                idempotency_key=f"award:{award_id}:obligation",
                scope_district=scope,
            )
            agreement_id = await write_plan(award_id, application["title"], payee_id, data.amount_fen, plan, scope)
            await uow.audit(
                "award.create",
                "award",
                award_id,
                after={
                    "amount_fen": data.amount_fen,
                    "payee_id": payee_id,
                    "agreement_id": agreement_id,
                    "tranches": [t.amount_fen for t in plan.tranches],
                },
            )
    except UniqueViolationError as exc:
        raise conflict("already_awarded", "该申报已有资助") from exc
    return await read_award(award_id)


async def payee_for(organisation_id: int) -> int:
    """Filed community groups are never paid directly: their custodian centre receives the money (财务代管)."""
    org = (
        await Organisation.select(Organisation.org_type, Organisation.custodian)
        .where(Organisation.id == organisation_id)
        .first()
    )
    assert org is not None
    if org["org_type"] == OrganisationType.filed_community_group.value:
        return int(org["custodian"])
    return organisation_id


async def read_award(award_id: int) -> AwardRead:
    row = await Award.select().where(Award.id == award_id).first()
    if row is None:
        raise not_found(AWARDS.label_zh)
    tranches = await Tranche.select().where(Tranche.award == award_id).order_by(Tranche.sequence)
    agreement = await Agreement.select(Agreement.id, Agreement.status).where(Agreement.award == award_id).first()
    return AwardRead(
        id=row["id"],
        application_id=row["application"],
        budget_line_id=row["budget_line"],
        amount_fen=row["amount_fen"],
        award_type=row["award_type"],
        status=row["status"],
        payee_id=row["payee"],
        agreement_id=agreement["id"] if agreement else None,
        agreement_status=agreement["status"] if agreement else None,
        tranches=[
            TrancheRead(
                id=t["id"],
                award_id=award_id,
                sequence=t["sequence"],
                amount_fen=t["amount_fen"],
                status=t["status"],
                release_condition=t["release_condition"],
                milestone=t["milestone"],
            )
            for t in tranches
        ],
    )


async def read_award_for(principal: Principal, award_id: int) -> AwardRead:
    await load(principal, Award, award_id, columns=(Award.scope_district,))
    return await read_award(award_id)
