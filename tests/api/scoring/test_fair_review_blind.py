"""Issue 11, fair review: blind stripping by every form version the application and its round ever had."""

from __future__ import annotations

import copy

import httpx

from scoring.tables import ReviewAssignment
from tests import factories
from tests.factories.applications import act
from tests.factories.http import ok
from tests.factories.review import CANARY, setup_round

# v2 of the round's form: the same fields, but 联系人 no longer marked identifying.
V2 = copy.deepcopy(factories.FORM)
del V2["properties"]["contact_person"]["identifying"]


async def _expert_texts(client: httpx.AsyncClient, world: dict[str, object]) -> list[str]:
    experts = world["experts"]
    assert isinstance(experts, list)
    texts = []
    for expert in experts:
        rows = await ReviewAssignment.select(ReviewAssignment.id).where(ReviewAssignment.expert == expert.id)
        texts.append((await client.get("/reviews/mine", headers=expert.headers)).text)
        texts += [(await client.get(f"/reviews/{r['id']}", headers=expert.headers)).text for r in rows]
    return texts


async def test_a_later_form_version_does_not_unblind_earlier_submissions(client: httpx.AsyncClient) -> None:
    world = await setup_round(client, experts=2, applications=1, blind=True)
    officer, call = world["officer"], world["round"]
    ok(
        await client.post(
            f"/rounds/{call['id']}/form-versions",
            json={"form_title": "申报书 v2", "form_schema": V2},
            headers=officer.headers,
        ),
        201,
    )
    ok(await client.post(f"/rounds/{call['id']}/assignments", headers=officer.headers), 201)
    texts = await _expert_texts(client, world)
    assert len(texts) >= 4
    for text in texts:
        assert "张三" not in text and CANARY not in text  # stripped by v1, the version it was submitted against


async def test_resubmitted_under_a_new_version_stays_stripped_by_the_old_one(client: httpx.AsyncClient) -> None:
    world = await setup_round(client, experts=2, applications=1, blind=True)
    officer, call = world["officer"], world["round"]
    _, member, application = world["apps"][0]
    act_result = await act(client, officer, "return_for_revision", [application["id"]], "请补充受益人数说明")
    assert act_result[0]["ok"] is True
    ok(
        await client.post(
            f"/rounds/{call['id']}/form-versions",
            json={"form_title": "申报书 v2", "form_schema": V2},
            headers=officer.headers,
        ),
        201,
    )
    resubmitted = ok(await client.post(f"/applications/{application['id']}/submit", headers=member.headers))
    assert resubmitted["form_version_id"] != application["form_version_id"]  # now submitted against v2
    ok(await client.post(f"/rounds/{call['id']}/assignments", headers=officer.headers), 201)
    for text in await _expert_texts(client, world):
        assert "张三" not in text  # v1 marked it identifying: hidden for good
    view = ok(await client.get("/reviews/mine", headers=world["experts"][0].headers))[0]
    assert "contact_person" not in view["answers"] and view["answers"]["summary"]  # the rest is still shown


async def test_rounds_that_are_not_blind_show_everything(client: httpx.AsyncClient) -> None:
    world = await setup_round(client, experts=2, applications=1, blind=False)
    officer, call = world["officer"], world["round"]
    ok(await client.post(f"/rounds/{call['id']}/assignments", headers=officer.headers), 201)
    view = ok(await client.get("/reviews/mine", headers=world["experts"][0].headers))[0]
    assert view["answers"]["contact_person"] == "张三"
