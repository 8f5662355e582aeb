"""沪社星耀 for a selected organisation, read-only: its supported projects' plans as the API shows them to the
organisation (goals, indicators, milestones with the tranche each releases, the mentor). The list is the service of
GET /incubation/projects/mine, one project GET /incubation/projects/{id} (another organisation's: the uniform 404),
and the mentors GET /mentorships (an organisation sees its projects' mentorships)."""

from __future__ import annotations

from typing import Any

from litestar import Request, get
from litestar.params import FromPath
from litestar.response import Template

from app.auth.principal import APPLICANTS, CurrentPrincipal
from app.paging import MAX_LIMIT, PageParams, Paging
from app.portal.fields import next_offset
from app.portal.frame import page_opt, render
from programmes.incubation import project_reads
from programmes.incubation.schemas import MilestoneRead
from programmes.reports.tables import ReportKind
from programmes.workflows.agreements import PROGRESS_REPORT, ProgressReportStatus
from programmes.workflows.disbursement import TRANCHE
from scoring.mentors import service as mentors


def yuan(fen: int | None) -> str:
    """Money as people read it: 「12,345.00 元」 (amounts are stored in fen)."""
    return "—" if fen is None else f"{fen / 100:,.2f} 元"


def milestone_name(milestone: MilestoneRead) -> str:
    return "结项报告" if milestone.kind == ReportKind.final else f"第 {milestone.sequence} 次中期报告"


def accepted(milestones: list[MilestoneRead]) -> int:
    """How many of the milestones' reports the officer has accepted (what releases their tranches)."""
    return sum(1 for m in milestones if m.status == ProgressReportStatus.accepted)


def report_status(status: str) -> str:
    return PROGRESS_REPORT.states.get(status, status)


def tranche_status(status: str | None) -> str:
    return TRANCHE.states.get(status, status) if status else "—"


@get("/support-plans", opt=page_opt(APPLICANTS))
async def my_support_plans(request: Request[Any, Any, Any], principal: CurrentPrincipal, paging: Paging) -> Template:
    page = await project_reads.mine(principal, paging)  # the service of GET /incubation/projects/mine
    return render(
        request,
        "support_plans/list.html",
        title="沪社星耀扶持计划",
        projects=page.items,
        accepted=accepted,
        total=page.total,
        next_offset=next_offset(paging, page.has_more),
        limit=paging.limit,
    )


@get("/support-plans/{project_id:int}", opt=page_opt(APPLICANTS))
async def support_plan(
    request: Request[Any, Any, Any], principal: CurrentPrincipal, project_id: FromPath[int]
) -> Template:
    project = await project_reads.read_for(principal, project_id)  # GET /incubation/projects/{id}
    # GET /mentorships as the organisation sees it (its projects' only), narrowed to this project's application.
    reach = await mentors.list_for(principal, PageParams(limit=MAX_LIMIT), None)
    return render(
        request,
        "support_plans/detail.html",
        title=project.title,
        project=project,
        mentorships=[m for m in reach.items if m.application_id == project.application_id],
        yuan=yuan,
        milestone_name=milestone_name,
        report_status=report_status,
        tranche_status=tranche_status,
    )


SUPPORT_PLAN_PAGES = [my_support_plans, support_plan]
