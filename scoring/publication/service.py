"""公示: officers publish a closed round's advancing projects for N days; objections are resolved by officers; the
result becomes final only after the period ends with no open objection."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from asyncpg.exceptions import UniqueViolationError

from app import audit, outbox
from app.auth.principal import Principal
from app.db import engine
from app.errors import DomainError, conflict, not_found
from app.notifications.service import notify_user
from app.timezone import now_utc, shown
from app.workflow.engine import Actor, ensure_guards, transition
from programmes.applications.gate import listing_refusal
from programmes.applications.notify import notify_members
from programmes.applications.repository import workflow_of
from programmes.scope import ensure_staff_scope
from programmes.tables import Application, Round
from programmes.workflows import ApplicationStatus, RoundStatus
from programmes.workflows.publication import OBJECTION, PUBLICATION, ObjectionStatus, PublicationStatus
from programmes.workflows.review import ReviewAssignmentStatus
from scoring.publication.ties import selection_of, undecided_error
from scoring.tables import Objection, Publication, RankingEntry, ReviewAssignment

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
    if round_row["status"] != RoundStatus.closed:
        raise conflict("round_not_closed", "轮次关闭并完成排名后才能公示")
    if await Publication.exists().where(Publication.round == round_id):
        raise conflict("already_published", "该轮次已公示")
    rules = {"top_n": top_n, "cutoff": cutoff}
    listed, ranked = await advancing(round_id, rules)
    now = now_utc()
    try:
        publication_id = await _insert_publication(principal, round_row, days, rules, listed, ranked, now)
    except UniqueViolationError as exc:  # publication.round is unique: a concurrent publish won
        raise conflict("already_published", "该轮次已公示") from exc
    await outbox.flush()
    return await read(publication_id)


async def _insert_publication(
    principal: Principal,
    round_row: dict[str, Any],
    days: int,
    rules: dict[str, Any],
    listed: list[dict[str, Any]],
    ranked: list[int],
    now: datetime,
) -> int:
    round_id = round_row["id"]
    async with engine().transaction():
        rows = await Publication.insert(
            Publication(
                round=round_id,
                status=PUBLICATION.initial,
                starts_at=now,
                ends_at=now + timedelta(days=days),
                entries=listed,
                rules=rules,
                published_by=principal.user_id,
                scope_district=round_row["scope_district"],
            )
        ).returning(Publication.id)
        publication_id = int(rows[0]["id"])
        await audit.record(
            actor_id=principal.user_id,
            actor_role=principal.role.value,
            action="publication.publish",
            object_type="publication",
            object_id=publication_id,
            after={"round_id": round_id, "days": days, **rules, "listed": [e["application_id"] for e in listed]},
        )
        ends = f"{shown(now + timedelta(days=days)):%Y-%m-%d %H:%M}"
        for application_id in ranked:
            await notify_result(
                publication_id, application_id, application_id in {e["application_id"] for e in listed}, ends
            )
    return publication_id


async def notify_result(publication_id: int, application_id: int, listed: bool, ends: str, tag: str = "") -> None:
    """Tell the applicant whether its project is in the notice; ``tag`` keys a repeat after a correction."""
    title = "项目已列入公示" if listed else "评审结果：未列入公示名单"
    body = (
        f"您的申报（编号 {application_id}）已列入公示名单，公示期至 {ends}。公示期内任何人可提出异议。"
        if listed
        else f"您的申报（编号 {application_id}）未列入本轮公示名单。"
    )
    kind = "publication_listed" if listed else "publication_not_listed"
    await notify_members(
        application_id, kind, title, body, f"publication:{publication_id}{tag}:{kind}:{application_id}"
    )


async def advancing(round_id: int, rules: dict[str, Any]) -> tuple[list[dict[str, Any]], list[int]]:
    """The notice's list under ``rules`` (top_n, cutoff; each track's quota) and every ranked application.

    Ties at a cut line are the officer's decision (scoring.publication.ties), never the ranking's silent pick: an
    undecided one refuses the publication and a re-review's corrected list alike.
    """
    found = await selection_of(round_id, rules.get("top_n"), rules.get("cutoff"))
    if found["undecided"]:
        raise undecided_error(found["undecided"])
    selected: tuple[int, ...] = tuple(found["selected"])
    # The eligibility gate: nothing is listed while a would-be-listed application fails it (override or reject).
    refusal = listing_refusal(
        await Application.select(Application.id, Application.eligibility_outcome, Application.eligibility).where(
            Application.id.is_in(list(selected) or [0])
        )
    )
    if refusal is not None:
        raise refusal
    entries = await RankingEntry.select(RankingEntry.rank, RankingEntry.application).where(
        RankingEntry.round == round_id
    )
    names = await Application.select(
        Application.id, Application.title, Application.organisation._.name.as_alias("organisation")
    ).where(Application.id.is_in(list(selected) or [0]))
    by_id = {n["id"]: n for n in names}
    listed = [
        {"application_id": a, "title": by_id[a]["title"], "organisation": by_id[a]["organisation"]} for a in selected
    ]
    return listed, [e["application"] for e in sorted(entries, key=lambda e: e["rank"])]


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
        # 更正公示, oldest first: what changed, when and why (the earlier lists stay readable here).
        "corrections": [
            {
                **{k: c[k] for k in ("objection_ids", "added", "removed", "note")},
                "at": datetime.fromisoformat(c["at"]),
                "ends_at": datetime.fromisoformat(c["ends_at"]),
            }
            for c in row["corrections"] or []
        ],
    }


async def public_list() -> list[dict[str, Any]]:
    rows = await Publication.select(Publication.id).order_by(Publication.id, ascending=False).limit(100)
    return [await read(r["id"]) for r in rows]


async def file_objection(principal: Principal, publication_id: int, application_id: int, reason: str) -> dict[str, Any]:
    """Anyone signed in, during the notice period, about a listed application."""
    publication = await read(publication_id)
    if publication["status"] != PublicationStatus.published or now_utc() >= publication["ends_at"]:
        raise conflict("publication_closed", "公示期已结束，不能再提出异议")
    if application_id not in {e["application_id"] for e in publication["entries"]}:
        raise DomainError("application_not_listed", "该项目不在公示名单中", 422)
    async with engine().transaction():
        # The publication's row lock orders this with finalise and amend: no objection slips in after the result
        # became final, and an application removed by a correction can no longer be objected to.
        locked = (
            await Publication.select(
                Publication.status, Publication.ends_at, Publication.entries, Publication.scope_district
            )
            .where(Publication.id == publication_id)
            .lock_rows("UPDATE")
            .output(load_json=True)
        )
        scope = locked[0]
        if scope["status"] != PublicationStatus.published or now_utc() >= scope["ends_at"]:
            raise conflict("publication_closed", "公示期已结束，不能再提出异议")
        if application_id not in {e["application_id"] for e in scope["entries"] or []}:
            raise DomainError("application_not_listed", "该项目不在公示名单中", 422)
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
        objection_id = int(rows[0]["id"])
        await audit.record(
            actor_id=principal.user_id,
            actor_role=principal.role.value,
            action="objection.file",
            object_type="objection",
            object_id=objection_id,
            after={"publication_id": publication_id, "application_id": application_id},
            reason=reason,
        )
        # The applicant learns that its project is contested (not who objected).
        await notify_members(
            application_id,
            "objection_filed",
            "您的公示项目收到异议",
            f"您的申报（编号 {application_id}）在公示期内收到一项异议，项目官员将核查处理，结果将另行通知。",
            f"objection:{objection_id}:filed",
        )
    await outbox.flush()
    return await read_objection(objection_id)


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
    """Officer in scope. Upheld → re-review of that application only: it goes back to ``in_review``, its ranking row
    is removed and its submitted reviews are reopened for the same experts (the officer may also remove and assign
    experts); experts may then score it although the round is closed. ``rereview.conclude`` re-ranks and corrects
    the notice. The objector and the applicant are told the decision."""
    row = await Objection.select().where(Objection.id == objection_id).first()
    if row is None:
        raise not_found("异议")
    ensure_staff_scope(principal, row["scope_district"], "异议")
    actor = Actor(principal.user_id, principal.role.value)
    application_id = row["application"]
    async with engine().transaction():
        # Every change of a notice and its objections takes the publication's row lock first (file, resolve,
        # conclude, finalise): one order, so they serialise instead of deadlocking on each other's rows.
        await Publication.select(Publication.id).where(Publication.id == row["publication"]).lock_rows("UPDATE")
        await transition(
            Objection,
            objection_id,
            "uphold" if upheld else "dismiss",
            actor,
            reason=resolution,
            values={"resolution": resolution, "resolved_by": principal.user_id, "resolved_at": now_utc()},
        )
        # Under the application's row lock (the engine's): a second upheld objection on an application already in
        # re-review joins that re-review instead of failing on ``reopen_review``.
        status = (
            await Application.select(Application.status).where(Application.id == application_id).lock_rows("UPDATE")
        )[0]["status"]
        if upheld and status != ApplicationStatus.in_review:
            workflow, _ = await workflow_of(application_id)
            await transition(Application, application_id, "reopen_review", actor, reason=resolution, workflow=workflow)
            await RankingEntry.delete().where(RankingEntry.application == application_id)
            for review in await ReviewAssignment.select(ReviewAssignment.id, ReviewAssignment.expert).where(
                (ReviewAssignment.application == application_id)
                & (ReviewAssignment.status == ReviewAssignmentStatus.submitted)
            ):
                await transition(ReviewAssignment, review["id"], "reopen", actor, reason=resolution)
                await notify_user(
                    review["expert"],
                    "rereview_requested",
                    "请重新评审",
                    f"公示期异议成立，申报（编号 {application_id}）需重新评审，请在评审任务中修改并重新提交评分。",
                    f"objection:{objection_id}:rereview:{review['id']}",
                )
        await _notify_decision(row, upheld, resolution)
    await outbox.flush()
    return await read_objection(objection_id)


async def _notify_decision(objection: dict[str, Any], upheld: bool, resolution: str) -> None:
    outcome = "异议成立，该项目将重新评审并更正公示" if upheld else "异议不成立，公示结果不变"
    body = f"关于申报（编号 {objection['application']}）的异议处理结果：{outcome}。说明：{resolution}"
    key = f"objection:{objection['id']}:resolved"
    await notify_user(objection["filed_by"], "objection_resolved", "异议处理结果", body, f"{key}:objector")
    await notify_members(objection["application"], "objection_resolved", "异议处理结果", body, key)


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
    ensure_guards(PUBLICATION.transition_for("finalise"), row)  # the notice period is over; the lock re-checks
    if await Objection.exists().where(
        (Objection.publication == publication_id) & (Objection.status == ObjectionStatus.open)
    ):
        raise conflict("objections_open", "尚有未处理的异议，处理完毕后方可生效")
    if await Objection.exists().where(
        (Objection.publication == publication_id) & (Objection.status == ObjectionStatus.upheld)
    ):
        raise conflict("rereview_pending", "异议成立的项目尚在重新评审，完成重新评审并更正公示后方可生效")
    actor = Actor(principal.user_id, principal.role.value)
    async with engine().transaction():
        # ``amend`` and ``conclude`` take this row's lock too: entries read under it are the final list.
        await transition(Publication, publication_id, "finalise", actor, values={"finalised_at": now_utc()})
        if await Objection.exists().where(
            (Objection.publication == publication_id) & Objection.status.is_in(OBJECTION.states_with("unresolved"))
        ):
            raise conflict("objections_open", "尚有未处理的异议，处理完毕后方可生效")
        current = (
            await Publication.select(Publication.entries, Publication.ends_at)
            .where(Publication.id == publication_id)
            .output(load_json=True)
        )[0]
        entries = current["entries"] or []
        action = FINAL_ACTION.get(row["kind"])
        for entry in entries:
            outcome = "。"
            if action:
                workflow, _ = await workflow_of(entry["application_id"])
                moved = await transition(Application, entry["application_id"], action, actor, workflow=workflow)
                outcome = f"，状态更新为：{workflow.states.get(moved.after, moved.after)}。"
            await notify_members(
                entry["application_id"],
                "publication_final",
                "公示期满，结果生效",
                f"您的申报（编号 {entry['application_id']}）公示期满，结果生效{outcome}",
                f"publication:{publication_id}:final:{entry['application_id']}",
            )
    await outbox.flush()
    return await read(publication_id)
