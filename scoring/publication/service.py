"""公示: officers publish a closed round's advancing projects for N days; objections are resolved by officers; the
result becomes final only after the period ends with no open objection."""

from __future__ import annotations

from datetime import timedelta
from fractions import Fraction
from typing import Any

from app.auth.principal import Principal
from app.db import engine
from app.errors import DomainError, conflict, not_found
from app.timezone import now_utc, shown
from programmes.applications.gate import listing_refusal
from programmes.applications.repository import workflow_of
from programmes.scope import ensure_staff_scope
from programmes.tables import Application, Round, Track
from programmes.workflows.engine import Actor, transition
from programmes.workflows.publication import OBJECTION, PUBLICATION
from scoring.aggregation import Quota, RankedApplication, select_advancing
from scoring.tables import Objection, Publication, RankingEntry

# What "moving on" means per programme kind once a result is final.
FINAL_ACTION = {"contest": "advance", "support_plan": "select"}


async def publish(
    principal: Principal, round_id: int, days: int, top_n: int | None, cutoff: str | None
) -> dict[str, Any]:
    """Officer in scope publishes a closed round: the advancing list (quota per track from the tracks' quotas)."""
    round_row = await Round.select().where(Round.id == round_id).first()
    if round_row is None:
        raise not_found("轮次")
    ensure_staff_scope(principal, round_row["scope_district"], "轮次")
    if round_row["status"] != "closed":
        raise conflict("round_not_closed", "轮次关闭并完成排名后才能公示")
    if await Publication.exists().where(Publication.round == round_id):
        raise conflict("already_published", "该轮次已公示")
    entries = (
        await RankingEntry.select(RankingEntry.rank, RankingEntry.application, RankingEntry.track, RankingEntry.methods)
        .where(RankingEntry.round == round_id)
        .output(load_json=True)
    )
    # Rejected or withdrawn since the ranking: never listed (their ranking rows stay for the record).
    states = {
        a["id"]: a
        for a in await Application.select(
            Application.id, Application.status, Application.eligibility_outcome, Application.eligibility
        ).where(Application.id.is_in([e["application"] for e in entries] or [0]))
    }
    entries = [e for e in entries if states[e["application"]]["status"] == "ranked"]
    ranking = [RankedApplication(e["rank"], e["application"], Fraction(e["methods"]["score"])) for e in entries]
    quotas = {
        str(t["id"]): t["quota"]
        for t in await Track.select(Track.id, Track.quota).where(Track.round == round_id)
        if t["quota"]
    }
    selection = select_advancing(
        ranking,
        Quota(top_n=top_n, per_group=quotas, cutoff=Fraction(cutoff) if cutoff else None),
        {e["application"]: str(e["track"]) for e in entries if e["track"]},
    )
    ensure_listable([states[a] for a in selection.selected])
    names = await Application.select(
        Application.id, Application.title, Application.organisation._.name.as_alias("organisation")
    ).where(Application.id.is_in(list(selection.selected) or [0]))
    by_id = {n["id"]: n for n in names}
    listed = [
        {"application_id": a, "title": by_id[a]["title"], "organisation": by_id[a]["organisation"]}
        for a in selection.selected
    ]
    now = now_utc()
    async with engine().transaction():
        rows = await Publication.insert(
            Publication(
                round=round_id,
                status=PUBLICATION.initial,
                starts_at=now,
                ends_at=now + timedelta(days=days),
                entries=listed,
                published_by=principal.user_id,
                scope_district=round_row["scope_district"],
            )
        ).returning(Publication.id)
    return await read(int(rows[0]["id"]))


def ensure_listable(rows: list[dict[str, Any]]) -> None:
    """The eligibility gate for a 公示: nothing is published while a would-be-listed application fails it. The
    officer decides each one (a written override, or rejection) and publishes again."""
    refusal = listing_refusal(rows)
    if refusal is not None:
        raise refusal


async def read(publication_id: int) -> dict[str, Any]:
    row = (
        await Publication.select(*Publication.all_columns(), Publication.round._.name.as_alias("round_name"))
        .where(Publication.id == publication_id)
        .first()
        .output(load_json=True)
    )
    if row is None:
        raise not_found("公示")
    return {
        "id": row["id"],
        "round_id": row["round"],
        "round_name": row["round_name"],
        "status": row["status"],
        "starts_at": row["starts_at"],
        "ends_at": row["ends_at"],
        "entries": row["entries"] or [],
    }


