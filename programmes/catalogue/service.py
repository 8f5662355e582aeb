"""Programmes, editions and rounds (with their form and rubric): set up and run by officers."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from app.access import load
from app.auth.principal import Principal
from app.errors import DomainError, not_found
from app.paging import Page, PageParams, fetch_page
from app.timezone import now_utc
from app.uow import unit_of_work
from app.workflow.engine import Actor
from programmes.applications.repository import tracks_of
from programmes.catalogue.access import EDITIONS, PROGRAMMES, ROUNDS  # noqa: F401 — the policies load() reads
from programmes.catalogue.rules import check_attachment_limits, check_criteria, check_window
from programmes.catalogue.schemas import (
    CriterionRead,
    EditionCreate,
    EditionRead,
    FormVersionCreate,
    ProgrammeCreate,
    ProgrammeRead,
    RankingRow,
    RoundCreate,
    RoundRead,
    TrackRead,
)
from programmes.forms import check_form_schema
from programmes.kinds import RoundStage
from programmes.ports import review_side
from programmes.scope import district_for_new_programme
from programmes.stages.rules import check_stage
from programmes.tables import Criterion, Edition, FormVersion, Programme, Round, Track
from programmes.workflows import RoundStatus
from programmes.workflows.contest import CONTEST_ROUND


async def create_programme(principal: Principal, data: ProgrammeCreate) -> ProgrammeRead:
    """Officers (own district, or any scope for city staff) create a programme."""
    district = district_for_new_programme(principal, data.scope_district.value if data.scope_district else None)
    async with unit_of_work(Actor.of(principal)) as uow:
        rows = await Programme.insert(
            Programme(
                name=data.name,
                kind=data.kind,
                scope_district=district,
                description=data.description,
                conflict_rules=list(data.conflict_rules),
            )
        ).returning(*Programme.all_columns())
        row = rows[0]
        await uow.audit("programme.create", "programme", row["id"], after={"name": data.name, "kind": data.kind.value})
    return ProgrammeRead(**row)


async def list_programmes(principal: Principal, paging: PageParams) -> Page[ProgrammeRead]:
    scope = () if principal.is_city_staff else (Programme.scope_district == principal.district,)
    page = await fetch_page(Programme, Programme.select().order_by(Programme.id), paging, *scope)
    return page.map([ProgrammeRead(**row) for row in page.items])


async def create_edition(principal: Principal, programme_id: int, data: EditionCreate) -> EditionRead:
    programme = await load(principal, Programme, programme_id)
    async with unit_of_work(Actor.of(principal)) as uow:
        rows = await Edition.insert(
            Edition(
                programme=programme_id, year=data.year, title=data.title, scope_district=programme["scope_district"]
            )
        ).returning(*Edition.all_columns())
        row = rows[0]
        await uow.audit("edition.create", "edition", row["id"], after={"year": data.year, "title": data.title})
    return EditionRead(id=row["id"], programme_id=programme_id, year=row["year"], title=row["title"])


async def create_round(principal: Principal, edition_id: int, data: RoundCreate) -> RoundRead:
    """A round is created in ``draft`` with its form (a new immutable form version) and rubric."""
    edition = await load(principal, Edition, edition_id)
    check_window(data.opens_at, data.closes_at)
    check_attachment_limits(data.max_attachment_mb, data.max_application_attachment_mb)
    if len({t.name for t in data.tracks}) != len(data.tracks):
        raise DomainError("tracks_duplicate", "赛道名称不能重复", 422)
    check_criteria(data.criteria)
    check_form_schema(data.form_schema)
    await check_stage(edition_id, data.stage)
    district = edition["scope_district"]
    async with unit_of_work(Actor.of(principal)) as uow:
        form = await FormVersion.insert(
            FormVersion(
                edition=edition_id, title=data.form_title, json_schema=data.form_schema, scope_district=district
            )
        ).returning(FormVersion.id)
        created = await Round.insert(
            Round(
                edition=edition_id,
                name=data.name,
                status=CONTEST_ROUND.initial,
                form=form[0]["id"],
                opens_at=data.opens_at,
                closes_at=data.closes_at,
                blind=data.blind,
                aggregation_method=data.aggregation_method,
                reviews_per_application=data.reviews_per_application,
                eligibility_rules=data.eligibility_rules.model_dump(mode="json"),
                allow_multiple_entries=data.allow_multiple_entries,
                attachment_types=list(data.attachment_types),
                max_attachment_bytes=data.max_attachment_mb * 1024 * 1024,
                max_application_attachment_bytes=data.max_application_attachment_mb * 1024 * 1024,
                scope_district=district,
                stage=data.stage,
                position=data.position,
            )
        ).returning(Round.id)
        round_id = int(created[0]["id"])
        await Criterion.insert(
            *[
                Criterion(
                    round=round_id,
                    code=c.code,
                    name=c.name,
                    weight=c.weight,
                    max_score=c.max_score,
                    position=i,
                    allow_na=c.allow_na,
                    comment_below=c.comment_below,
                    anchors=c.anchors,
                )
                for i, c in enumerate(data.criteria)
            ]
        )
        if data.tracks:
            await Track.insert(
                *[
                    Track(round=round_id, name=t.name, quota=t.quota, position=i, scope_district=district)
                    for i, t in enumerate(data.tracks)
                ]
            )
        await uow.audit(
            "round.create",
            "round",
            round_id,
            after={"name": data.name, "form_id": form[0]["id"], "stage": data.stage, "position": data.position},
        )
    return await read_round(round_id)


async def open_round(principal: Principal, round_id: int) -> RoundRead:
    """Officer opens a draft round for applications. A round cannot open without a form."""
    await load(principal, Round, round_id)  # the form: CONTEST_ROUND's guard, on the locked row
    async with unit_of_work(Actor.of(principal)) as uow:
        await uow.transition(Round, round_id, "open")
    return await read_round(round_id)


async def close_round(principal: Principal, round_id: int) -> list[RankingRow]:
    """Officer closes an open round after its deadline; reviewed applications are ranked by weighted mean."""
    await load(principal, Round, round_id)  # the deadline: CONTEST_ROUND's guard, on the locked row
    async with unit_of_work(Actor.of(principal)) as uow:
        await uow.transition(Round, round_id, "close")
        await review_side().rank_round(round_id)
    return await ranking(round_id)


async def ranking(round_id: int) -> list[RankingRow]:
    # The ranking is the review side's (scoring), reached through programmes.ports; GET /rounds/{id}/ranking is
    # scoring's (scoring/rankings).
    return await review_side().ranking(round_id)


def _round_query() -> Any:
    return Round.select(
        *Round.all_columns(),
        Round.edition._.programme._.id.as_alias("programme_id"),
        Round.edition._.programme._.name.as_alias("programme_name"),
        Round.form.json_schema.as_alias("form_schema"),
    ).output(load_json=True)


async def read_rounds(rows: Sequence[Mapping[str, Any]]) -> list[RoundRead]:
    """Rounds (rows of ``_round_query``) with their criteria and tracks: two more queries, whatever the count."""
    ids = [row["id"] for row in rows]
    criteria: dict[int, list[CriterionRead]] = {}
    for c in (
        await Criterion.select(Criterion.round, Criterion.code, Criterion.name, Criterion.weight, Criterion.max_score)
        .where(Criterion.round.is_in(ids or [0]))
        .order_by(Criterion.position)
        .order_by(Criterion.id)
    ):
        criteria.setdefault(c["round"], []).append(CriterionRead(**c))
    tracks = await tracks_of(ids)
    return [
        RoundRead(
            id=row["id"],
            edition_id=row["edition"],
            programme_id=row["programme_id"],
            programme_name=row["programme_name"],
            name=row["name"],
            status=row["status"],
            opens_at=row["opens_at"],
            closes_at=row["closes_at"],
            blind=row["blind"],
            aggregation_method=row["aggregation_method"],
            reviews_per_application=row["reviews_per_application"],
            tie_break=row["tie_break"] or [],
            form_id=row["form"],
            form_schema=row["form_schema"],
            criteria=criteria.get(row["id"], []),
            tracks=[TrackRead(**t) for t in tracks.get(row["id"], [])],
            eligibility_rules=row["eligibility_rules"] or {},
            allow_multiple_entries=row["allow_multiple_entries"],
            attachment_types=row["attachment_types"] or [],
            max_attachment_bytes=row["max_attachment_bytes"],
            max_application_attachment_bytes=row["max_application_attachment_bytes"],
            stage=row["stage"],
            position=row["position"],
            scope_district=row["scope_district"],
        )
        for row in rows
    ]


async def read_round(round_id: int) -> RoundRead:
    row = await _round_query().where(Round.id == round_id).first()
    if row is None:
        raise not_found("轮次")
    return (await read_rounds([row]))[0]


async def open_call(round_id: int) -> RoundRead:
    """Public: one call accepting applications, with its form."""
    now = now_utc()
    row = await Round.select(Round.status, Round.opens_at, Round.closes_at).where(Round.id == round_id).first()
    if row is None or row["status"] != RoundStatus.open or not row["opens_at"] <= now < row["closes_at"]:
        raise not_found("征集")
    return await read_round(round_id)


async def new_form_version(principal: Principal, round_id: int, data: FormVersionCreate) -> RoundRead:
    """Officer replaces a round's form with a new version. Versions are never edited: applications already
    submitted keep the version they were validated against."""
    current = await load(principal, Round, round_id)
    if not CONTEST_ROUND.has(current["status"], "form_changes"):
        raise DomainError("round_closed", "轮次已关闭，不能更换申报表", 409)
    check_form_schema(data.form_schema)
    async with unit_of_work(Actor.of(principal)) as uow:
        form = await FormVersion.insert(
            FormVersion(
                edition=current["edition"],
                title=data.form_title,
                json_schema=data.form_schema,
                scope_district=current["scope_district"],
            )
        ).returning(FormVersion.id)
        await Round.update({Round.form: form[0]["id"]}).where(Round.id == round_id)
        await uow.audit(
            "round.new_form_version",
            "round",
            round_id,
            before={"form_id": current["form"]},
            after={"form_id": form[0]["id"]},
        )
    return await read_round(round_id)


async def open_rounds(paging: PageParams) -> Page[RoundRead]:
    """Public list of calls accepting applications right now, closing soonest first: four queries a page. A
    graduation round (结项评估) is no call: it only takes the projects officers send to it."""
    now = now_utc()
    query = _round_query().order_by(Round.closes_at).order_by(Round.id)
    page = await fetch_page(
        Round,
        query,
        paging,
        Round.status == RoundStatus.open,
        Round.opens_at <= now,
        Round.closes_at > now,
        Round.stage != RoundStage.graduation,
    )
    return page.map(await read_rounds(page.items))
