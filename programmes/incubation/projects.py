"""Cohorts and their supported projects: an officer in scope creates a cohort for a 沪社星耀 edition and adds the
edition's selected or awarded applications; the plan holds goals and indicators, while milestones are the award's
own progress reports and the tranches they release (read in ``programmes.incubation.project_reads``, never
copied); a milestone report records the indicators' values, which count once the report is accepted."""

from __future__ import annotations

from typing import Any

from piccolo.columns import Column

from app.access import load
from app.auth.principal import Principal
from app.errors import DomainError, FieldError, conflict, invalid
from app.paging import Page, PageParams, fetch_page
from app.timezone import now_utc
from app.uow import unit_of_work
from app.workflow.engine import Actor
from programmes.catalogue.access import EDITIONS
from programmes.incubation.access import COHORTS, PROJECTS  # noqa: F401 — declares the policies load() reads
from programmes.incubation.project_reads import award_of, read
from programmes.incubation.schemas import (
    CohortCreate,
    CohortRead,
    IndicatorValues,
    PlanWrite,
    ProjectJoin,
    ProjectRead,
)
from programmes.incubation.tables import Cohort, IndicatorValue, ProjectIndicator, SupportedProject
from programmes.kinds import RoundStage
from programmes.reports.tables import ProgressReport
from programmes.tables import Application, Award, Edition, ProgrammeKind
from programmes.workflows.agreements import ProgressReportStatus
from programmes.workflows.incubation import SUPPORTED_PROJECT

# A support-plan application may join a cohort once it is selected (入选) or awarded (已签约资助).
JOINABLE = ("selected", "awarded")


async def _project_counts(cohort_ids: list[int]) -> dict[int, int]:
    """How many projects each cohort holds, in one grouped query."""
    rows = await SupportedProject.raw(
        "SELECT cohort, count(*) AS projects FROM supported_project WHERE cohort = ANY({}::bigint[]) GROUP BY cohort",
        cohort_ids or [0],
    )
    return {int(r["cohort"]): int(r["projects"]) for r in rows}


async def _cohort_read(row: dict[str, Any], projects: int | None = None) -> CohortRead:
    if projects is None:
        projects = (await _project_counts([int(row["id"])])).get(int(row["id"]), 0)
    return CohortRead(
        id=row["id"],
        edition_id=row["edition"],
        name=row["name"],
        description=row["description"],
        projects=int(projects),
        scope_district=row["scope_district"],
        created_at=row["created_at"],
    )


async def create_cohort(principal: Principal, data: CohortCreate) -> CohortRead:
    """An officer in the edition's scope opens a cohort of a 沪社星耀 edition."""
    edition = await load(principal, EDITIONS.table, data.edition_id)
    kind = await Edition.select(Edition.programme._.kind.as_alias("kind")).where(Edition.id == data.edition_id).first()
    assert kind is not None
    if kind["kind"] != ProgrammeKind.support_plan:
        raise invalid("cohort_not_support_plan", "扶持批次只能建立在沪社星耀的届次下", "edition_id")
    async with unit_of_work(Actor.of(principal)) as uow:
        taken = await Cohort.exists().where((Cohort.edition == data.edition_id) & (Cohort.name == data.name))
        if taken:
            raise DomainError(
                "cohort_name_taken",
                "该届次已有同名批次",
                409,
                [FieldError("name", "cohort_name_taken", "该届次已有同名批次")],
            )
        rows = await Cohort.insert(
            Cohort(
                edition=data.edition_id,
                name=data.name,
                description=data.description,
                scope_district=edition["scope_district"],
                created_by=principal.user_id,
                created_at=now_utc(),
            )
        ).returning(Cohort.id)
        cohort_id = int(rows[0]["id"])
        await uow.audit("cohort.create", "cohort", cohort_id, after=data.model_dump(mode="json"))
    return await read_cohort(principal, cohort_id)


async def read_cohort(principal: Principal, cohort_id: int) -> CohortRead:
    return await _cohort_read(await load(principal, Cohort, cohort_id))


async def list_cohorts(principal: Principal, params: PageParams) -> Page[CohortRead]:
    where = () if principal.is_city_staff else (Cohort.scope_district == principal.district,)
    page = await fetch_page(Cohort, Cohort.select().order_by(Cohort.id), params, *where)
    counts = await _project_counts([int(row["id"]) for row in page.items])
    return page.map([await _cohort_read(row, counts.get(int(row["id"]), 0)) for row in page.items])


