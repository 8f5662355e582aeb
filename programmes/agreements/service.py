"""资助协议: written with the award, signed by the organisation, countersigned by an officer.

Countersigning makes the agreement effective and releases the tranches whose condition is ``on_signing``; the
report service releases milestone and final tranches through ``release_tranches`` when a report is accepted.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from piccolo.custom_types import Combinable

from app.access import Row, load, protect
from app.auth.principal import Principal
from app.errors import DomainError, conflict, not_found
from app.money import yuan
from app.notifications.service import notify_organisations
from app.organisations.service import member_organisation_ids
from app.organisations.tables import Organisation
from app.paging import Page, PageParams, fetch_page
from app.settings import get_settings
from app.timezone import now_utc
from app.uow import unit_of_work
from app.workflow.engine import Actor
from programmes.agreements.plan import PaymentPlan
from programmes.agreements.schemas import AgreementRead, PlanReportRead, PlanTrancheRead
from programmes.agreements.tables import Agreement
from programmes.disbursements.service import ensure_second_officer
from programmes.payees.service import verified_account
from programmes.reports.tables import ProgressReport
from programmes.tables import Award, ExpenseCategory, ReleaseCondition, Tranche
from programmes.workflows.agreements import AGREEMENT, PROGRESS_REPORT, AgreementStatus
from programmes.workflows.disbursement import TRANCHE, AwardStatus, TrancheStatus

CONDITION_ZH = {
    ReleaseCondition.on_signing.value: "协议生效后拨付",
    ReleaseCondition.milestone.value: "第 {n} 期中期报告验收通过后拨付",
    ReleaseCondition.final_report.value: "结项报告验收通过后拨付",
}
CATEGORY_ZH = {
    ExpenseCategory.personnel.value: "人员费用",
    ExpenseCategory.activities.value: "活动费用",
    ExpenseCategory.materials.value: "物资采购",
    ExpenseCategory.venue.value: "场地租赁",
    ExpenseCategory.publicity.value: "宣传推广",
    ExpenseCategory.administration.value: "管理费用",
    ExpenseCategory.other.value: "其他",
}


# Back to the organisation: its signature and any first countersignature no longer stand.
UNSIGNED: dict[str, Any] = {
    "signed_by": None,
    "signer_name": "",
    "signed_at": None,
    "first_countersigned_by": None,
    "first_countersigned_at": None,
}


def condition_zh(condition: str, milestone: int | None) -> str:
    return CONDITION_ZH[condition].format(n=milestone)


def agreement_terms(title: str, payee_name: str, amount_fen: int, plan: PaymentPlan) -> str:
    """The text both sides sign. Generated, so it always matches the rows it describes."""
    lines = [
        f"项目：{title}",
        f"资助金额：{yuan(amount_fen)}；收款单位：{payee_name}（须为经核验的本单位银行账户）。",
        "拨付计划：",
    ]
    lines += [
        f"  第 {t.sequence} 笔 {yuan(t.amount_fen)}，{condition_zh(t.condition.value, t.milestone)}"
        for t in plan.tranches
    ]
    for report in plan.reports:
        name = f"第 {report.sequence} 期中期报告" if report.kind == "milestone" else "结项报告"
        lines.append(f"{name}须于 {report.due_on.isoformat()} 前提交。")
    if plan.budget_plan:
        lines.append("项目预算：" + "；".join(f"{CATEGORY_ZH[c]} {yuan(a)}" for c, a in plan.budget_plan.items()))
    lines.append("资金须专款专用；经审计发现违规使用的，主管部门有权追回已拨付资金。")
    return "\n".join(lines)


async def write_plan(
    award_id: int, title: str, payee_id: int, amount_fen: int, plan: PaymentPlan, scope: str | None
) -> int:
    """The award's agreement (draft), planned tranches and due reports. Runs in ``make_award``'s transaction."""
    payee = await Organisation.select(Organisation.name).where(Organisation.id == payee_id).first()
    assert payee is not None
    for tranche in plan.tranches:
        await Tranche.insert(
            Tranche(
                award=award_id,
                sequence=tranche.sequence,
                amount_fen=tranche.amount_fen,
                status=TRANCHE.initial,
                release_condition=tranche.condition.value,
                milestone=tranche.milestone,
                scope_district=scope,
            )
        )
    for report in plan.reports:
        await ProgressReport.insert(
            ProgressReport(
                award=award_id,
                kind=report.kind,
                sequence=report.sequence,
                due_on=report.due_on,
                status=PROGRESS_REPORT.initial,
                scope_district=scope,
            )
        )
    rows = await Agreement.insert(
        Agreement(
            award=award_id,
            status=AGREEMENT.initial,
            terms=agreement_terms(title, payee["name"], amount_fen, plan),
            payee=payee_id,
            budget_plan=plan.budget_plan,
            scope_district=scope,
        )
    ).returning(Agreement.id)
    return int(rows[0]["id"])


async def release_tranches(award_id: int, condition: ReleaseCondition, milestone: int | None, reason: str) -> list[int]:
    """Release the award's planned tranches whose condition has just been met. Caller holds the transaction."""
    query = Tranche.select(Tranche.id).where(
        (Tranche.award == award_id)
        & (Tranche.status == TrancheStatus.planned)
        & (Tranche.release_condition == condition.value)
    )
    if milestone is not None:
        query = query.where(Tranche.milestone == milestone)
    released = []
    async with unit_of_work(Actor.system()) as system:  # joins the caller's unit: releasing is Seedbed's act
        for row in await query.order_by(Tranche.sequence):
            await system.transition(Tranche, row["id"], "release", values={"released_at": now_utc()}, reason=reason)
            released.append(int(row["id"]))
    return released


