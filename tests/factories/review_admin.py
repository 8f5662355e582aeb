"""Rounds for the admin's review page (/admin/rounds/{id}/review): named experts with profiles the solver matches,
submitted applications, and a closed round whose ranking holds an outlier review — all through the services."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

from app.reference import District
from tests import factories
from tests.factories.admin import PASSWORD

EXPERT_NAMES = ["王建国", "李秀英", "张伟", "刘芳", "陈静"]
_serial = itertools.count(1)


@dataclass
class ReviewWorld:
    round_id: int
    application_ids: list[int]
    titles: list[str]
    expert_ids: list[int]
    expert_names: list[str]
    organisation_ids: list[int] = field(default_factory=list)


async def review_world(
    officer: factories.User,
    district: District | None,
    *,
    experts: int = 3,
    applications: int = 2,
    reviews_per_application: int = 2,
    title: str = "社区助餐",
) -> ReviewWorld:
    """An open round of ``district``'s programme (city level for None) with ``applications`` submitted applications
    from organisations of that district (changning for a city round) and ``experts`` named experts in the pool."""
    from programmes.applications.schemas import ApplicationCreate
    from programmes.applications.service import create_draft, submit
    from scoring.experts.schemas import ExpertProfileWrite
    from scoring.experts.service import invite_expert

    contest = await factories.contest_round(officer, district=district, reviews_per_application=reviews_per_application)
    expert_ids, names = [], []
    for n in range(experts):
        serial = next(_serial)
        name = f"{EXPERT_NAMES[n % len(EXPERT_NAMES)]}{'' if n < len(EXPERT_NAMES) else n}"
        expert_ids.append(
            await invite_expert(
                officer.principal,
                username=f"reviewer{serial}",
                password=PASSWORD,
                display_name=name,
                profile=ExpertProfileWrite(domains=["为老服务"], tags=["助餐"], max_load_per_round=10),
            )
        )
        names.append(name)
    ids, titles, orgs = [], [], []
    for n in range(applications):
        org_id, member = await factories.organisation(district or District.changning)
        draft = await create_draft(
            member.principal,
            ApplicationCreate(
                round_id=contest["id"],
                organisation_id=org_id,
                title=f"{title}{n + 1}",
                answers=factories.GOOD_ANSWERS,
            ),
        )
        await submit(member.principal, draft.id)
        ids.append(draft.id)
        titles.append(f"{title}{n + 1}")
        orgs.append(org_id)
    return ReviewWorld(contest["id"], ids, titles, expert_ids, names, orgs)


async def closed_review_world(officer: factories.User, district: District | None) -> ReviewWorld:
    """Four experts review two applications (k = 4); on the first, the fourth expert's score is far from the others'
    (an outlier review, 刘芳's). The round is then closed and ranked."""
    from app.auth.principal import Principal
    from app.auth.tables import Role
    from programmes.catalogue.service import close_round
    from scoring.assignments.schemas import AssignmentCreate
    from scoring.assignments.service import assign
    from scoring.reviews.reviewing import submit as submit_review
    from scoring.reviews.schemas import ReviewDraft
    from scoring.tables import ReviewAssignment

    world = await review_world(officer, district, experts=4, applications=2, reviews_per_application=4)
    # By hand: the solver may pick experts of other rounds' pools, and the outlier must be this world's third expert.
    for application_id in world.application_ids:
        for expert_id in world.expert_ids:
            await assign(officer.principal, AssignmentCreate(application_id=application_id, expert_id=expert_id))
    scores = {
        world.application_ids[0]: [80, 84, 82, 20],
        world.application_ids[1]: [70, 72, 74, 71],
    }
    for row in await ReviewAssignment.select().where(ReviewAssignment.application.is_in(world.application_ids)):
        position = world.expert_ids.index(row["expert"])
        score = scores[row["application"]][position]
        expert = Principal(row["expert"], f"expert{row['expert']}", Role.expert, None)
        await submit_review(expert, row["id"], ReviewDraft(scores={"innovation": score, "feasibility": score}))
    await factories.end_round_window(world.round_id)
    await close_round(officer.principal, world.round_id)
    return world
