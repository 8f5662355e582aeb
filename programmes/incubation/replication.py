"""复制推广: an officer in scope proposes a replication of a graduated 优秀/合格 project (or of an approved
replication of one) by another organisation in another district or street, then approves or rejects it. The
lineage runs origin → replications → their replications; counts and beneficiaries per district; and each
replicated practice has a public page."""

from __future__ import annotations

from typing import Any

from app.access import load
from app.auth.principal import Principal
from app.errors import conflict, invalid, not_found
from app.organisations.tables import Organisation
from app.paging import Page, PageParams, fetch_page
from app.timezone import now_utc
from app.uow import unit_of_work
from app.workflow.engine import Actor
from programmes.incubation.access import PROJECTS
from programmes.incubation.project_reads import read as read_project
from programmes.incubation.schemas import (
    DistrictCount,
    LineageNode,
    LineageRead,
    PracticePublicRead,
    ReplicationCreate,
    ReplicationRead,
)
from programmes.incubation.tables import Replication, SupportedProject
from programmes.workflows.incubation import REPLICATION, SUPPORTED_PROJECT, ReplicationStatus


def _read(row: dict[str, Any]) -> ReplicationRead:
    return ReplicationRead(
        id=row["id"],
        origin_project_id=row["origin"],
        parent_id=row["parent"],
        organisation_id=row["organisation"],
        adviser_organisation_id=row["adviser"],
        title=row["title"],
        plan=row["plan"],
        district=row["district"],
        street=row["street"],
        beneficiaries=row["beneficiaries"],
        status=row["status"],
        status_zh=REPLICATION.states[row["status"]],
        reason=row["reason"],
        approved_at=row["approved_at"],
        created_at=row["created_at"],
    )


async def read(replication_id: int) -> ReplicationRead:
    row = await Replication.select().where(Replication.id == replication_id).first()
    assert row is not None
    return _read(dict(row))


async def read_for(principal: Principal, replication_id: int) -> ReplicationRead:
    return _read(await load(principal, Replication, replication_id, "reader"))


async def _organisation_place(organisation_id: int) -> dict[str, Any]:
    row = (
        await Organisation.select(Organisation.id, Organisation.district, Organisation.street)
        .where(Organisation.id == organisation_id)
        .first()
    )
    if row is None:
        raise invalid("organisation_unknown", "承接复制的社会组织不存在", "organisation_id")
    return dict(row)


async def propose(principal: Principal, data: ReplicationCreate) -> ReplicationRead:
    """Staff in the origin's scope propose the plan; the checks say why a replication cannot be one. The origin
    row is locked so concurrent proposals of the same plan see each other (one live per organisation and street)."""
    if (data.origin_project_id is None) == (data.parent_id is None):
        raise invalid(
            "replication_source_required", "须且只能指定一个复制来源：已结项项目或复制推广项目", "origin_project_id"
        )
    async with unit_of_work(Actor.of(principal)) as uow:
        parent = None
        if data.parent_id is not None:
            parent = await load(principal, Replication, data.parent_id)
            if not REPLICATION.has(parent["status"], "replicable"):
                raise invalid("replication_source_not_approved", "只有已批准的复制推广项目可以再复制", "parent_id")
            origin = await load(principal, SupportedProject, int(parent["origin"]), lock=True)
        else:
            assert data.origin_project_id is not None
            origin = await load(principal, SupportedProject, data.origin_project_id, lock=True)
        if not SUPPORTED_PROJECT.has(origin["status"], "replicable"):
            raise invalid("origin_not_graduated", "只有结项评估为优秀或合格的项目可以复制推广", "origin_project_id")
        source_org = int(parent["organisation"]) if parent else int(origin["organisation"])
        source_place = await _organisation_place(source_org)
        if data.organisation_id in (source_org, int(origin["organisation"])):
            raise invalid("replication_same_organisation", "复制推广须由另一家社会组织承接", "organisation_id")
        await _organisation_place(data.organisation_id)
        if data.district == source_place["district"] and data.street == (source_place["street"] or ""):
            raise invalid("replication_same_place", "复制推广须在另一个区或街镇开展", "street")
        taken = await Replication.exists().where(
            (Replication.origin == origin["id"])
            & (Replication.organisation == data.organisation_id)
            & (Replication.street == data.street)
            & Replication.status.is_in([ReplicationStatus.proposed, ReplicationStatus.approved])
        )
        if taken:
            raise conflict("replication_exists", "该组织已在该街镇复制推广此项目")
        rows = await Replication.insert(
            Replication(
                origin=origin["id"],
                parent=data.parent_id,
                organisation=data.organisation_id,
                adviser=origin["organisation"] if data.origin_as_adviser else None,
                title=data.title,
                plan=data.plan,
                district=data.district,
                street=data.street,
                beneficiaries=data.beneficiaries,
                status=REPLICATION.initial,
                proposed_by=principal.user_id,
                scope_district=origin["scope_district"],
                created_at=now_utc(),
            )
        ).returning(Replication.id)
        replication_id = int(rows[0]["id"])
        await uow.audit("replication.propose", "replication", replication_id, after=data.model_dump(mode="json"))
    return await read(replication_id)


