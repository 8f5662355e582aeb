"""Routes of 沪社星耀 incubation: cohorts and their dashboard (JSON and xlsx), a supported project's plan and
indicator values, graduation (结项评估), replications (复制推广) with their lineage, and the public practice page."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, Response, get, post, put
from litestar.di import Provide
from litestar.params import FromPath, JSONBody, Parameter

from app.auth.principal import APPLICANTS, APPLICANTS_AND_STAFF, PUBLIC, STAFF, CurrentPrincipal, provide_principal
from app.paging import Paging, page_response
from programmes.content_types import content_disposition
from programmes.incubation import dashboard, graduation, project_reads, projects, replication
from programmes.incubation.schemas import (
    CohortCreate,
    CohortRead,
    DashboardRow,
    GraduationDecision,
    GraduationStart,
    IndicatorValues,
    LineageRead,
    PlanWrite,
    PracticePublicRead,
    ProjectJoin,
    ProjectRead,
    Reason,
    ReplicationCreate,
    ReplicationRead,
)

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
OriginId = Annotated[int | None, Parameter(ge=1, le=2**31 - 1, description="只看该原项目的复制推广")]


class IncubationController(Controller):
    path = "/incubation"
    tags = ["incubation"]
    dependencies = {"principal": Provide(provide_principal)}

    @post("/cohorts", opt={"permission": STAFF}, summary="Open a cohort of a 沪社星耀 edition (officer in scope)")
    async def create_cohort(self, principal: CurrentPrincipal, data: JSONBody[CohortCreate]) -> CohortRead:
        return await projects.create_cohort(principal, data)

    @get("/cohorts", opt={"permission": STAFF}, summary="Cohorts in the caller's scope")
    async def cohorts(
        self, principal: CurrentPrincipal, paging: Paging, request: Request[Any, Any, Any]
    ) -> Response[list[CohortRead]]:
        return page_response(await projects.list_cohorts(principal, paging), request)

    @get("/cohorts/{cohort_id:int}", opt={"permission": STAFF}, summary="A cohort")
    async def cohort(self, principal: CurrentPrincipal, cohort_id: FromPath[int]) -> CohortRead:
        return await projects.read_cohort(principal, cohort_id)

    @post(
        "/cohorts/{cohort_id:int}/projects",
        opt={"permission": STAFF},
        summary="Add a selected or awarded support-plan application of the cohort's edition",
    )
    async def join(
        self, principal: CurrentPrincipal, cohort_id: FromPath[int], data: JSONBody[ProjectJoin]
    ) -> ProjectRead:
        return await projects.join(principal, cohort_id, data)

    @get("/cohorts/{cohort_id:int}/projects", opt={"permission": STAFF}, summary="The cohort's projects")
    async def cohort_projects(
        self, principal: CurrentPrincipal, cohort_id: FromPath[int], paging: Paging, request: Request[Any, Any, Any]
    ) -> Response[list[ProjectRead]]:
        return page_response(await project_reads.cohort_projects(principal, cohort_id, paging), request)

    @get(
        "/cohorts/{cohort_id:int}/dashboard",
        opt={"permission": STAFF},
        summary="Per project: milestones done/late, tranches paid, open warnings, indicators vs target, attendance",
    )
    async def dashboard(
        self, principal: CurrentPrincipal, cohort_id: FromPath[int], paging: Paging, request: Request[Any, Any, Any]
    ) -> Response[list[DashboardRow]]:
        return page_response(await dashboard.rows(principal, cohort_id, paging), request)

    @get("/cohorts/{cohort_id:int}/dashboard.xlsx", opt={"permission": STAFF}, summary="The dashboard as xlsx")
    async def dashboard_xlsx(self, principal: CurrentPrincipal, cohort_id: FromPath[int]) -> Response[bytes]:
        return Response(
            await dashboard.export(principal, cohort_id),
            media_type=XLSX,
            headers={"Content-Disposition": content_disposition("扶持批次看板.xlsx")},
        )

    @get(
        "/projects/mine",
        opt={"permission": APPLICANTS},
        summary="The caller's organisations' supported projects with their plans and milestones",
    )
    async def my_projects(
        self, principal: CurrentPrincipal, paging: Paging, request: Request[Any, Any, Any]
    ) -> Response[list[ProjectRead]]:
        return page_response(await project_reads.mine(principal, paging), request)

    @get(
        "/projects/{project_id:int}",
        opt={"permission": APPLICANTS_AND_STAFF},
        summary="A supported project with its plan and milestones (its organisation, or staff in scope)",
    )
    async def project(self, principal: CurrentPrincipal, project_id: FromPath[int]) -> ProjectRead:
        return await project_reads.read_for(principal, project_id)

    @put(
        "/projects/{project_id:int}/plan",
        opt={"permission": APPLICANTS_AND_STAFF},
        summary="Set goals and indicators (baseline, target, unit) while in progress",
    )
    async def plan(
        self, principal: CurrentPrincipal, project_id: FromPath[int], data: JSONBody[PlanWrite]
    ) -> ProjectRead:
        return await projects.write_plan(principal, project_id, data)

    @post(
        "/projects/{project_id:int}/indicator-values",
        opt={"permission": APPLICANTS_AND_STAFF},
        status_code=200,
        summary="State indicator values with one of the award's reports (they count once it is accepted)",
    )
    async def values(
        self, principal: CurrentPrincipal, project_id: FromPath[int], data: JSONBody[IndicatorValues]
    ) -> ProjectRead:
        return await projects.record_values(principal, project_id, data)

    @post(
        "/projects/{project_id:int}/graduation/start",
        opt={"permission": STAFF},
        status_code=200,
        summary="Start the graduation evaluation (结项评估): carry the project into the edition's graduation round",
    )
    async def start_graduation(
        self, principal: CurrentPrincipal, project_id: FromPath[int], data: JSONBody[GraduationStart]
    ) -> ProjectRead:
        return await graduation.start(principal, project_id, data)

    @post(
        "/projects/{project_id:int}/graduation",
        opt={"permission": STAFF},
        status_code=200,
        summary="Record the outcome 优秀/合格/不合格 with reasons, the experts' submitted scores attached; 不合格 may "
        "start a clawback",
    )
    async def graduate(
        self, principal: CurrentPrincipal, project_id: FromPath[int], data: JSONBody[GraduationDecision]
    ) -> ProjectRead:
        return await graduation.decide(principal, project_id, data)

    @get("/projects/{project_id:int}/lineage", opt={"permission": STAFF}, summary="Origin → replications → theirs")
    async def lineage(self, principal: CurrentPrincipal, project_id: FromPath[int]) -> LineageRead:
        return await replication.lineage(principal, project_id)

    @post("/replications", opt={"permission": STAFF}, summary="Propose a replication of a graduated practice")
    async def propose(self, principal: CurrentPrincipal, data: JSONBody[ReplicationCreate]) -> ReplicationRead:
        return await replication.propose(principal, data)

    @get("/replications", opt={"permission": STAFF}, summary="Replications in scope")
    async def replications(
        self,
        principal: CurrentPrincipal,
        paging: Paging,
        request: Request[Any, Any, Any],
        origin_project_id: OriginId = None,
    ) -> Response[list[ReplicationRead]]:
        return page_response(await replication.list_for(principal, paging, origin_project_id), request)

    @get(
        "/replications/{replication_id:int}",
        opt={"permission": APPLICANTS_AND_STAFF},
        summary="A replication (its organisation, or staff in scope)",
    )
    async def replication(self, principal: CurrentPrincipal, replication_id: FromPath[int]) -> ReplicationRead:
        return await replication.read_for(principal, replication_id)

    @post("/replications/{replication_id:int}/approve", opt={"permission": STAFF}, status_code=200, summary="Approve")
    async def approve(self, principal: CurrentPrincipal, replication_id: FromPath[int]) -> ReplicationRead:
        return await replication.approve(principal, replication_id)

    @post("/replications/{replication_id:int}/reject", opt={"permission": STAFF}, status_code=200, summary="Reject")
    async def reject(
        self, principal: CurrentPrincipal, replication_id: FromPath[int], data: JSONBody[Reason]
    ) -> ReplicationRead:
        return await replication.reject(principal, replication_id, data.reason)

    @get(
        "/practices/{project_id:int}",
        opt={"permission": PUBLIC},
        summary="Public page of a replicated practice: outcome, replications, beneficiaries per district",
    )
    async def practice(self, project_id: FromPath[int]) -> PracticePublicRead:
        return await replication.practice(project_id)
