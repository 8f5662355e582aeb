"""公示 and objections that change the outcome: re-review of only that application on its closed round, re-ranking,
a dated correction of the notice, audit rows and notifications (issue 11)."""

from __future__ import annotations

import asyncio

import httpx

from app.audit import AuditEntry
from app.auth.tables import Role
from app.notifications import Notification
from programmes.tables import Application
from scoring.tables import Objection, Publication, RankingEntry, ReviewAssignment
from tests import factories
from tests.factories.http import ok
from tests.factories.notice import end_notice, published_round, score


def problem(response: httpx.Response, status: int, code: str) -> dict[str, object]:
    assert response.status_code == status, response.text
    body: dict[str, object] = response.json()
    assert body["code"] == code, body
    return body


async def kinds_for(user_id: int) -> list[str]:
    rows = await Notification.select(Notification.kind).where(Notification.user == user_id).order_by(Notification.id)
    return [r["kind"] for r in rows]


async def actions(object_type: str, object_id: int) -> list[str]:
    rows = await AuditEntry.select(AuditEntry.action).where(
        (AuditEntry.object_type == object_type) & (AuditEntry.object_id == object_id)
    )
    return [r["action"] for r in rows]


async def test_upheld_objection_rereviews_reranks_and_corrects_the_notice(client: httpx.AsyncClient) -> None:
    notice = await published_round(client)
    officer, first, second, third = notice.officer, *notice.ranking
    assert notice.listed == [first, second]
    assert "publication.publish" in await actions("publication", notice.publication_id)
    assert "publication_listed" in await kinds_for(notice.members[first].id)
    assert "publication_not_listed" in await kinds_for(notice.members[third].id)

    _, objector = await factories.organisation()
    objection = ok(
        await client.post(
            f"/publications/{notice.publication_id}/objections",
            json={"application_id": first, "reason": "该项目与去年获奖项目内容高度雷同"},
            headers=objector.headers,
        ),
        201,
    )
    assert await actions("objection", objection["id"]) == ["objection.file"]
    assert "objection_filed" in await kinds_for(notice.members[first].id)
    upheld = ok(
        await client.post(
            f"/objections/{objection['id']}/resolve",
            json={"decision": "upheld", "resolution": "经核查内容雷同，重新评审"},
            headers=officer.headers,
        )
    )
    assert upheld["status"] == "upheld"
    assert "objection.uphold" in await actions("objection", objection["id"])
    assert "objection_resolved" in await kinds_for(objector.id)
    assert "objection_resolved" in await kinds_for(notice.members[first].id)
    # Only that application is back in review; its reviews are reopened and its experts asked to re-score.
    statuses = {a["id"]: a["status"] for a in await Application.select(Application.id, Application.status)}
    assert statuses[first] == "in_review" and statuses[second] == statuses[third] == "ranked"
    reopened = await ReviewAssignment.select().where(ReviewAssignment.application == first)
    assert {r["status"] for r in reopened} == {"assigned"}
    for row in reopened:
        assert "rereview_requested" in await kinds_for(row["expert"])

    # The notice cannot become final while the re-review is pending, even after the period.
    await end_notice(notice.publication_id)
    finalise = f"/publications/{notice.publication_id}/finalise"
    problem(await client.post(finalise, headers=officer.headers), 409, "rereview_pending")
    conclude = f"/objections/{objection['id']}/rereview"
    body = {"days": 5, "note": "重新评审完成，更正公示名单"}
    incomplete = problem(await client.post(conclude, json=body, headers=officer.headers), 409, "rereview_incomplete")
    assert len(incomplete["errors"]) == len(reopened)  # type: ignore[arg-type]

    # The experts re-score on the closed round (through the API), lower than before.
    for row in reopened:
        expert = next(e for e in notice.experts if e.id == row["expert"])
        ok(
            await client.post(
                f"/reviews/{row['id']}/submit",
                json={"scores": {"innovation": 50, "feasibility": 50}},
                headers=expert.headers,
            )
        )
    corrected = ok(await client.post(conclude, json=body, headers=officer.headers))
    assert [e["application_id"] for e in corrected["entries"]] == [second, third]
    [correction] = corrected["corrections"]
    assert correction["added"] == [third] and correction["removed"] == [first]
    assert correction["objection_ids"] == [objection["id"]] and correction["at"].endswith("+08:00")
    stored = (
        await Publication.select(Publication.corrections)
        .where(Publication.id == notice.publication_id)
        .output(load_json=True)
    )
    assert [e["application_id"] for e in stored[0]["corrections"][0]["entries_before"]] == [first, second]
    ranks = {r["application"]: r["rank"] for r in await RankingEntry.select()}
    assert ranks == {second: 1, third: 2, first: 3}
    assert (await Application.select(Application.status).where(Application.id == first).first() or {})[
        "status"
    ] == "ranked"
    assert "rereview_done" in await kinds_for(objector.id)
    assert (await kinds_for(notice.members[third].id)).count("publication_listed") == 1
    assert (await kinds_for(notice.members[first].id)).count("publication_not_listed") == 1
    assert "publication.amend" in await actions("publication", notice.publication_id)
    assert "objection.conclude" in await actions("objection", objection["id"])
    problem(await client.post(conclude, json=body, headers=officer.headers), 409, "rereview_not_pending")

    # The correction restarts the notice: the gate sees a running notice, and objections are possible again.
    problem(await client.post(finalise, headers=officer.headers), 409, "publication_running")
    removed = await client.post(
        f"/publications/{notice.publication_id}/objections",
        json={"application_id": first, "reason": "再次对已移出名单的项目提出异议"},
        headers=objector.headers,
    )
    problem(removed, 422, "application_not_listed")
    await end_notice(notice.publication_id)
    final = ok(await client.post(finalise, headers=officer.headers))
    assert final["status"] == "final"
    statuses = {a["id"]: a["status"] for a in await Application.select(Application.id, Application.status)}
    assert (statuses[first], statuses[second], statuses[third]) == ("ranked", "advanced", "advanced")
    assert "publication_final" in await kinds_for(notice.members[third].id)
    assert "publication_final" not in await kinds_for(notice.members[first].id)


