"""Applicant feedback after the 公示 (issue 15): hidden until the notice period ends (to the second), anonymous
after it (no expert identity, no private comment, no per-review score), the members' own entries only."""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest

from app.auth.tables import Role
from scoring.feedback import service
from scoring.feedback.schemas import RankBand
from scoring.feedback.service import criterion_feedback, rank_band
from scoring.tables import Publication
from tests import factories
from tests.factories.feedback import PRIVATE, SHARED, reviewed_notice
from tests.factories.http import ok, problem
from tests.factories.notice import end_notice

pytestmark = pytest.mark.usefixtures("db")


async def ends_at(publication_id: int) -> object:
    row = await Publication.select(Publication.ends_at).where(Publication.id == publication_id).first()
    assert row is not None
    return row["ends_at"]


async def test_feedback_is_hidden_until_the_notice_ends_to_the_second(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    notice = await reviewed_notice(client)
    first = notice.ranking[0]
    member = notice.members[first]
    url = f"/applications/{first}/feedback"
    # During the notice: refused with the end date.
    body = problem(await client.get(url, headers=member.headers), 409, "feedback_not_available")
    assert "公示期至" in body["detail"]
    end = await ends_at(notice.publication_id)
    monkeypatch.setattr(service, "now_utc", lambda: end - timedelta(seconds=1))  # type: ignore[operator]
    problem(await client.get(url, headers=member.headers), 409, "feedback_not_available")
    monkeypatch.setattr(service, "now_utc", lambda: end)
    assert ok(await client.get(url, headers=member.headers))["application_id"] == first
    monkeypatch.setattr(service, "now_utc", lambda: end + timedelta(seconds=1))  # type: ignore[operator]
    assert ok(await client.get(url, headers=member.headers))["application_id"] == first


async def test_feedback_before_any_notice_is_refused(client: httpx.AsyncClient, world: object) -> None:
    from tests.factories.world import World

    assert isinstance(world, World)
    body = problem(
        await client.get(f"/applications/{world.submitted_id}/feedback", headers=world.other_applicant.headers),
        409,
        "feedback_not_available",
    )
    assert "尚未公示" in body["detail"]


async def test_feedback_after_the_notice_is_anonymous(client: httpx.AsyncClient) -> None:
    notice = await reviewed_notice(client)
    await end_notice(notice.publication_id)
    first, second, third = notice.ranking
    response = await client.get(f"/applications/{first}/feedback", headers=notice.members[first].headers)
    body = ok(response)
    # Nothing that names or singles out an expert, anywhere in the body.
    text = response.text
    for expert in notice.experts:
        assert expert.principal.username not in text
    assert "expert" not in text and "assignment" not in text and "reviewer" not in text
    assert PRIVATE not in text
    assert body["comments"] == [SHARED]
    # Per criterion: mean and range of the two reviews, never the reviews themselves.
    given = notice.scores[first]
    by_code = {c["code"]: c for c in body["criteria"]}
    assert set(by_code) == {"innovation", "feasibility"}
    for code, row in by_code.items():
        values = [g[code] for g in given]
        assert row["scored_reviews"] == 2
        assert row["min"] == min(values) and row["max"] == max(values)
        assert row["mean"] == f"{sum(values) / 2:.1f}"
    assert body["reviews"] == 2 and body["overall_score"] is not None
    assert body["rank_band"] == RankBand.top_10 and body["rank_band_zh"] == "前 10%" and body["ranked_entries"] == 3
    assert body["next_step"] == "advanced" and body["result_final"] is False
    # The second is listed too (30 %–60 % band: one of three ahead); the third is not listed.
    second_body = ok(await client.get(f"/applications/{second}/feedback", headers=notice.members[second].headers))
    assert second_body["rank_band"] == RankBand.from_30_to_60 and second_body["next_step"] == "advanced"
    third_body = ok(await client.get(f"/applications/{third}/feedback", headers=notice.members[third].headers))
    assert third_body["rank_band"] == RankBand.rest and third_body["next_step"] == "not_advanced"
    assert third_body["next_step_zh"].startswith("未列入公示名单")
    # Once final, the result says so.
    ok(await client.post(f"/publications/{notice.publication_id}/finalise", headers=notice.officer.headers))
    final = ok(await client.get(f"/applications/{first}/feedback", headers=notice.members[first].headers))
    assert final["result_final"] is True and final["next_step"] == "advanced"


async def test_feedback_of_another_organisation_is_not_found(client: httpx.AsyncClient) -> None:
    notice = await reviewed_notice(client)
    await end_notice(notice.publication_id)
    first, second, _ = notice.ranking
    problem(
        await client.get(f"/applications/{first}/feedback", headers=notice.members[second].headers), 404, "not_found"
    )
    _, stranger = await factories.organisation()
    problem(await client.get(f"/applications/{first}/feedback", headers=stranger.headers), 404, "not_found")
    problem(await client.get("/applications/999999999/feedback", headers=stranger.headers), 404, "not_found")
    # Experts and officers have their own views: this route is the applicant's.
    for user in (notice.experts[0], notice.officer, await factories.user(Role.admin)):
        assert (await client.get(f"/applications/{first}/feedback", headers=user.headers)).status_code == 403
    assert (await client.get(f"/applications/{first}/feedback")).status_code == 401


async def test_comment_is_private_unless_the_expert_shares_it(client: httpx.AsyncClient, world: object) -> None:
    from tests.factories.world import World

    assert isinstance(world, World)
    url = f"/reviews/{world.assignment_id}"
    assert ok(await client.get(url, headers=world.expert.headers))["comment_shareable"] is False
    draft = {"scores": {"innovation": 80}, "comment": "草稿评语", "comment_shareable": True}
    saved = ok(await client.put(f"{url}/draft", json=draft, headers=world.expert.headers))
    assert saved["comment_shareable"] is True
    # Submitting without the flag means not shared: the default is false, whatever the draft said.
    submitted = ok(
        await client.post(
            f"{url}/submit", json={"scores": {"innovation": 80, "feasibility": 70}}, headers=world.expert.headers
        )
    )
    assert submitted["comment_shareable"] is False
    bad = await client.put(
        f"{url}/draft", json={"scores": {}, "comment_shareable": "maybe"}, headers=world.expert.headers
    )
    assert bad.status_code in (409, 422)


def test_rank_bands_by_share_ahead() -> None:
    assert [rank_band(r, 10) for r in (1, 2, 3, 4, 6, 7, 10)] == [
        RankBand.top_10,
        RankBand.from_10_to_30,
        RankBand.from_10_to_30,
        RankBand.from_30_to_60,
        RankBand.from_30_to_60,
        RankBand.rest,
        RankBand.rest,
    ]
    assert rank_band(1, 1) == RankBand.top_10 and rank_band(2, 3) == RankBand.from_30_to_60


def test_one_review_gives_no_mean_or_range() -> None:
    criteria = [{"code": "a", "name": "甲", "max_score": 100}, {"code": "b", "name": "乙", "max_score": 100}]
    [a, b] = criterion_feedback(criteria, [{"scores": {"a": 70, "b": None}}, {"scores": {"a": 81}}])
    assert (a.scored_reviews, a.mean, a.min, a.max) == (2, "75.5", 70, 81)
    assert (b.scored_reviews, b.mean, b.min, b.max) == (0, None, None, None)
    [single, _] = criterion_feedback(criteria, [{"scores": {"a": 70, "b": 60}}])
    assert (single.scored_reviews, single.mean, single.min, single.max) == (1, None, None, None)


async def test_awarded_entry_with_one_review_gets_no_scores(client: httpx.AsyncClient, world: object) -> None:
    from scoring.publication.service import publish
    from tests.factories.money import paid_award
    from tests.factories.world import World

    assert isinstance(world, World)
    paid = await paid_award(world)
    publication = await publish(world.city_officer.principal, world.round["id"], 7, None, None)
    await end_notice(publication.id)
    body = ok(await client.get(f"/applications/{world.submitted_id}/feedback", headers=world.other_applicant.headers))
    assert paid.award_id and body["next_step"] == "awarded" and body["next_step_zh"] == "已确定资助"
    # One review only: nothing that would be that one expert's scores.
    assert body["reviews"] == 1 and body["overall_score"] is None
    assert all(c["mean"] is None and c["min"] is None and c["max"] is None for c in body["criteria"])
    assert all(c["scored_reviews"] == 1 for c in body["criteria"])
