"""The cohort dashboard: per project, milestones done and late, tranches paid, open 预警 and indicators against
their targets, and camp attendance (sessions attended / sessions held in the edition's camps where the project's
organisation holds a seat: ``programmes.camps.participation``). The same rows export to xlsx.

Overdue milestones need no warning of their own: a milestone is the award's progress report, and the daily risk
scan already raises ``report_overdue`` for it (programmes/risk/scan.py); the dashboard counts those warnings."""

from __future__ import annotations

from typing import Any

from piccolo.query.functions.aggregate import Count

from app.access import load
from app.auth.principal import Principal
from app.paging import MAX_LIMIT, Page, PageParams, fetch_page
from programmes.camps.participation import by_organisation
from programmes.incubation.project_reads import awards_of, indicators_of, milestones_of, tranches_of
from programmes.incubation.schemas import DashboardRow
from programmes.incubation.tables import Cohort, SupportedProject
from programmes.risk.tables import RiskWarning
from programmes.workflows.disbursement import TrancheStatus
from programmes.workflows.supervision import RiskWarningStatus
from programmes.xlsx_export import write_xlsx


async def rows(principal: Principal, cohort_id: int, params: PageParams) -> Page[DashboardRow]:
    """One page of the dashboard, a row per project in id order."""
    cohort = await load(principal, Cohort, cohort_id)
    query = SupportedProject.select().order_by(SupportedProject.id)
    page = await fetch_page(SupportedProject, query, params, SupportedProject.cohort == cohort_id)
    return page.map(await _rows(int(cohort["edition"]), page.items))


async def _open_warnings(award_ids: list[int]) -> dict[int, int]:
    if not award_ids:
        return {}
    rows = (
        await RiskWarning.select(RiskWarning.award, Count(alias="n"))
        .where(RiskWarning.award.is_in(award_ids), RiskWarning.status == RiskWarningStatus.open)
        .group_by(RiskWarning.award)
    )
    return {int(r["award"]): int(r["n"]) for r in rows}


async def _rows(edition_id: int, projects: list[dict[str, Any]]) -> list[DashboardRow]:
    """The page's rows; every related table is read once for the whole page (never a query per project)."""
    awards = await awards_of(projects)
    award_ids = [a for a in awards.values() if a is not None]
    steps_of = await milestones_of(award_ids)
    tranches = await tranches_of(award_ids)
    warnings = await _open_warnings(award_ids)
    marks_of = await indicators_of([int(p["id"]) for p in projects])
    attendance = await by_organisation(edition_id, [int(p["organisation"]) for p in projects])
    result = []
    for project in projects:
        award_id = awards[int(project["id"])]
        steps = steps_of.get(award_id, []) if award_id is not None else []
        plan = tranches.get(award_id, []) if award_id is not None else []
        paid = [t for t in plan if t["status"] == TrancheStatus.paid]
        marks = marks_of[int(project["id"])]
        camp = attendance.get(int(project["organisation"]))
        result.append(
            DashboardRow(
                project_id=project["id"],
                title=project["title"],
                organisation_id=project["organisation"],
                status=project["status"],
                milestones_total=len(steps),
                milestones_done=sum(1 for s in steps if s.status == "accepted"),
                milestones_late=sum(1 for s in steps if s.late),
                tranches_total=len(plan),
                tranches_paid=len(paid),
                paid_fen=sum(int(t["amount_fen"]) for t in paid),
                open_warnings=warnings.get(award_id, 0) if award_id is not None else 0,
                indicators_reached=sum(1 for i in marks if i.reached),
                indicators_total=len(marks),
                indicators=marks,
                sessions_attended=camp.attended if camp else 0,
                sessions_held=camp.held if camp else 0,
                attendance_rate=camp.rate if camp else None,
            )
        )
    return result


async def _all_rows(principal: Principal, cohort_id: int) -> list[DashboardRow]:
    result: list[DashboardRow] = []
    offset = 0
    while True:
        page = await rows(principal, cohort_id, PageParams(MAX_LIMIT, offset))
        result.extend(page.items)
        if not page.has_more:
            return result
        offset += MAX_LIMIT


HEADERS = (
    "项目编号",
    "项目名称",
    "状态",
    "里程碑",
    "已完成",
    "逾期",
    "拨付期数",
    "已拨付",
    "已拨付金额（元）",
    "未处理预警",
    "指标达成",
    "训练营出勤（场）",
    "训练营已开课（场）",
    "出勤率（%）",
)


async def export(principal: Principal, cohort_id: int) -> bytes:
    lines = [
        (
            r.project_id,
            r.title,
            r.status,
            r.milestones_total,
            r.milestones_done,
            r.milestones_late,
            r.tranches_total,
            r.tranches_paid,
            r.paid_fen / 100,
            r.open_warnings,
            f"{r.indicators_reached}/{r.indicators_total}",
            r.sessions_attended,
            r.sessions_held,
            None if r.attendance_rate is None else round(r.attendance_rate * 100, 1),
        )
        for r in await _all_rows(principal, cohort_id)
    ]
    return write_xlsx(list(HEADERS), lines, "扶持批次看板")