async def test_only_the_rereviewed_application_may_be_scored_on_a_closed_round(client: httpx.AsyncClient) -> None:
    notice = await published_round(client)
    officer, first, _, third = notice.officer, *notice.ranking
    # An officer reopens a review of another application of the closed round: its expert still gets round_closed.
    other = await ReviewAssignment.select().where(ReviewAssignment.application == third).first()
    assert other is not None
    ok(await client.post(f"/assignments/{other['id']}/reopen", json={"reason": "复核评分"}, headers=officer.headers))
    expert = next(e for e in notice.experts if e.id == other["expert"])
    refused = await client.post(
        f"/reviews/{other['id']}/submit",
        json={"scores": {"innovation": 90, "feasibility": 90}},
        headers=expert.headers,
    )
    problem(refused, 409, "round_closed")
    # A dismissed objection changes nothing and opens no re-review.
    _, objector = await factories.organisation()
    objection = ok(
        await client.post(
            f"/publications/{notice.publication_id}/objections",
            json={"application_id": first, "reason": "怀疑该项目预算编制不实"},
            headers=objector.headers,
        ),
        201,
    )
    ok(
        await client.post(
            f"/objections/{objection['id']}/resolve",
            json={"decision": "dismissed", "resolution": "经核查预算编制合理"},
            headers=officer.headers,
        )
    )
    assert (await Application.select(Application.status).where(Application.id == first).first() or {})[
        "status"
    ] == "ranked"
    problem(
        await client.post(
            f"/objections/{objection['id']}/rereview", json={"days": 3, "note": "不适用"}, headers=officer.headers
        ),
        409,
        "rereview_not_pending",
    )