async def public_list() -> list[dict[str, Any]]:
    rows = await Publication.select(Publication.id).order_by(Publication.id, ascending=False).limit(100)
    return [await read(r["id"]) for r in rows]


async def file_objection(principal: Principal, publication_id: int, application_id: int, reason: str) -> dict[str, Any]:
    """Anyone signed in, during the notice period, about a listed application."""
    publication = await read(publication_id)
    if publication["status"] != "published" or now_utc() >= publication["ends_at"]:
        raise conflict("publication_closed", "公示期已结束，不能再提出异议")
    if application_id not in {e["application_id"] for e in publication["entries"]}:
        raise DomainError("application_not_listed", "该项目不在公示名单中", 422)
    scope = await Publication.select(Publication.scope_district).where(Publication.id == publication_id).first()
    assert scope is not None
    rows = await Objection.insert(
        Objection(
            publication=publication_id,
            application=application_id,
            filed_by=principal.user_id,
            reason=reason,
            status=OBJECTION.initial,
            scope_district=scope["scope_district"],
        )
    ).returning(Objection.id)
    return await read_objection(int(rows[0]["id"]))


async def read_objection(objection_id: int) -> dict[str, Any]:
    row = await Objection.select().where(Objection.id == objection_id).first()
    if row is None:
        raise not_found("异议")
    return {
        "id": row["id"],
        "publication_id": row["publication"],
        "application_id": row["application"],
        "status": row["status"],
        "reason": row["reason"],
        "resolution": row["resolution"],
    }


async def resolve(principal: Principal, objection_id: int, upheld: bool, resolution: str) -> dict[str, Any]:
    """Officer in scope: upheld → the application goes back to review (its ranking row is removed)."""
    row = await Objection.select().where(Objection.id == objection_id).first()
    if row is None:
        raise not_found("异议")
    ensure_staff_scope(principal, row["scope_district"], "异议")
    actor = Actor(principal.user_id, principal.role.value)
    async with engine().transaction():
        await transition(
            Objection,
            objection_id,
            OBJECTION,
            "uphold" if upheld else "dismiss",
            actor,
            reason=resolution,
            values={"resolution": resolution, "resolved_by": principal.user_id, "resolved_at": now_utc()},
        )
        if upheld:
            workflow, _ = await workflow_of(row["application"])
            await transition(Application, row["application"], workflow, "reopen_review", actor, reason=resolution)
            await RankingEntry.delete().where(RankingEntry.application == row["application"])
    return await read_objection(objection_id)


async def finalise(principal: Principal, publication_id: int) -> dict[str, Any]:
    """Only after the period has ended with no open objection; listed applications then move on."""
    row = (
        await Publication.select(
            *Publication.all_columns(), Publication.round._.edition._.programme._.kind.as_alias("kind")
        )
        .where(Publication.id == publication_id)
        .first()
        .output(load_json=True)
    )
    if row is None:
        raise not_found("公示")
    ensure_staff_scope(principal, row["scope_district"], "公示")
    if now_utc() < row["ends_at"]:
        raise conflict("publication_running", f"公示期至 {shown(row['ends_at']):%Y-%m-%d %H:%M} 结束，期满后方可生效")
    if await Objection.exists().where((Objection.publication == publication_id) & (Objection.status == "open")):
        raise conflict("objections_open", "尚有未处理的异议，处理完毕后方可生效")
    actor = Actor(principal.user_id, principal.role.value)
    upheld = {
        o["application"]
        for o in await Objection.select(Objection.application).where(
            (Objection.publication == publication_id) & (Objection.status == "upheld")
        )
    }
    async with engine().transaction():
        await transition(
            Publication, publication_id, PUBLICATION, "finalise", actor, values={"finalised_at": now_utc()}
        )
        action = FINAL_ACTION.get(row["kind"])
        for entry in row["entries"] or []:
            if action and entry["application_id"] not in upheld:
                workflow, _ = await workflow_of(entry["application_id"])
                await transition(Application, entry["application_id"], workflow, action, actor)
    return await read(publication_id)
