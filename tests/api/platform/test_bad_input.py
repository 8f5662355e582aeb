"""Bad input on every slice route → 4xx problem+json with a stable code and zh-CN detail, and nothing written."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest

from tests.factories.http import assert_problem
from tests.factories.world import World, row_counts

Route = tuple[str, Callable[[World], str], Callable[[World], dict[str, str]], Callable[[World], dict[str, Any]]]


def staff(w: World) -> dict[str, str]:
    return w.city_officer.headers


def applicant(w: World) -> dict[str, str]:
    return w.applicant.headers


def nobody(w: World) -> dict[str, str]:
    return {}


# method+path, path builder, caller, a valid body to corrupt
ROUTES: dict[str, Route] = {
    "login": ("POST", lambda w: "/auth/login", nobody, lambda w: {"username": "x", "password": "y"}),
    "refresh": ("POST", lambda w: "/auth/refresh", nobody, lambda w: {"refresh_token": w.applicant.refresh_token}),
    "register": (
        "POST",
        lambda w: "/organisations/register",
        nobody,
        lambda w: {
            "username": "neworg",
            "password": "password-123",
            "email": "neworg@example.org",
            "mobile": "13800138001",
            "name": "新组织",
            "org_type": "foundation",
            "credit_code": "53310104MJ0000001F",
            "district": "xuhui",
        },
    ),
    "programme": ("POST", lambda w: "/programmes", staff, lambda w: {"name": "新项目", "kind": "contest"}),
    "edition": (
        "POST",
        lambda w: f"/programmes/{w.round['programme_id']}/editions",
        staff,
        lambda w: {"year": 2027, "title": "2027"},
    ),
    "round": (
        "POST",
        lambda w: f"/editions/{w.round['edition_id']}/rounds",
        staff,
        lambda w: {
            "name": "复赛",
            "opens_at": "2026-05-01T09:00:00+08:00",
            "closes_at": "2026-06-01T09:00:00+08:00",
            "form_title": "表",
            "form_schema": {"type": "object"},
            "criteria": [{"code": "a", "name": "A", "weight": 1, "max_score": 10}],
        },
    ),
    "application": (
        "POST",
        lambda w: "/applications",
        applicant,
        lambda w: {"round_id": w.pudong_round["id"], "organisation_id": w.org_id, "title": "新申报"},
    ),
    "autosave": ("PATCH", lambda w: f"/applications/{w.draft_id}", applicant, lambda w: {"answers": {"summary": "x"}}),
    "assignment": (
        "POST",
        lambda w: "/assignments",
        staff,
        lambda w: {"application_id": w.submitted_id, "expert_id": w.other_expert.id},
    ),
    "review": (
        "POST",
        lambda w: f"/reviews/{w.assignment_id}/submit",
        lambda w: w.expert.headers,
        lambda w: {"scores": {"innovation": 1, "feasibility": 2}},
    ),
    "fund_source": ("POST", lambda w: "/fund-sources", staff, lambda w: {"name": "财政资金", "kind": "fiscal"}),
    "budget_line": (
        "POST",
        lambda w: f"/editions/{w.round['edition_id']}/budget-lines",
        staff,
        lambda w: {"fund_source_id": 1, "amount_fen": 100},
    ),
    "award": (
        "POST",
        lambda w: "/awards",
        staff,
        lambda w: {"application_id": 1, "budget_line_id": 1, "amount_fen": 100},
    ),
    "batch": ("POST", lambda w: "/payment-batches", staff, lambda w: {"title": "批次", "tranche_ids": [1]}),
}


OPTIONAL_ONLY = {"autosave"}  # a partial autosave is valid by design


def corrupt(body: dict[str, Any], how: str) -> Any:
    first = next(iter(body))
    if how == "unknown_field":
        return {**body, "unexpected": 1}
    if how == "missing_field":
        return {k: v for k, v in body.items() if k != first}
    if how == "wrong_type":
        wrong = "不是对象" if isinstance(body[first], dict) else {"nested": ["not", "a", "scalar"]}
        return {**body, first: wrong}
    if how == "not_an_object":
        return ["a", "list"]
    raise AssertionError(how)


async def send(
    client: httpx.AsyncClient, method: str, path: str, headers: dict[str, str], **kwargs: Any
) -> httpx.Response:
    return await client.request(method, path, headers=headers, **kwargs)


@pytest.mark.parametrize("how", ["unknown_field", "missing_field", "wrong_type", "not_an_object"])
@pytest.mark.parametrize("name", sorted(ROUTES))
async def test_malformed_bodies_are_refused_and_write_nothing(
    client: httpx.AsyncClient, world: World, name: str, how: str
) -> None:
    method, path, caller, valid = ROUTES[name]
    if how == "missing_field" and name in OPTIONAL_ONLY:
        pytest.skip("every field of this body is optional")
    before = await row_counts()
    response = await send(client, method, path(world), caller(world), json=corrupt(valid(world), how))
    body = assert_problem(response, 422)
    assert body["code"] == "validation_failed"
    if how in ("unknown_field", "missing_field", "wrong_type"):
        fields = {e["field"] for e in body["errors"]}
        expected = "unexpected" if how == "unknown_field" else next(iter(valid(world)))
        assert any(expected in f for f in fields), body["errors"]
    assert await row_counts() == before


@pytest.mark.parametrize("name", sorted(ROUTES))
async def test_oversize_bodies_are_refused(client: httpx.AsyncClient, world: World, name: str) -> None:
    method, path, caller, valid = ROUTES[name]
    before = await row_counts()
    huge = {**valid(world), "padding": "长" * 400_000}  # > 1 MB of UTF-8
    response = await send(client, method, path(world), caller(world), json=huge)
    body = assert_problem(response, 413)
    assert body["code"] == "body_too_large"
    assert await row_counts() == before


async def test_invalid_json_is_a_problem(client: httpx.AsyncClient, world: World) -> None:
    response = await client.post(
        "/programmes", content=b"{not json", headers={**world.city_officer.headers, "content-type": "application/json"}
    )
    assert_problem(response)


async def test_submit_after_the_deadline_is_refused(client: httpx.AsyncClient, world: World) -> None:
    from tests.factories import end_round_window

    await client.patch(
        f"/applications/{world.draft_id}",
        json={"answers": {"summary": "完整的项目简介内容", "beneficiaries": 3}},
        headers=world.applicant.headers,
    )
    await end_round_window(world.round["id"])
    before = await row_counts()
    response = await client.post(f"/applications/{world.draft_id}/submit", headers=world.applicant.headers)
    assert assert_problem(response, 409)["code"] == "deadline_passed"
    late_draft = await client.post(
        "/applications",
        json={"round_id": world.round["id"], "organisation_id": world.org_id, "title": "迟到"},
        headers=world.applicant.headers,
    )
    assert assert_problem(late_draft, 409)["code"] in ("deadline_passed", "application_exists")
    assert await row_counts() == before


async def test_double_submit_is_refused(client: httpx.AsyncClient, world: World) -> None:
    before = await row_counts()
    response = await client.post(f"/applications/{world.submitted_id}/submit", headers=world.other_applicant.headers)
    assert assert_problem(response, 409)["code"] == "transition_invalid_state"
    assert await row_counts() == before


async def test_second_application_for_the_same_round_is_refused(client: httpx.AsyncClient, world: World) -> None:
    before = await row_counts()
    response = await client.post(
        "/applications",
        json={"round_id": world.round["id"], "organisation_id": world.org_id, "title": "第二份"},
        headers=world.applicant.headers,
    )
    assert assert_problem(response, 409)["code"] == "application_exists"
    assert await row_counts() == before


@pytest.mark.parametrize(
    ("answers", "field", "code"),
    [
        ({"summary": "短", "beneficiaries": 3}, "answers.summary", "form_minLength"),
        ({"summary": "足够长的项目简介内容", "beneficiaries": "三"}, "answers.beneficiaries", "form_type"),
        ({"summary": "足够长的项目简介内容", "beneficiaries": 0}, "answers.beneficiaries", "form_minimum"),
        ({"beneficiaries": 3}, "answers.summary", "form_required"),
    ],
)
async def test_form_answers_are_validated_with_field_paths(
    client: httpx.AsyncClient, world: World, answers: dict[str, Any], field: str, code: str
) -> None:
    await client.patch(f"/applications/{world.draft_id}", json={"answers": answers}, headers=world.applicant.headers)
    response = await client.post(f"/applications/{world.draft_id}/submit", headers=world.applicant.headers)
    body = assert_problem(response, 422)
    assert body["code"] == "form_answers_invalid"
    assert {"field": field, "code": code} in [{"field": e["field"], "code": e["code"]} for e in body["errors"]]
    assert all(e["message"] for e in body["errors"])


@pytest.mark.parametrize("amount", [0, -100, 1.5, "100", 10**13])
async def test_award_amounts_must_be_positive_integer_fen(client: httpx.AsyncClient, world: World, amount: Any) -> None:
    before = await row_counts()
    response = await client.post(
        "/awards",
        json={"application_id": world.submitted_id, "budget_line_id": 1, "amount_fen": amount},
        headers=world.city_officer.headers,
    )
    assert_problem(response, 422)
    assert await row_counts() == before


async def test_bad_credit_code_on_registration_names_the_field(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/organisations/register",
        json={
            "username": "badcode",
            "password": "password-123",
            "email": "badcode@example.org",
            "mobile": "13800138002",
            "name": "某基金会",
            "org_type": "foundation",
            "credit_code": "91350100M000100Y44",
            "district": "xuhui",
        },
    )
    body = assert_problem(response, 422)
    assert body["code"] == "credit_code_check"
    assert body["errors"][0]["field"] == "credit_code"


@pytest.mark.parametrize("amount", [True, 100.0, "100"])
async def test_money_must_be_a_json_integer_not_something_that_converts(
    client: httpx.AsyncClient, world: World, amount: Any
) -> None:
    response = await client.post(
        f"/editions/{world.round['edition_id']}/budget-lines",
        json={"fund_source_id": 1, "amount_fen": amount},
        headers=world.city_officer.headers,
    )
    body = assert_problem(response, 422)
    assert body["errors"][0]["field"] == "amount_fen"


async def test_withdraw_with_a_reason(client: httpx.AsyncClient, world: World) -> None:
    no_reason = await client.post(f"/applications/{world.draft_id}/withdraw", json={}, headers=world.applicant.headers)
    assert_problem(no_reason, 422)
    done = await client.post(
        f"/applications/{world.draft_id}/withdraw", json={"reason": "团队调整"}, headers=world.applicant.headers
    )
    assert done.status_code == 200 and done.json()["status"] == "withdrawn"
    again = await client.post(
        f"/applications/{world.draft_id}/withdraw", json={"reason": "团队调整"}, headers=world.applicant.headers
    )
    assert assert_problem(again, 409)["code"] == "transition_invalid_state"


async def test_validation_messages_are_chinese(client: httpx.AsyncClient, world: World) -> None:
    response = await client.post(
        f"/editions/{world.round['edition_id']}/rounds",
        json={
            "name": "复赛",
            "opens_at": "2026-05-01T09:00:00",
            "closes_at": "2026-06-01T09:00:00+08:00",
            "form_title": "表",
            "form_schema": {"type": "object"},
            "criteria": [{"code": "Bad Code", "name": "A", "weight": 1, "max_score": 10}],
        },
        headers=world.city_officer.headers,
    )
    body = assert_problem(response, 422)
    by_code = {e["code"]: e for e in body["errors"]}
    assert by_code["timezone_aware"]["field"] == "opens_at"
    assert "时区" in by_code["timezone_aware"]["message"]
    assert by_code["string_pattern_mismatch"]["message"] == "格式不正确"
    assert "invalid" not in by_code