# What access checks and the read shape need from an agreement's award and application.
_COLUMNS = (
    *Agreement.all_columns(),
    Agreement.award.application.as_alias("application_id"),
    Agreement.award._.application._.organisation.as_alias("organisation_id"),
    Agreement.award.status.as_alias("award_status"),
)


async def _party(principal: Principal, row: Row) -> tuple[bool, str]:
    """Staff in scope, or a member of the funded organisation (or of its custodian, who receives the money)."""
    if principal.is_staff:
        return await AGREEMENTS.rule("staff")(principal, row)
    if {row["organisation_id"], row["payee"]} & set(await member_organisation_ids(principal.user_id)):
        return True, "ok"
    return False, "not_party"


AGREEMENTS = protect(Agreement, "资助协议", rules={"party": _party})


async def _load(principal: Principal, agreement_id: int) -> dict[str, Any]:
    return await load(principal, Agreement, agreement_id, "party", columns=_COLUMNS, load_json=True)


async def _notify_parties(row: dict[str, Any], kind: str, title: str, body: str, dedupe_key: str) -> None:
    """The funded organisation, and the custodian centre (财务代管) when it is the one that receives the money."""
    await notify_organisations({row["organisation_id"], row["payee"]}, kind, title, body, dedupe_key)


async def sign(principal: Principal, agreement_id: int, signer_name: str) -> AgreementRead:
    """A member of the payee signs (电子签署) the draft agreement: the funded organisation, or for a filed group
    (not a legal person) its custodian centre, which receives and answers for the money (财务代管)."""
    row = await _load(principal, agreement_id)
    if row["payee"] not in await member_organisation_ids(principal.user_id):
        raise DomainError("agreement_signed_by_custodian", "备案类团队的资助协议由代管的街镇社会组织服务中心签署", 403)
    async with unit_of_work(Actor.of(principal)) as uow:
        await uow.transition(
            Agreement,
            agreement_id,
            "sign",
            values={"signed_by": principal.user_id, "signer_name": signer_name, "signed_at": now_utc()},
        )
    return await read_agreement(agreement_id)


async def return_signature(principal: Principal, agreement_id: int, reason: str) -> AgreementRead:
    row = await _load(principal, agreement_id)
    async with unit_of_work(Actor.of(principal)) as uow:
        await uow.transition(Agreement, agreement_id, "return_signature", values=UNSIGNED, reason=reason)
        await _notify_parties(
            row,
            "agreement_returned",
            "资助协议被退回，请重新签署",
            f"退回原因：{reason}",
            f"agreement:{agreement_id}:returned:{now_utc().isoformat()}",
        )
    return await read_agreement(agreement_id)


def four_eyes_required(award_amount_fen: int) -> bool:
    """Above SEEDBED_FOUR_EYES_AGREEMENT_FEN an agreement needs two different officers' countersignatures."""
    return award_amount_fen > get_settings().four_eyes_agreement_fen


