"""中期/结项报告: the funded organisation fills in and submits its reports; an officer accepts or returns them.

Accepting milestone report N releases the tranches whose condition is ``milestone`` N, accepting the final report
(only once every milestone report is accepted) releases the ``final_report`` tranche — in the same transaction, so a
report is never accepted without its money becoming payable, nor money released twice.
"""

from __future__ import annotations

import json
from typing import Any

from piccolo.custom_types import Combinable
from piccolo.query.methods.select import Select

from app.access import Row, load, protect
from app.auth.principal import Principal
from app.errors import DomainError, FieldError, conflict, not_found
from app.organisations.custody import acting_organisation_ids
from app.paging import Page, PageParams, fetch_page
from app.timezone import now_utc
from app.uow import unit_of_work
from app.workflow.engine import Actor
from programmes.agreements.service import release_tranches
from programmes.agreements.tables import Agreement
from programmes.applications.notify import notify_members
from programmes.attachments.tables import Attachment
from programmes.reports.form import report_answer_errors, report_schema
from programmes.reports.schemas import ExpenseRead, LinkedTrancheRead, ReportDraft, ReportRead, ReportSummary
from programmes.reports.tables import ProgressReport, ReportExpense, ReportKind
from programmes.tables import Award, ReleaseCondition, Tranche
from programmes.workflows.agreements import AGREEMENT, PROGRESS_REPORT, AgreementStatus, ProgressReportStatus
from programmes.workflows.disbursement import AwardStatus

WHAT = "项目报告"


def report_name(kind: str, sequence: int) -> str:
    return f"第 {sequence} 期中期报告" if kind == ReportKind.milestone.value else "结项报告"


def _loaded(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str) else value


_SUMMARY = (
    ProgressReport.id,
    ProgressReport.award,
    ProgressReport.award.application.as_alias("application_id"),
    ProgressReport.award._.application._.title.as_alias("title"),
    ProgressReport.kind,
    ProgressReport.sequence,
    ProgressReport.due_on,
    ProgressReport.status,
    ProgressReport.submitted_at,
    ProgressReport.reviewed_at,
)
# A whole report with what access checks, the form and the notifications need from its award and application.
_REPORT = (
    *ProgressReport.all_columns(),
    ProgressReport.award.application.as_alias("application_id"),
    ProgressReport.award._.application._.organisation.as_alias("organisation_id"),
    ProgressReport.award._.application._.title.as_alias("title"),
    ProgressReport.award.status.as_alias("award_status"),
    ProgressReport.award._.application._.round._.edition._.report_schema.as_alias("edition_report_schema"),
)


def _summary(row: dict[str, Any]) -> ReportSummary:
    return ReportSummary(**{**row, "award_id": row["award"]})


async def _member(principal: Principal, row: Row) -> tuple[bool, str]:
    """A member of the funded organisation (or of a filed group's custodian centre)."""
    if row["organisation_id"] in await acting_organisation_ids(principal.user_id):
        return True, "ok"
    return False, "not_member"


async def _party(principal: Principal, row: Row) -> tuple[bool, str]:
    """Staff in scope, or a member (see ``_member``)."""
    if principal.is_staff:
        return await REPORTS.rule("staff")(principal, row)
    return await _member(principal, row)


REPORTS = protect(ProgressReport, WHAT, rules={"party": _party, "member": _member})


async def _load(principal: Principal, report_id: int, need: str) -> dict[str, Any]:
    row = await load(principal, ProgressReport, report_id, need, columns=_REPORT, load_json=True)
    return {**row, "edition_report_schema": _loaded(row["edition_report_schema"]) or {}}


async def _agreement_of(award_id: int) -> dict[str, Any] | None:
    row = (
        await Agreement.select(Agreement.id, Agreement.status, Agreement.budget_plan)
        .where(Agreement.award == award_id)
        .output(load_json=True)
        .first()
    )
    return None if row is None else {**row, "budget_plan": _loaded(row["budget_plan"]) or {}}


def _linked_tranches(award_id: int, kind: str, sequence: int) -> Any:
    query = Tranche.select(Tranche.id, Tranche.sequence, Tranche.amount_fen, Tranche.status).where(
        Tranche.award == award_id
    )
    if kind == ReportKind.milestone.value:
        query = query.where(
            (Tranche.release_condition == ReleaseCondition.milestone.value) & (Tranche.milestone == sequence)
        )
    else:
        query = query.where(Tranche.release_condition == ReleaseCondition.final_report.value)
    return query.order_by(Tranche.sequence)


async def read_report_for(principal: Principal, report_id: int) -> ReportRead:
    """Staff in scope, or a member of the funded organisation (or of a filed group's custodian centre); others: 404."""
    return await _read(await _load(principal, report_id, "party"))


async def read_report(report_id: int) -> ReportRead:
    """No access check: for a caller that has already loaded the report through the policy."""
    row = await ProgressReport.select(*_REPORT).where(ProgressReport.id == report_id).output(load_json=True).first()
    if row is None:
        raise not_found(WHAT)
    return await _read({**row, "edition_report_schema": _loaded(row["edition_report_schema"]) or {}})


