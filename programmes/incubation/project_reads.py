"""A supported project as staff and the organisation read it: the project row with its award (found once the
selected application is awarded, then kept), the award's progress reports as milestones with the tranche each
releases, and the plan's indicators with the latest value an accepted report recorded. Lists read these for a
whole page at once (a few queries whatever the page size); the cohort and plan writes are in
``programmes.incubation.projects``."""

from __future__ import annotations

from typing import Any

from app.access import load
from app.auth.principal import Principal
from app.auth.tables import Role
from app.organisations.membership import acting_organisation_ids
from app.paging import Page, PageParams, fetch_page
from app.timezone import today_shanghai
from programmes.incubation.access import COHORTS, PROJECTS  # noqa: F401 — declares the policies load() reads
from programmes.incubation.schemas import IndicatorRead, MilestoneRead, ProjectRead
from programmes.incubation.tables import Cohort, IndicatorValue, ProjectIndicator, SupportedProject
from programmes.kinds import ReleaseCondition
from programmes.reports.tables import ProgressReport
from programmes.tables import Award, Tranche
from programmes.workflows.agreements import ProgressReportStatus
from programmes.workflows.incubation import SUPPORTED_PROJECT


async def awards_of(projects: list[dict[str, Any]]) -> dict[int, int | None]:
    """The award holding each project's milestones (by project id): set at joining, or found (one query for the
    page) once the selected application is awarded, and then kept on the project."""
    result: dict[int, int | None] = {int(p["id"]): p["award"] for p in projects}
    waiting = {int(p["application"]): int(p["id"]) for p in projects if p["award"] is None}
    if projects:  # asked even when none waits, so a page's statement count does not depend on its rows' states
        found = await Award.select(Award.id, Award.application).where(Award.application.is_in(list(waiting) or [0]))
        for award in found:
            project_id = waiting[int(award["application"])]
            result[project_id] = int(award["id"])
            await SupportedProject.update({SupportedProject.award: award["id"]}).where(
                SupportedProject.id == project_id
            )
    return result


async def award_of(project: dict[str, Any]) -> int | None:
    return (await awards_of([project]))[int(project["id"])]


def _tranche_for(report: dict[str, Any], tranches: list[dict[str, Any]]) -> dict[str, Any] | None:
    for tranche in tranches:
        if report["kind"] == "final" and tranche["release_condition"] == ReleaseCondition.final_report:
            return tranche
        if (
            report["kind"] == "milestone"
            and tranche["release_condition"] == ReleaseCondition.milestone
            and tranche["milestone"] == report["sequence"]
        ):
            return tranche
    return None


async def tranches_of(award_ids: list[int]) -> dict[int, list[dict[str, Any]]]:
    """Each award's tranches, one query."""
    by_award: dict[int, list[dict[str, Any]]] = {a: [] for a in award_ids}
    if award_ids:
        for tranche in await Tranche.select().where(Tranche.award.is_in(award_ids)).order_by(Tranche.sequence):
            by_award[int(tranche["award"])].append(dict(tranche))
    return by_award


async def milestones_of(award_ids: list[int]) -> dict[int, list[MilestoneRead]]:
    """Each award's progress reports, each with the tranche its acceptance releases (two queries for any number)."""
    if not award_ids:
        return {}
    reports = (
        await ProgressReport.select()
        .where(ProgressReport.award.is_in(award_ids))
        .order_by(ProgressReport.due_on)
        .order_by(ProgressReport.id)
    )
    tranches = await tranches_of(award_ids)
    today = today_shanghai()
    result: dict[int, list[MilestoneRead]] = {a: [] for a in award_ids}
    for report in reports:
        tranche = _tranche_for(report, tranches[int(report["award"])])
        done = report["status"] == ProgressReportStatus.accepted
        unsent = report["status"] in (ProgressReportStatus.due, ProgressReportStatus.returned)
        result[int(report["award"])].append(
            MilestoneRead(
                report_id=report["id"],
                kind=report["kind"],
                sequence=report["sequence"],
                due_on=report["due_on"],
                status=report["status"],
                late=not done and unsent and report["due_on"] < today,
                tranche_id=tranche["id"] if tranche else None,
                tranche_amount_fen=tranche["amount_fen"] if tranche else None,
                tranche_status=tranche["status"] if tranche else None,
            )
        )
    return result


async def milestones(award_id: int | None) -> list[MilestoneRead]:
    """The award's progress reports, each with the tranche its acceptance releases."""
    return (await milestones_of([award_id])).get(award_id, []) if award_id is not None else []