async def join(principal: Principal, cohort_id: int, data: ProjectJoin) -> ProjectRead:
    """Add a selected or awarded application of the cohort's edition (once: unique per application)."""
    async with unit_of_work(Actor.of(principal)) as uow:
        cohort = await load(principal, Cohort, cohort_id, lock=True)
        application = await (
            Application.select(
                Application.id,
                Application.status,
                Application.title,
                Application.organisation,
                Application.round._.edition.as_alias("edition"),
                Application.round._.stage.as_alias("stage"),
            )
            .where(Application.id == data.application_id)
            .first()
        )
        # A graduation round's entry is a project under evaluation, never a new project.
        if (
            application is None
            or application["edition"] != cohort["edition"]
            or application["stage"] == RoundStage.graduation
        ):
            raise invalid("project_not_in_edition", "该申报不属于本批次的届次", "application_id")
        if application["status"] not in JOINABLE:
            raise invalid("project_not_selected", "只有入选或已签约资助的申报可以加入扶持批次", "application_id")
        if await SupportedProject.exists().where(SupportedProject.application == data.application_id):
            raise conflict("project_already_in_cohort", "该申报已在扶持批次中")
        award = await Award.select(Award.id).where(Award.application == data.application_id).first()
        rows = await SupportedProject.insert(
            SupportedProject(
                cohort=cohort_id,
                application=data.application_id,
                award=award["id"] if award else None,
                organisation=application["organisation"],
                title=application["title"],
                status=SUPPORTED_PROJECT.initial,
                scope_district=cohort["scope_district"],
                created_at=now_utc(),
            )
        ).returning(SupportedProject.id)
        project_id = int(rows[0]["id"])
        await uow.audit("supported_project.join", "supported_project", project_id, after=data.model_dump())
    return await read(project_id)


async def write_plan(principal: Principal, project_id: int, data: PlanWrite) -> ProjectRead:
    """Staff in scope or the organisation set goals and indicators while the project is in progress. Indicators
    with recorded values keep their id (matched by name); the others are replaced."""
    names = [i.name for i in data.indicators]
    if len(set(names)) != len(names):
        raise invalid("indicator_duplicate", "指标名称不能重复", "indicators")
    async with unit_of_work(Actor.of(principal)) as uow:
        project = await load(principal, SupportedProject, project_id, "reader", lock=True)
        if not SUPPORTED_PROJECT.has(project["status"], "plan_editable"):
            raise conflict(
                "plan_not_editable", f"项目当前状态为「{SUPPORTED_PROJECT.states[project['status']]}」，不能修改计划"
            )
        existing = {r["name"]: r for r in await ProjectIndicator.select().where(ProjectIndicator.project == project_id)}
        for indicator in data.indicators:
            if indicator.name in existing:
                values: dict[Column | str, Any] = {
                    ProjectIndicator.unit: indicator.unit,
                    ProjectIndicator.baseline: indicator.baseline,
                    ProjectIndicator.target: indicator.target,
                }
                await ProjectIndicator.update(values).where(ProjectIndicator.id == existing[indicator.name]["id"])
                continue
            await ProjectIndicator.insert(
                ProjectIndicator(
                    project=project_id,
                    name=indicator.name,
                    scope_district=project["scope_district"],
                    unit=indicator.unit,
                    baseline=indicator.baseline,
                    target=indicator.target,
                    created_at=now_utc(),
                )
            )
        dropped = [r["id"] for name, r in existing.items() if name not in names]
        if dropped:
            if await IndicatorValue.exists().where(IndicatorValue.indicator.is_in(dropped)):
                raise conflict("indicator_has_values", "已有填报数值的指标不能删除")
            await ProjectIndicator.delete().where(ProjectIndicator.id.is_in(dropped))
        await SupportedProject.update({SupportedProject.goals: data.goals}).where(SupportedProject.id == project_id)
        await uow.audit("supported_project.plan", "supported_project", project_id, after=data.model_dump())
    return await read(project_id)


async def record_values(principal: Principal, project_id: int, data: IndicatorValues) -> ProjectRead:
    """The organisation (or staff) states indicator values with one of the award's reports, before it is accepted:
    the officer's acceptance of the report is what makes them count."""
    async with unit_of_work(Actor.of(principal)) as uow:
        project = await load(principal, SupportedProject, project_id, "reader", lock=True)
        if not SUPPORTED_PROJECT.has(project["status"], "reporting"):
            raise conflict("project_not_reporting", "项目已结项，不能再填报指标")
        award_id = await award_of(project)
        report = await ProgressReport.select().where(ProgressReport.id == data.report_id).first()
        if report is None or award_id is None or report["award"] != award_id:
            raise invalid("report_not_of_project", "该报告不属于本项目", "report_id")
        if report["status"] == ProgressReportStatus.accepted:
            raise conflict("report_already_accepted", "报告已验收，指标数值不能再修改")
        own = {
            r["id"]
            for r in await ProjectIndicator.select(ProjectIndicator.id).where(ProjectIndicator.project == project_id)
        }
        for index, item in enumerate(data.values):
            if item.indicator_id not in own:
                raise invalid("indicator_not_of_project", "该指标不属于本项目", f"values.{index}.indicator_id")
        for item in data.values:
            await IndicatorValue.delete().where(
                (IndicatorValue.indicator == item.indicator_id) & (IndicatorValue.report == data.report_id)
            )
            await IndicatorValue.insert(
                IndicatorValue(
                    indicator=item.indicator_id,
                    report=data.report_id,
                    value=item.value,
                    recorded_by=principal.user_id,
                    scope_district=project["scope_district"],
                    recorded_at=now_utc(),
                )
            )
        await uow.audit("supported_project.values", "supported_project", project_id, after=data.model_dump())
    return await read(project_id)