async def countersign(principal: Principal, agreement_id: int) -> AgreementRead:
    """An officer in scope countersigns: the agreement takes effect and on-signing tranches are released. Above the
    four-eyes amount this officer's countersignature is the first of two (``countersigning``); a second, different
    officer's makes it effective (a database trigger refuses one officer twice)."""
    row = await _load(principal, agreement_id)
    async with unit_of_work(Actor.of(principal)) as uow:
        award = await Award.select(Award.status, Award.amount_fen).where(Award.id == row["award"]).lock_rows("UPDATE")
        if award[0]["status"] != AwardStatus.active:
            raise conflict("award_not_active", "资助已撤销，协议不能生效")
        account = await verified_account(row["payee"])
        if account is None:
            raise DomainError("payee_account_unverified", "收款单位尚无经核验的银行账户，请先提交并由主管部门核验", 409)
        # Re-read under the award lock: two officers countersigning at once see each other's first step.
        current = await Agreement.select(Agreement.status, Agreement.first_countersigned_by).where(
            Agreement.id == agreement_id
        )
        if current[0]["status"] == AgreementStatus.countersigning:
            ensure_second_officer(
                current[0]["first_countersigned_by"],
                principal,
                "该协议金额超过双人复核限额，须由另一名官员复核会签",
            )
            action = "second_countersign"
        elif current[0]["status"] == AgreementStatus.signed and four_eyes_required(award[0]["amount_fen"]):
            await uow.transition(
                Agreement,
                agreement_id,
                "first_countersign",
                values={"first_countersigned_by": principal.user_id, "first_countersigned_at": now_utc()},
            )
            await uow.audit(
                "agreement.four_eyes_requested",
                "agreement",
                agreement_id,
                after={"amount_fen": award[0]["amount_fen"], "limit_fen": get_settings().four_eyes_agreement_fen},
            )
            return await read_agreement(agreement_id)
        else:
            action = "countersign"
        await uow.transition(
            Agreement,
            agreement_id,
            action,
            values={"countersigned_by": principal.user_id, "countersigned_at": now_utc(), "payee_account": account.id},
        )
        released = await release_tranches(row["award"], ReleaseCondition.on_signing, None, "资助协议已生效")
        await uow.audit(
            "agreement.release_on_signing", "agreement", agreement_id, after={"released_tranche_ids": released}
        )
        await _notify_parties(
            row,
            "agreement_effective",
            "资助协议已生效",
            "主管部门已会签资助协议。",
            f"agreement:{agreement_id}:effective",
        )
    return await read_agreement(agreement_id)


async def read_agreement(agreement_id: int) -> AgreementRead:
    """No access check: for a caller that has already loaded the agreement through the policy."""
    row = await Agreement.select(*_COLUMNS).where(Agreement.id == agreement_id).first().output(load_json=True)
    if row is None:
        raise not_found(AGREEMENTS.label_zh)
    [shaped] = await _shaped([dict(row)])
    return shaped


async def read_agreement_for(principal: Principal, agreement_id: int) -> AgreementRead:
    [shaped] = await _shaped([await _load(principal, agreement_id)])
    return shaped


async def _shaped(rows: list[dict[str, Any]]) -> list[AgreementRead]:
    """The read shape of agreements, with their tranches and reports loaded in one query each for all of them."""
    award_ids = [row["award"] for row in rows]
    if not award_ids:
        return []
    tranches: dict[int, list[PlanTrancheRead]] = defaultdict(list)
    for t in (
        await Tranche.select(
            Tranche.award,
            Tranche.id,
            Tranche.sequence,
            Tranche.amount_fen,
            Tranche.status,
            Tranche.release_condition,
            Tranche.milestone,
        )
        .where(Tranche.award.is_in(award_ids))
        .order_by(Tranche.sequence)
    ):
        award_id = t.pop("award")
        tranches[award_id].append(
            PlanTrancheRead(**t, condition_zh=condition_zh(t["release_condition"], t["milestone"]))
        )
    reports: dict[int, list[PlanReportRead]] = defaultdict(list)
    for r in (
        await ProgressReport.select(
            ProgressReport.award,
            ProgressReport.id,
            ProgressReport.kind,
            ProgressReport.sequence,
            ProgressReport.due_on,
            ProgressReport.status,
        )
        .where(ProgressReport.award.is_in(award_ids))
        .order_by(ProgressReport.due_on)
    ):
        reports[r.pop("award")].append(PlanReportRead(**r))
    return [
        AgreementRead(
            id=row["id"],
            award_id=row["award"],
            application_id=row["application_id"],
            status=row["status"],
            terms=row["terms"],
            payee_id=row["payee"],
            payee_account_id=row["payee_account"],
            budget_plan=row["budget_plan"],
            signer_name=row["signer_name"],
            signed_at=row["signed_at"],
            first_countersigned_by=row["first_countersigned_by"],
            first_countersigned_at=row["first_countersigned_at"],
            countersigned_by=row["countersigned_by"],
            countersigned_at=row["countersigned_at"],
            tranches=tranches[row["award"]],
            reports=reports[row["award"]],
        )
        for row in rows
    ]


async def list_agreements(principal: Principal, paging: PageParams) -> Page[AgreementRead]:
    """Staff: agreements in scope; applicants: their organisations' agreements (as funded organisation or payee)."""
    where: list[Combinable] = []
    if principal.is_staff:
        if not principal.is_city_staff:
            where.append(Agreement.scope_district == principal.district)
    else:
        orgs = await member_organisation_ids(principal.user_id)
        if not orgs:
            return Page([], 0, paging)
        where.append(Agreement.award._.application._.organisation.is_in(orgs) | Agreement.payee.is_in(orgs))
    query = Agreement.select(*_COLUMNS).order_by(Agreement.id).output(load_json=True)
    page = await fetch_page(Agreement, query, paging, *where)
    return page.map(await _shaped(page.items))