async def _step(
    principal: Principal, replication_id: int, action: str, reason: str = "", **values: Any
) -> ReplicationRead:
    async with unit_of_work(Actor.of(principal)) as uow:
        await load(principal, Replication, replication_id, lock=True)
        await uow.transition(Replication, replication_id, action, reason=reason, values={"reason": reason, **values})
    return await read(replication_id)


async def approve(principal: Principal, replication_id: int) -> ReplicationRead:
    return await _step(principal, replication_id, "approve", approved_at=now_utc())


async def reject(principal: Principal, replication_id: int, reason: str) -> ReplicationRead:
    return await _step(principal, replication_id, "reject", reason)


async def withdraw(principal: Principal, replication_id: int, reason: str) -> ReplicationRead:
    return await _step(principal, replication_id, "withdraw", reason)


async def list_for(principal: Principal, params: PageParams, origin_project_id: int | None) -> Page[ReplicationRead]:
    where = [] if principal.is_city_staff else [Replication.scope_district == principal.district]
    if origin_project_id is not None:
        where.append(Replication.origin == origin_project_id)
    page = await fetch_page(Replication, Replication.select().order_by(Replication.id), params, *where)
    return page.map([_read(row) for row in page.items])


def _per_district(rows: list[dict[str, Any]]) -> list[DistrictCount]:
    counts: dict[str, list[int]] = {}
    for row in rows:
        entry = counts.setdefault(row["district"], [0, 0])
        entry[0] += 1
        entry[1] += int(row["beneficiaries"])
    return [DistrictCount(district=d, replications=c[0], beneficiaries=c[1]) for d, c in sorted(counts.items())]


def _tree(rows: list[dict[str, Any]], parent: int | None) -> list[LineageNode]:
    return [
        LineageNode(replication=_read(row), children=_tree(rows, int(row["id"])))
        for row in rows
        if row["parent"] == parent
    ]


async def lineage(principal: Principal, project_id: int) -> LineageRead:
    """Staff in scope: the origin, its replications as a tree (every state), and approved ones per district."""
    await load(principal, SupportedProject, project_id)
    rows = [
        dict(r) for r in await Replication.select().where(Replication.origin == project_id).order_by(Replication.id)
    ]
    approved = [r for r in rows if REPLICATION.has(r["status"], "lineage")]
    return LineageRead(
        origin=await read_project(project_id), replications=_tree(rows, None), per_district=_per_district(approved)
    )


async def practice(project_id: int) -> PracticePublicRead:
    """Anyone: a replicated practice (a graduated project with at least one approved replication)."""
    project = await SupportedProject.select().where(SupportedProject.id == project_id).first()
    approved = [
        dict(r)
        for r in await Replication.select().where(
            (Replication.origin == project_id) & Replication.status.is_in(REPLICATION.states_with("lineage"))
        )
    ]
    if project is None or not SUPPORTED_PROJECT.has(project["status"], "replicable") or not approved:
        raise not_found(PROJECTS.label_zh)
    organisation = (
        await Organisation.select(Organisation.name).where(Organisation.id == project["organisation"]).first()
    )
    assert organisation is not None
    return PracticePublicRead(
        project_id=project["id"],
        title=project["title"],
        organisation_name=organisation["name"],
        outcome=project["status"],
        outcome_zh=SUPPORTED_PROJECT.states[project["status"]],
        goals=project["goals"],
        replications=len(approved),
        beneficiaries=sum(int(r["beneficiaries"]) for r in approved),
        districts=_per_district(approved),
    )
