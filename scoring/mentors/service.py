"""Mentors (导师): officers keep the mentor flag and domains on experts, preview and commit the solver's mentor plan
for a 沪社星耀 round's supported projects, and end a mentorship with a reason; mentors log meetings that the
project's organisation and officers in scope read; the project rates its mentor once.

A project rates at or after graduation: once its 结项评估 has started (``evaluating``) or has an outcome.
"""

from __future__ import annotations

from typing import Any

from asyncpg.exceptions import UniqueViolationError
from piccolo.columns import Column

from app.access import load
from app.auth.principal import Principal
from app.auth.tables import Role
from app.errors import conflict, invalid, not_found
from app.notifications.service import notify_organisations, notify_user
from app.paging import Page, PageParams, fetch_page
from app.timezone import now_utc, today_shanghai
from app.uow import unit_of_work
from app.workflow.engine import Actor
from programmes.incubation.tables import SupportedProject
from programmes.tables import Application, ProgrammeKind, Round
from programmes.workflows.incubation import SUPPORTED_PROJECT
from programmes.workflows.mentorship import MENTORSHIP
from scoring.assignment import AssignmentResult
from scoring.mentors.access import MENTORSHIPS
from scoring.mentors.problem import live_load, solve
from scoring.mentors.schemas import (
    MeetingRead,
    MeetingWrite,
    MentorPairRead,
    MentorPlanRead,
    MentorProfileRead,
    MentorProfileWrite,
    MentorshipRead,
    RatingRead,
    RatingWrite,
)
from scoring.mentors.tables import MentorMeeting, MentorProfile, MentorRating, Mentorship
from scoring.tables import ExpertProfile

assert MENTORSHIPS  # the policy is declared on import

# 结项评估 under way or decided (at or after graduation).
RATEABLE = ["evaluating", *SUPPORTED_PROJECT.states_with("graduated")]


async def save_profile(principal: Principal, expert_id: int, data: MentorProfileWrite) -> MentorProfileRead:
    if not await ExpertProfile.exists().where(ExpertProfile.expert == expert_id):
        raise not_found("专家")
    values: dict[str, Any] = {
        "mentor": data.mentor,
        "domains": data.domains,
        "max_projects": data.max_projects,
    }
    async with unit_of_work(Actor.of(principal)) as uow:
        # One profile per expert: the row lock on the expert profile serialises two officers saving at once.
        await ExpertProfile.select(ExpertProfile.id).where(ExpertProfile.expert == expert_id).lock_rows("UPDATE")
        now = now_utc()
        if await MentorProfile.exists().where(MentorProfile.expert == expert_id):
            changes: dict[str | Column, Any] = {key: value for key, value in values.items()}
            changes["updated_at"] = now
            await MentorProfile.update(changes).where(MentorProfile.expert == expert_id)
        else:
            profile = MentorProfile(expert=expert_id, mentor=data.mentor, domains=data.domains, updated_at=now)
            profile.max_projects = data.max_projects
            await MentorProfile.insert(profile)
        await uow.audit("mentor.profile", "expert", expert_id, after=values)
    return (await _profiles([expert_id]))[0]


async def _profiles(expert_ids: list[int]) -> list[MentorProfileRead]:
    rows = (
        await MentorProfile.select(*MentorProfile.all_columns(), MentorProfile.expert._.username.as_alias("username"))
        .where(MentorProfile.expert.is_in(expert_ids or [0]))
        .output(load_json=True)
    )
    load_of = await live_load(expert_ids)
    by_id = {int(r["expert"]): r for r in rows}
    return [
        MentorProfileRead(
            expert_id=i,
            username=by_id[i]["username"],
            mentor=by_id[i]["mentor"],
            domains=list(by_id[i]["domains"] or []),
            max_projects=by_id[i]["max_projects"],
            live_projects=load_of.get(i, 0),
        )
        for i in expert_ids
        if i in by_id
    ]


async def list_profiles(paging: PageParams) -> Page[MentorProfileRead]:
    query = MentorProfile.select(MentorProfile.expert).order_by(MentorProfile.expert)
    page = await fetch_page(MentorProfile, query, paging)
    return Page(await _profiles([int(r["expert"]) for r in page.items]), page.total, paging)


