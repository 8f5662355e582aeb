"""公示: officers publish a closed round's advancing projects for N days; the result becomes final only after the
period ends with no open objection (objections: ``scoring.publication.objections``; the re-review after an upheld
one: ``scoring.publication.rereview``)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from asyncpg.exceptions import UniqueViolationError

from app.access import load
from app.auth.principal import Principal
from app.errors import conflict, not_found
from app.paging import Page, PageParams, fetch_page
from app.timezone import now_utc, shown
from app.uow import unit_of_work
from app.workflow.engine import Actor, ensure_guards
from programmes.applications.gate import listing_refusal
from programmes.applications.notify import notify_members
from programmes.applications.repository import workflow_of
from programmes.stages.advance import carry_advanced
from programmes.tables import Application, Round
from programmes.workflows import RoundStatus
from programmes.workflows.publication import OBJECTION, PUBLICATION, ObjectionStatus
from scoring.access import PUBLICATIONS, ROUNDS
from scoring.publication.schemas import Correction, PublicationRead, PublicEntry
from scoring.publication.ties import selection_of, undecided_error
from scoring.tables import Objection, Publication, RankingEntry

# What "moving on" means per programme kind once a result is final.
FINAL_ACTION = {"contest": "advance", "support_plan": "select"}


async def publish(
    principal: Principal, round_id: int, days: int, top_n: int | None, cutoff: str | None
) -> PublicationRead:
    """Officer in scope publishes a closed round: the advancing list (quota per track from the tracks' quotas)."""
    round_row = await load(principal, ROUNDS.table, round_id, columns=(Round.id, Round.status, Round.scope_district))
    if round_row["status"] != RoundStatus.closed:
        raise conflict("round_not_closed", "轮次关闭并完成排名后才能公示")
    if await Publication.exists().where(Publication.round == round_id):
        raise conflict("already_published", "该轮次已公示")
    rules = {"top_n": top_n, "cutoff": cutoff}
    listed, ranked = await advancing(round_id, rules)
    now = now_utc()
    try:
        async with unit_of_work(Actor.of(principal)) as uow:
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
            listed_ids = [e["application_id"] for e in listed]
            after = {"round_id": round_id, "days": days, **rules, "listed": listed_ids}
            await uow.audit("publication.publish", "publication", publication_id, after=after)
            ends = f"{shown(now + timedelta(days=days)):%Y-%m-%d %H:%M}"
            for application_id in ranked:
                await notify_result(publication_id, application_id, application_id in listed_ids, ends)
    except UniqueViolationError as exc:  # publication.round is unique: a concurrent publish won
        raise conflict("already_published", "该轮次已公示") from exc
    return await read(publication_id)


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
    if found.undecided:
        raise undecided_error(found.undecided)
    selected = found.selected
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


READ_COLUMNS = (*Publication.all_columns(), Publication.round._.name.as_alias("round_name"))


def _read(row: dict[str, Any]) -> PublicationRead:
    return PublicationRead(
        id=row["id"],
        round_id=row["round"],
        round_name=row["round_name"],
        status=row["status"],
        starts_at=row["starts_at"],
        ends_at=row["ends_at"],
        entries=[PublicEntry(**e) for e in row["entries"] or []],
        # 更正公示, oldest first: what changed, when and why (the earlier lists stay readable here).
        corrections=[
            Correction(
                **{k: c[k] for k in ("objection_ids", "added", "removed", "note")},
                at=datetime.fromisoformat(c["at"]),
                ends_at=datetime.fromisoformat(c["ends_at"]),
            )
            for c in row["corrections"] or []
        ],
    )


async def read(publication_id: int) -> PublicationRead:
    row = await Publication.select(*READ_COLUMNS).where(Publication.id == publication_id).first().output(load_json=True)
    if row is None:
        raise not_found("公示")
    return _read(row)


async def public_list(paging: PageParams) -> Page[PublicationRead]:
    """Public notices, newest first (one query for the page, one for the total)."""
    query = Publication.select(*READ_COLUMNS).order_by(Publication.id, ascending=False).output(load_json=True)
    page = await fetch_page(Publication, query, paging)
    return page.map([_read(row) for row in page.items])


async def finalise(principal: Principal, publication_id: int) -> PublicationRead:
    """Only after the period has ended with no open objection; listed applications then move on."""
    row = await load(
        principal,
        PUBLICATIONS.table,
        publication_id,
        columns=(
            Publication.scope_district,
            Publication.ends_at,
            Publication.round,
            Publication.round._.edition._.programme._.kind.as_alias("kind"),
        ),
    )
    ensure_guards(PUBLICATION.transition_for("finalise"), row)  # the notice period is over; the lock re-checks
    if await Objection.exists().where(
        (Objection.publication == publication_id) & (Objection.status == ObjectionStatus.open)
    ):
        raise conflict("objections_open", "尚有未处理的异议，处理完毕后方可生效")
    if await Objection.exists().where(
        (Objection.publication == publication_id) & (Objection.status == ObjectionStatus.upheld)
    ):
        raise conflict("rereview_pending", "异议成立的项目尚在重新评审，完成重新评审并更正公示后方可生效")
    async with unit_of_work(Actor.of(principal)) as uow:
        # ``amend`` and ``conclude`` take this row's lock too: entries read under it are the final list.
        await uow.transition(Publication, publication_id, "finalise", values={"finalised_at": now_utc()})
        if await Objection.exists().where(
            (Objection.publication == publication_id) & Objection.status.is_in(OBJECTION.states_with("unresolved"))
        ):
            raise conflict("objections_open", "尚有未处理的异议，处理完毕后方可生效")
        current = (
            await Publication.select(Publication.entries, Publication.ends_at)
            .where(Publication.id == publication_id)
            .output(load_json=True)
        )[0]
        action = FINAL_ACTION.get(row["kind"])
        for entry in current["entries"] or []:
            outcome = "。"
            if action:
                workflow, _ = await workflow_of(entry["application_id"])
                moved = await uow.transition(Application, entry["application_id"], action, workflow=workflow)
                outcome = f"，状态更新为：{workflow.states.get(moved.after, moved.after)}。"
            await notify_members(
                entry["application_id"],
                "publication_final",
                "公示期满，结果生效",
                f"您的申报（编号 {entry['application_id']}）公示期满，结果生效{outcome}{FEEDBACK_NOTE}",
                f"publication:{publication_id}:final:{entry['application_id']}",
            )
        await notify_feedback_ready(publication_id, {e["application_id"] for e in current["entries"] or []})
    if action == "advance":  # the listed entries go on into the next stage, if the edition has one
        await carry_advanced(Actor.of(principal), row["round"])
    return await read(publication_id)


FEEDBACK_NOTE = "评审反馈（各评分项平均分与区间、专家公开的评语、排名区间）已可在申报详情中查看。"


async def notify_feedback_ready(publication_id: int, listed: set[int]) -> None:
    """The ranked entries not in the final list learn that their feedback is open (the listed ones read it in their
    final-result message); keyed per publication and application, so a repeat adds nothing."""
    round_row = await Publication.select(Publication.round).where(Publication.id == publication_id).first()
    assert round_row is not None
    ranked = await RankingEntry.select(RankingEntry.application).where(RankingEntry.round == round_row["round"])
    for application_id in sorted({r["application"] for r in ranked} - listed):
        await notify_members(
            application_id,
            "feedback_available",
            "公示期满，评审反馈已可查看",
            f"您的申报（编号 {application_id}）所在轮次公示期满，结果生效。{FEEDBACK_NOTE}",
            f"publication:{publication_id}:feedback:{application_id}",
        )