async def indicators_of(project_ids: list[int]) -> dict[int, list[IndicatorRead]]:
    """Each project's indicators with the latest value an accepted report recorded (two queries for any number)."""
    result: dict[int, list[IndicatorRead]] = {p: [] for p in project_ids}
    if not project_ids:
        return result
    rows = (
        await ProjectIndicator.select().where(ProjectIndicator.project.is_in(project_ids)).order_by(ProjectIndicator.id)
    )
    values = (
        await IndicatorValue.select(IndicatorValue.indicator, IndicatorValue.value)
        .where(
            IndicatorValue.indicator.is_in([r["id"] for r in rows] or [0])
            & (IndicatorValue.report._.status == ProgressReportStatus.accepted)
        )
        .order_by(IndicatorValue.report._.due_on)
        .order_by(IndicatorValue.id)
    )
    latest = {int(v["indicator"]): float(v["value"]) for v in values}
    for r in rows:
        result[int(r["project"])].append(
            IndicatorRead(
                id=r["id"],
                name=r["name"],
                unit=r["unit"],
                baseline=r["baseline"],
                target=r["target"],
                current=latest.get(int(r["id"])),
                reached=latest.get(int(r["id"]), float("-inf")) >= r["target"],
            )
        )
    return result


async def indicators(project_id: int) -> list[IndicatorRead]:
    """Each indicator with the latest value an accepted report recorded."""
    return (await indicators_of([project_id]))[project_id]


async def reads(rows: list[dict[str, Any]]) -> list[ProjectRead]:
    """Projects (rows read with ``load_json``) with their indicators and milestones, read for all at once."""
    awards = await awards_of(rows)
    steps = await milestones_of([a for a in awards.values() if a is not None])
    marks = await indicators_of([int(r["id"]) for r in rows])
    result = []
    for row in rows:
        award_id = awards[int(row["id"])]
        result.append(
            ProjectRead(
                id=row["id"],
                cohort_id=row["cohort"],
                application_id=row["application"],
                award_id=award_id,
                organisation_id=row["organisation"],
                title=row["title"],
                goals=row["goals"],
                status=row["status"],
                status_zh=SUPPORTED_PROJECT.states[row["status"]],
                reason=row["reason"],
                evaluation=row["evaluation"] or {},
                clawback_id=row["clawback"],
                graduated_at=row["graduated_at"],
                indicators=marks[int(row["id"])],
                milestones=steps.get(award_id, []) if award_id is not None else [],
                created_at=row["created_at"],
            )
        )
    return result


async def read(project_id: int) -> ProjectRead:
    row = await SupportedProject.select().where(SupportedProject.id == project_id).output(load_json=True).first()
    assert row is not None
    return (await reads([dict(row)]))[0]


async def read_for(principal: Principal, project_id: int) -> ProjectRead:
    """Staff in scope see the whole record; the organisation sees a blind evaluation's mean, criterion means and
    each review's score and comment, never who gave it."""
    await load(principal, SupportedProject, project_id, "reader")
    return _as_seen_by(principal, await read(project_id))


async def mine(principal: Principal, params: PageParams) -> Page[ProjectRead]:
    """An applicant's organisations' supported projects (its own and its custody groups'), oldest first, as the
    organisation reads each one (``read_for``)."""
    ids = await acting_organisation_ids(principal.user_id) if principal.role is Role.applicant else []
    query = SupportedProject.select().order_by(SupportedProject.id).output(load_json=True)
    page = await fetch_page(SupportedProject, query, params, SupportedProject.organisation.is_in(ids or [0]))
    return page.map([_as_seen_by(principal, p) for p in await reads([dict(row) for row in page.items])])


def _as_seen_by(principal: Principal, project: ProjectRead) -> ProjectRead:
    if principal.is_staff or not project.evaluation.get("blind"):
        return project
    scores = project.evaluation.get("scores")
    anonymous = (
        [{"score": s["score"], "comment": s.get("comment", "")} for s in scores if isinstance(s, dict)]
        if isinstance(scores, list)
        else []
    )
    return project.model_copy(update={"evaluation": {**project.evaluation, "scores": anonymous}})


async def cohort_projects(principal: Principal, cohort_id: int, params: PageParams) -> Page[ProjectRead]:
    await load(principal, Cohort, cohort_id)
    query = SupportedProject.select().order_by(SupportedProject.id).output(load_json=True)
    page = await fetch_page(SupportedProject, query, params, SupportedProject.cohort == cohort_id)
    return page.map(await reads([dict(row) for row in page.items]))