async def test_two_upheld_objections_share_one_rereview(client: httpx.AsyncClient) -> None:
    notice = await published_round(client)
    officer, first = notice.officer, notice.ranking[0]
    objections = []
    for reason in ("该项目与去年获奖项目内容高度雷同", "该项目负责人同时在另一项目任职"):
        _, objector = await factories.organisation()
        made = await client.post(
            f"/publications/{notice.publication_id}/objections",
            json={"application_id": first, "reason": reason},
            headers=objector.headers,
        )
        objections.append(ok(made, 201)["id"])
    for objection_id in objections:
        ok(
            await client.post(
                f"/objections/{objection_id}/resolve",
                json={"decision": "upheld", "resolution": "异议成立"},
                headers=officer.headers,
            )
        )
    # Re-assignment: the officer removes one reopened review and assigns a fresh expert on the closed round.
    dropped = await ReviewAssignment.select().where(ReviewAssignment.application == first).first()
    assert dropped is not None
    ok(
        await client.post(
            f"/assignments/{dropped['id']}/remove", json={"reason": "专家回避，改派"}, headers=officer.headers
        )
    )
    fresh = await factories.user(Role.expert)
    ok(
        await client.post(
            "/assignments", json={"application_id": first, "expert_id": fresh.id}, headers=officer.headers
        ),
        201,
    )
    await score([*notice.experts, fresh], first, 85)
    corrected = ok(
        await client.post(
            f"/objections/{objections[1]}/rereview",
            json={"days": 3, "note": "重新评审后仍入围"},
            headers=officer.headers,
        )
    )
    assert [e["application_id"] for e in corrected["entries"]] == notice.listed
    assert corrected["corrections"][0]["added"] == corrected["corrections"][0]["removed"] == []
    assert {o["status"] for o in await Objection.select(Objection.status)} == {"rereviewed"}
    reviews = await ReviewAssignment.select(ReviewAssignment.expert, ReviewAssignment.status).where(
        ReviewAssignment.application == first
    )
    assert {(r["expert"], r["status"]) for r in reviews} >= {(fresh.id, "submitted"), (dropped["expert"], "removed")}


async def test_concurrent_conclusions_correct_the_notice_once(client: httpx.AsyncClient) -> None:
    notice = await published_round(client)
    officer, first = notice.officer, notice.ranking[0]
    _, objector = await factories.organisation()
    objection = ok(
        await client.post(
            f"/publications/{notice.publication_id}/objections",
            json={"application_id": first, "reason": "该项目与去年获奖项目内容高度雷同"},
            headers=objector.headers,
        ),
        201,
    )
    resolve = f"/objections/{objection['id']}/resolve"
    answers = await asyncio.gather(
        *[
            client.post(resolve, json={"decision": "upheld", "resolution": "异议成立"}, headers=officer.headers)
            for _ in range(50)
        ]
    )
    assert sorted(r.status_code for r in answers) == [200] + [409] * 49
    await score(notice.experts, first, 40)
    conclude = f"/objections/{objection['id']}/rereview"
    answers = await asyncio.gather(
        *[client.post(conclude, json={"days": 3, "note": "更正"}, headers=officer.headers) for _ in range(50)]
    )
    assert sorted(r.status_code for r in answers) == [200] + [409] * 49
    stored = (
        await Publication.select(Publication.corrections)
        .where(Publication.id == notice.publication_id)
        .output(load_json=True)
    )
    assert len(stored[0]["corrections"]) == 1
    assert await RankingEntry.count() == 3
    # One notification per recipient and event, however many requests raced.
    assert await Notification.count().where(Notification.kind == "rereview_done") == 2  # objector + one member


async def test_concurrent_publishes_make_one_notice_and_one_set_of_notifications(client: httpx.AsyncClient) -> None:
    # A closed, ranked round whose notice is taken back (by hand, as a test may) to publish it again: 50 clicks at once.
    other = await published_round(client)
    await Publication.delete().where(Publication.id == other.publication_id)
    await Notification.delete().where(Notification.kind.is_in(["publication_listed", "publication_not_listed"]))
    answers = await asyncio.gather(
        *[
            client.post(
                f"/rounds/{other.round_id}/publication", json={"days": 7, "top_n": 2}, headers=other.officer.headers
            )
            for _ in range(50)
        ]
    )
    assert sorted(r.status_code for r in answers) == [201] + [409] * 49
    assert {r.json()["code"] for r in answers if r.status_code == 409} == {"already_published"}
    assert await Publication.count().where(Publication.round == other.round_id) == 1
    assert (
        await Notification.count().where(Notification.kind.is_in(["publication_listed", "publication_not_listed"])) == 3
    )
    assert await AuditEntry.count().where(AuditEntry.action == "publication.publish") == 2  # the first one and ours