async def _support_round(principal: Principal, round_id: int) -> None:
    await load(principal, Round, round_id)
    kind = await Round.select(Round.edition._.programme._.kind.as_alias("kind")).where(Round.id == round_id).first()
    if kind is None or kind["kind"] != ProgrammeKind.support_plan:
        raise invalid("round_not_support_plan", "导师只分配给沪社星耀的扶持项目", "round_id")


def _plan(result: AssignmentResult) -> MentorPlanRead:
    return MentorPlanRead(
        pairs=[
            MentorPairRead(
                application_id=p.application_id,
                mentor_id=p.expert_id,
                affinity=p.affinity.total,
                shared_tags=list(p.affinity.shared_tags),
                domain_match=p.affinity.domain_match,
            )
            for p in result.pairs
        ],
        total_affinity=result.total_affinity,
        solver=result.solver,
        optimal=result.optimal,
    )


async def preview(principal: Principal, round_id: int, k: int) -> MentorPlanRead:
    await _support_round(principal, round_id)
    return _plan(await solve(round_id, k))


async def commit(principal: Principal, round_id: int, k: int) -> MentorPlanRead:
    """Solve and write under the round's row lock: two commits run one after the other, the second solving on the
    first one's pairs (locked) instead of writing them again."""
    await _support_round(principal, round_id)
    async with unit_of_work(Actor.of(principal)) as uow:
        await Round.select(Round.id).where(Round.id == round_id).lock_rows("UPDATE")
        result = await solve(round_id, k)
        scopes = {
            int(r["id"]): r
            for r in await Application.select(
                Application.id, Application.scope_district, Application.organisation
            ).where(Application.id.is_in([p.application_id for p in result.pairs] or [0]))
        }
        for pair in result.pairs:
            rows = await Mentorship.insert(
                Mentorship(
                    application=pair.application_id,
                    mentor=pair.expert_id,
                    status=MENTORSHIP.initial,
                    affinity={"total": pair.affinity.total, "shared_tags": list(pair.affinity.shared_tags)},
                    assigned_by=principal.user_id,
                    scope_district=scopes[pair.application_id]["scope_district"],
                    created_at=now_utc(),
                )
            ).returning(Mentorship.id)
            mentorship_id = int(rows[0]["id"])
            await uow.audit("mentorship.assign", "mentorship", mentorship_id, after={"round": round_id, "k": k})
            await notify_user(
                pair.expert_id,
                "mentor_assigned",
                "导师陪伴任务",
                "您已被分配为一个沪社星耀扶持项目的导师。",
                f"mentorship:{mentorship_id}",
            )
            await notify_organisations(
                [int(scopes[pair.application_id]["organisation"])],
                "mentor_assigned",
                "导师已分配",
                "您的沪社星耀扶持项目已分配导师。",
                f"mentorship:{mentorship_id}",
            )
    return _plan(result)


async def end(principal: Principal, mentorship_id: int, reason: str) -> MentorshipRead:
    await load(principal, Mentorship, mentorship_id)
    async with unit_of_work(Actor.of(principal)) as uow:
        await uow.transition(Mentorship, mentorship_id, "end", reason=reason, values={"reason": reason})
    return (await _reads([mentorship_id]))[0]


async def _reads(ids: list[int]) -> list[MentorshipRead]:
    rows = await Mentorship.select(
        *Mentorship.all_columns(),
        Mentorship.application._.title.as_alias("title"),
        Mentorship.application._.organisation.as_alias("organisation"),
        Mentorship.mentor._.username.as_alias("username"),
    ).where(Mentorship.id.is_in(ids or [0]))
    by_id = {int(r["id"]): r for r in rows}
    return [
        MentorshipRead(
            id=i,
            application_id=by_id[i]["application"],
            application_title=by_id[i]["title"],
            organisation_id=by_id[i]["organisation"],
            mentor_id=by_id[i]["mentor"],
            mentor_username=by_id[i]["username"],
            status=by_id[i]["status"],
            status_zh=MENTORSHIP.states.get(by_id[i]["status"], by_id[i]["status"]),
            reason=by_id[i]["reason"],
            created_at=by_id[i]["created_at"],
        )
        for i in ids
    ]


async def read_for(principal: Principal, mentorship_id: int) -> MentorshipRead:
    await load(principal, Mentorship, mentorship_id, "reader")
    return (await _reads([mentorship_id]))[0]