async def _read(row: dict[str, Any]) -> ReportRead:
    agreement = await _agreement_of(row["award"])
    expenses = (
        await ReportExpense.select(
            ReportExpense.id,
            ReportExpense.category,
            ReportExpense.description,
            ReportExpense.amount_fen,
            ReportExpense.spent_on,
        )
        .where(ReportExpense.report == row["id"])
        .order_by(ReportExpense.id)
    )
    return ReportRead(
        **_summary(row).model_dump(),
        agreement_id=agreement["id"] if agreement else None,
        agreement_status=agreement["status"] if agreement else None,
        form_schema=report_schema(row["edition_report_schema"], row["kind"]),
        answers=_loaded(row["answers"]) or {},
        attachment_ids=_loaded(row["attachment_ids"]) or [],
        expenses=[ExpenseRead(**e) for e in expenses],
        return_reason=row["return_reason"],
        tranches=[LinkedTrancheRead(**t) for t in await _linked_tranches(row["award"], row["kind"], row["sequence"])],
    )


def _ordered() -> Select[Any]:
    # A fresh query per call: Piccolo's where()/limit() change the query they are called on, so a module-level query
    # would keep every earlier caller's filters (the second user's list came back empty).
    return ProgressReport.select(*_SUMMARY).order_by(ProgressReport.due_on, ProgressReport.id)


async def list_mine(principal: Principal, paging: PageParams) -> Page[ReportSummary]:
    """Reports of my organisations' signed or effective agreements (a draft agreement asks for nothing yet)."""
    orgs = await acting_organisation_ids(principal.user_id)
    if not orgs:
        return Page([], 0, paging)
    awards = await Agreement.select(Agreement.award).where(
        Agreement.status.is_in(AGREEMENT.states_with("reports_open"))
        & Agreement.award._.application._.organisation.is_in(orgs)
    )
    if not awards:
        return Page([], 0, paging)
    page = await fetch_page(
        ProgressReport, _ordered(), paging, ProgressReport.award.is_in([a["award"] for a in awards])
    )
    return page.map([_summary(r) for r in page.items])


async def list_reports(
    principal: Principal, status: str | None, award_id: int | None, paging: PageParams
) -> Page[ReportSummary]:
    """Officers: reports in scope, optionally one status or one award."""
    if status is not None and status not in PROGRESS_REPORT.states:
        choices = "、".join(PROGRESS_REPORT.states)
        raise DomainError(
            "query_invalid", "查询条件有误", 422, [FieldError("status", "status_unknown", f"状态应为 {choices} 之一")]
        )
    where: list[Combinable] = []
    if not principal.is_city_staff:
        where.append(ProgressReport.scope_district == principal.district)
    if status is not None:
        where.append(ProgressReport.status == status)
    if award_id is not None:
        where.append(ProgressReport.award == award_id)
    page = await fetch_page(ProgressReport, _ordered(), paging, *where)
    return page.map([_summary(r) for r in page.items])


async def save_draft(principal: Principal, report_id: int, data: ReportDraft) -> ReportRead:
    """A member saves the report while it is due or returned; the expense lines are replaced. Checked on submit."""
    row = await _load(principal, report_id, "member")
    async with unit_of_work(Actor.of(principal)) as uow:
        locked = await ProgressReport.select(ProgressReport.status).where(ProgressReport.id == report_id).lock_rows()
        if not PROGRESS_REPORT.has(locked[0]["status"], "applicant_edits"):
            raise conflict(
                "report_not_editable", f"{report_name(row['kind'], row['sequence'])}已提交或已验收，不能修改"
            )
        await ProgressReport.update(
            {ProgressReport.answers: data.answers, ProgressReport.attachment_ids: list(data.attachment_ids)}
        ).where(ProgressReport.id == report_id)
        await ReportExpense.delete().where(ReportExpense.report == report_id)
        if data.expenses:
            await ReportExpense.insert(
                *[
                    ReportExpense(
                        report=report_id,
                        category=line.category.value,
                        description=line.description,
                        amount_fen=line.amount_fen,
                        spent_on=line.spent_on,
                        scope_district=row["scope_district"],
                    )
                    for line in data.expenses
                ]
            )
        await uow.audit(
            "progress_report.save",
            "progress_report",
            report_id,
            after={"expense_lines": len(data.expenses), "attachments": len(data.attachment_ids)},
        )
    return await read_report(report_id)


async def _submission_errors(row: dict[str, Any], budget_plan: dict[str, Any]) -> list[FieldError]:
    answers = _loaded(row["answers"]) or {}
    errors = report_answer_errors(report_schema(row["edition_report_schema"], row["kind"]), answers)
    attachment_ids = [int(i) for i in _loaded(row["attachment_ids"]) or []]
    if attachment_ids:
        own = await Attachment.select(Attachment.id).where(
            Attachment.id.is_in(attachment_ids) & (Attachment.application == row["application_id"])
        )
        foreign = sorted(set(attachment_ids) - {a["id"] for a in own})
        if foreign:
            shown = "、".join(str(i) for i in foreign)
            errors.append(
                FieldError("attachment_ids", "attachment_not_of_application", f"附件 {shown} 不属于本项目的申报")
            )
    if budget_plan:
        lines = (
            await ReportExpense.select(ReportExpense.category)
            .where(ReportExpense.report == row["id"])
            .order_by(ReportExpense.id)
        )
        errors += [
            FieldError(f"expenses[{i}].category", "expense_category_not_budgeted", "该支出类别不在协议的项目预算之内")
            for i, line in enumerate(lines)
            if line["category"] not in budget_plan
        ]
    return errors


