"""The expert's pages: the assignments and one application (blind rounds stripped as the API strips them, in the
HTML, title and URL), the rubric, and draft and submit through the API's services with its Chinese errors next to
the criterion; another expert's assignment is the uniform 404 page, and nothing changes on a refusal."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import httpx

from app.auth.tables import Role
from app.portal.errors import NOT_FOUND
from app.timezone import shown
from programmes.tables import Criterion
from scoring.tables import ReviewAssignment
from tests import factories
from tests.factories.http import ok
from tests.factories.portal import csrf_token, signed_in
from tests.factories.review import CANARY, setup_round

DUE = datetime(2026, 6, 30, 9, 30, tzinfo=UTC)  # 17:30 in Beijing


async def _blind_world(client: httpx.AsyncClient) -> dict[str, Any]:
    world = await setup_round(client, experts=2, applications=1, blind=True)
    # The rubric's options the form shows: N/A for 创新性, a comment below 60 for 可行性.
    await Criterion.update({Criterion.allow_na: True}).where(Criterion.code == "innovation")
    await Criterion.update({Criterion.comment_below: 60}).where(Criterion.code == "feasibility")
    ok(await client.post(f"/rounds/{world['round']['id']}/assignments", headers=world["officer"].headers), 201)
    await ReviewAssignment.update({ReviewAssignment.due_at: DUE}).where(ReviewAssignment.id > 0)
    rows = await ReviewAssignment.select().order_by(ReviewAssignment.id)
    world["mine"] = {expert.id: next(r for r in rows if r["expert"] == expert.id) for expert in world["experts"]}
    return world


async def _as_expert(client: httpx.AsyncClient, world: dict[str, Any], n: int = 0) -> tuple[Any, dict[str, Any]]:
    expert = world["experts"][n]
    client.cookies.clear()
    await signed_in(client, expert.principal.username)
    return expert, world["mine"][expert.id]


async def test_the_list_shows_round_status_and_due_date_without_the_blind_applicant(
    client: httpx.AsyncClient,
) -> None:
    world = await _blind_world(client)
    _, assignment = await _as_expert(client, world)

    page = await client.get("/portal/reviews")

    assert page.status_code == 200
    assert f'href="/portal/reviews/{assignment["id"]}"' in page.text
    assert world["round"]["name"] in page.text and "待评审" in page.text
    assert shown(DUE).strftime("%Y-%m-%d %H:%M") == "2026-06-30 17:30" and "2026-06-30 17:30" in page.text
    assert CANARY not in page.text and "张三" not in page.text and "共 1 项" in page.text


async def test_the_application_is_laid_out_by_its_labels_with_the_rubric_and_no_identity(
    client: httpx.AsyncClient,
) -> None:
    world = await _blind_world(client)
    _, assignment = await _as_expert(client, world)

    page = await client.get(f"/portal/reviews/{assignment['id']}")

    assert page.status_code == 200
    text = page.text
    assert text.index("项目简介") < text.index("受益人数")  # the form's labels, in its order
    assert "为社区独居老人提供助餐与陪伴服务" in text and "summary" not in text.replace('name="', "")
    assert CANARY not in text and "张三" not in text  # blind: no organisation, no identifying answer
    assert "创新性" in text and "权重 40" in text and "0–100" in text and "不适用" in text
    assert "低于 60 分须填写评语" in text


async def test_a_draft_saves_with_one_na_and_a_submit_with_a_low_score_asks_for_a_comment(
    client: httpx.AsyncClient,
) -> None:
    world = await _blind_world(client)
    _, assignment = await _as_expert(client, world)
    path = f"/portal/reviews/{assignment['id']}"
    token = await csrf_token(client, path)

    draft = await client.post(
        path, data={"csrf_token": token, "action": "draft", "na.innovation": "1", "score.feasibility": "50"}
    )
    assert draft.status_code == 303
    row = await ReviewAssignment.select().where(ReviewAssignment.id == assignment["id"]).first()
    assert row["scores"] in ({"innovation": None, "feasibility": 50}, '{"innovation": null, "feasibility": 50}')
    assert "草稿已保存" in (await client.get(path)).text

    refused = await client.post(
        path, data={"csrf_token": token, "action": "submit", "na.innovation": "1", "score.feasibility": "50"}
    )
    assert refused.status_code == 422
    assert "请填写评语" in refused.text and 'id="error-comment"' in refused.text
    assert (await ReviewAssignment.select().where(ReviewAssignment.id == assignment["id"]).first())["status"] == (
        "assigned"
    )

    submitted = await client.post(
        path,
        data={
            "csrf_token": token,
            "action": "submit",
            "na.innovation": "1",
            "score.feasibility": "50",
            "comment": "预算说明不足",
        },
    )
    assert submitted.status_code == 303
    after = await ReviewAssignment.select().where(ReviewAssignment.id == assignment["id"]).first()
    assert after["status"] == "submitted" and after["comment"] == "预算说明不足"
    assert "已提交评分" in (await client.get(path)).text


async def test_an_out_of_range_score_is_refused_next_to_its_criterion_and_nothing_changes(
    client: httpx.AsyncClient,
) -> None:
    world = await _blind_world(client)
    _, assignment = await _as_expert(client, world)
    path = f"/portal/reviews/{assignment['id']}"
    token = await csrf_token(client, path)

    for score in ("150", "八十"):
        refused = await client.post(
            path, data={"csrf_token": token, "action": "submit", "score.innovation": "80", "score.feasibility": score}
        )
        assert refused.status_code == 422, score
        assert 'id="error-feasibility"' in refused.text and 'role="alert"' in refused.text
        assert 'id="error-innovation"' not in refused.text
    row = await ReviewAssignment.select().where(ReviewAssignment.id == assignment["id"]).first()
    assert row["status"] == "assigned" and row["scores"] in ({}, "{}")


async def test_another_experts_assignment_is_the_uniform_404_and_stays_unchanged(client: httpx.AsyncClient) -> None:
    world = await _blind_world(client)
    other = world["mine"][world["experts"][1].id]
    await _as_expert(client, world, 0)
    token = await csrf_token(client, "/portal/reviews")

    page = await client.get(f"/portal/reviews/{other['id']}")
    post = await client.post(
        f"/portal/reviews/{other['id']}",
        data={"csrf_token": token, "action": "draft", "score.innovation": "10"},
    )

    for response in (page, post):
        assert response.status_code == 404 and NOT_FOUND in response.text
    row = await ReviewAssignment.select().where(ReviewAssignment.id == other["id"]).first()
    assert row["scores"] in ({}, "{}") and row["status"] == "assigned"


async def test_the_review_pages_are_for_experts_only(client: httpx.AsyncClient) -> None:
    applicant = await factories.user(Role.applicant)
    await signed_in(client, applicant.principal.username)
    assert (await client.get("/portal/reviews")).status_code == 403