async def list_for(principal: Principal, paging: PageParams, round_id: int | None) -> Page[MentorshipRead]:
    """Staff: in their scope; a mentor: their own; an organisation: its projects'."""
    from app.organisations.membership import acting_organisation_ids

    where: list[Any] = []
    if principal.is_staff:
        if not principal.is_city_staff:
            where.append(Mentorship.scope_district == principal.district)
    elif principal.role is Role.expert:
        where.append(Mentorship.mentor == principal.user_id)
    else:
        where.append(
            Mentorship.application._.organisation.is_in(await acting_organisation_ids(principal.user_id) or [0])
        )
    if round_id is not None:
        where.append(Mentorship.application._.round == round_id)
    query = Mentorship.select(Mentorship.id).order_by(Mentorship.id)
    page = await fetch_page(Mentorship, query, paging, *where)
    return Page(await _reads([int(r["id"]) for r in page.items]), page.total, paging)


async def log_meeting(principal: Principal, mentorship_id: int, data: MeetingWrite) -> MeetingRead:
    row = await load(principal, Mentorship, mentorship_id, "mentor")
    if not MENTORSHIP.has(row["status"], "live"):
        raise conflict("mentorship_ended", "导师陪伴已结束，不能再记录会面")
    if data.met_on > today_shanghai():
        raise invalid("meeting_in_future", "会面日期不能晚于今天", "met_on")
    async with unit_of_work(Actor.of(principal)) as uow:
        rows = await MentorMeeting.insert(
            MentorMeeting(
                mentorship=mentorship_id,
                met_on=data.met_on,
                topic=data.topic,
                advice=data.advice,
                follow_ups=data.follow_ups,
                scope_district=row["scope_district"],
                created_at=now_utc(),
            )
        ).returning(*MentorMeeting.all_columns())
        await uow.audit("mentorship.meeting", "mentorship", mentorship_id, after={"topic": data.topic})
    return _meeting(dict(rows[0]))


def _meeting(row: dict[str, Any]) -> MeetingRead:
    return MeetingRead(
        id=row["id"],
        mentorship_id=row["mentorship"],
        met_on=row["met_on"],
        topic=row["topic"],
        advice=row["advice"],
        follow_ups=row["follow_ups"],
        created_at=row["created_at"],
    )


async def meetings(principal: Principal, mentorship_id: int, paging: PageParams) -> Page[MeetingRead]:
    await load(principal, Mentorship, mentorship_id, "reader")
    query = MentorMeeting.select().order_by(MentorMeeting.met_on).order_by(MentorMeeting.id)
    page = await fetch_page(MentorMeeting, query, paging, MentorMeeting.mentorship == mentorship_id)
    return Page([_meeting(r) for r in page.items], page.total, paging)


async def _may_rate(application_id: int) -> bool:
    """At or after graduation (结项评估): the project's evaluation has started, or it has an outcome."""
    row = (
        await SupportedProject.select(SupportedProject.status)
        .where(SupportedProject.application == application_id)
        .first()
    )
    return row is not None and row["status"] in RATEABLE


async def rate(principal: Principal, mentorship_id: int, data: RatingWrite) -> RatingRead:
    row = await load(principal, Mentorship, mentorship_id, "organisation")
    if not await _may_rate(int(row["application"])):
        raise conflict("rating_not_yet", "项目进入结项评估后方可评价导师")
    try:
        async with unit_of_work(Actor(principal.user_id, "applicant")) as uow:
            rows = await MentorRating.insert(
                MentorRating(
                    mentorship=mentorship_id,
                    score=data.score,
                    comment=data.comment,
                    rated_by=principal.user_id,
                    scope_district=row["scope_district"],
                    created_at=now_utc(),
                )
            ).returning(*MentorRating.all_columns())
            await uow.audit("mentorship.rate", "mentorship", mentorship_id, after={"score": data.score})
    except UniqueViolationError as exc:
        raise conflict("rating_exists", "已评价过该导师，每个项目只能评价一次") from exc
    found = rows[0]
    return RatingRead(
        id=found["id"],
        mentorship_id=mentorship_id,
        score=found["score"],
        comment=found["comment"],
        created_at=found["created_at"],
    )