async def submit(principal: Principal, report_id: int) -> ReportRead:
    """A member submits the saved report: the agreement must be effective and the award active; the answers,
    attachments and expense categories are checked, every problem reported at once (422, nothing changes)."""
    row = await _load(principal, report_id, "member")
    async with unit_of_work(Actor.of(principal)) as uow:
        # Award first, then report: the same lock order as accept, so the two never deadlock.
        award = await Award.select(Award.status).where(Award.id == row["award"]).lock_rows()
        agreement = await _agreement_of(row["award"])
        if agreement is None or agreement["status"] != AgreementStatus.effective:
            raise conflict("agreement_not_effective", "资助协议尚未生效（须机构签署并经主管部门会签），暂不能提交报告")
        if award[0]["status"] != AwardStatus.active:
            raise conflict("award_not_active", "资助已撤销，不能提交报告")
        current = (
            await ProgressReport.select(*ProgressReport.all_columns())
            .where(ProgressReport.id == report_id)
            .lock_rows()
            .output(load_json=True)
        )
        if not PROGRESS_REPORT.has(current[0]["status"], "applicant_edits"):
            raise conflict("report_not_editable", f"{report_name(row['kind'], row['sequence'])}已提交或已验收")
        errors = await _submission_errors({**row, **current[0]}, agreement["budget_plan"])
        if errors:
            raise DomainError("report_invalid", "报告填写不完整或有误，请按提示修改", 422, errors)
        await uow.transition(
            ProgressReport,
            report_id,
            "submit",
            values={"submitted_by": principal.user_id, "submitted_at": now_utc()},
        )
    return await read_report(report_id)


async def accept(principal: Principal, report_id: int) -> ReportRead:
    """An officer in scope accepts a submitted report and, in the same transaction, releases its tranche(s).

    The final report is accepted only after every milestone report (409 ``milestones_not_accepted``)."""
    row = await _load(principal, report_id, "party")
    name = report_name(row["kind"], row["sequence"])
    async with unit_of_work(Actor.of(principal)) as uow:
        award = await Award.select(Award.status).where(Award.id == row["award"]).lock_rows()
        if award[0]["status"] != AwardStatus.active:
            raise conflict("award_not_active", "资助已撤销，不能验收报告")
        if row["kind"] == ReportKind.final.value:
            open_milestones = await ProgressReport.select(ProgressReport.sequence).where(
                (ProgressReport.award == row["award"])
                & (ProgressReport.kind == ReportKind.milestone.value)
                & (ProgressReport.status != ProgressReportStatus.accepted)
            )
            if open_milestones:
                numbers = "、".join(str(r["sequence"]) for r in sorted(open_milestones, key=lambda r: r["sequence"]))
                raise conflict("milestones_not_accepted", f"第 {numbers} 期中期报告尚未验收，不能验收结项报告")
        await uow.transition(
            ProgressReport,
            report_id,
            "accept",
            values={"reviewed_by": principal.user_id, "reviewed_at": now_utc()},
        )
        if row["kind"] == ReportKind.milestone.value:
            released = await release_tranches(
                row["award"], ReleaseCondition.milestone, row["sequence"], f"{name}验收通过"
            )
        else:
            released = await release_tranches(row["award"], ReleaseCondition.final_report, None, f"{name}验收通过")
        await uow.audit(
            "progress_report.release", "progress_report", report_id, after={"released_tranche_ids": released}
        )
        await notify_members(
            row["application_id"],
            "report_accepted",
            f"{name}已验收通过",
            f"「{row['title']}」的{name}已验收通过" + ("，对应款项将按计划拨付。" if released else "。"),
            f"report:{report_id}:accepted",
        )
    return await read_report(report_id)


async def return_report(principal: Principal, report_id: int, reason: str) -> ReportRead:
    """An officer in scope returns a submitted report for revision; the organisation sees the reason."""
    row = await _load(principal, report_id, "party")
    name = report_name(row["kind"], row["sequence"])
    now = now_utc()
    async with unit_of_work(Actor.of(principal)) as uow:
        await uow.transition(
            ProgressReport,
            report_id,
            "return",
            values={"return_reason": reason, "reviewed_by": principal.user_id, "reviewed_at": now},
            reason=reason,
        )
        await notify_members(
            row["application_id"],
            "report_returned",
            f"{name}被退回修改",
            f"「{row['title']}」的{name}被退回，请修改后重新提交。退回原因：{reason}",
            f"report:{report_id}:returned:{now.isoformat()}",
        )
    return await read_report(report_id)
