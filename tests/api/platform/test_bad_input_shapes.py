"""Shapes of bad input that used to end in a 500 (issue 10), each pinned on the route where it was seen."""

from __future__ import annotations

import io
from typing import Any

import httpx
import pytest

from app.types import ID_MAX
from tests.factories.http import assert_problem
from tests.factories.world import World, row_counts

DEEP = 3_000


def deep_json(field: str, depth: int = DEEP) -> bytes:
    return b'{"' + field.encode() + b'": ' + b"[" * depth + b"]" * depth + b"}"


@pytest.mark.parametrize(
    "path", ["/calls/3000000000", "/applications/99999999999999999999", "/applications/-3000000000", "/calls/0"]
)
async def test_path_ids_out_of_range_are_not_found(client: httpx.AsyncClient, world: World, path: str) -> None:
    response = await client.get(path, headers=world.city_officer.headers)
    assert assert_problem(response, 404)["code"] == "not_found"


async def test_a_body_id_out_of_range_names_the_field(client: httpx.AsyncClient, world: World) -> None:
    before = await row_counts()
    response = await client.post(
        "/applications",
        json={"round_id": 3_000_000_000, "organisation_id": world.org_id, "title": "超范围"},
        headers=world.applicant.headers,
    )
    body = assert_problem(response, 422)
    assert body["errors"] == [{"field": "round_id", "code": "less_than_equal", "message": f"不能大于 {ID_MAX}"}]
    assert await row_counts() == before


async def test_a_query_id_out_of_range_names_the_parameter(client: httpx.AsyncClient, world: World) -> None:
    response = await client.get("/reports", params={"award_id": 3_000_000_000}, headers=world.city_officer.headers)
    body = assert_problem(response, 422)
    assert [e["field"] for e in body["errors"]] == ["award_id"]
    assert str(ID_MAX) in body["errors"][0]["message"]


@pytest.mark.parametrize("route", ["login", "register", "autosave"])
async def test_deeply_nested_json_is_refused_before_decoding(
    client: httpx.AsyncClient, world: World, route: str
) -> None:
    method, path, headers, field = {
        "login": ("POST", "/auth/login", {}, "username"),
        "register": ("POST", "/organisations/register", {}, "name"),
        "autosave": ("PATCH", f"/applications/{world.draft_id}", world.applicant.headers, "answers"),
    }[route]
    before = await row_counts()
    response = await client.request(
        method, path, content=deep_json(field), headers={**headers, "content-type": "application/json"}
    )
    assert assert_problem(response, 400)["code"] == "json_too_deep"
    assert await row_counts() == before


async def test_reasonably_nested_answers_are_still_accepted(client: httpx.AsyncClient, world: World) -> None:
    nested: Any = "底"
    for _ in range(20):
        nested = {"下一层": [nested]}
    response = await client.patch(
        f"/applications/{world.draft_id}", json={"answers": {"notes": nested}}, headers=world.applicant.headers
    )
    assert response.status_code == 200, response.text


@pytest.mark.parametrize(
    "files",
    [
        {"other": ("a.pdf", io.BytesIO(b"%PDF-1.4 x"), "application/pdf")},
        {"file": (None, b"just text")},
        None,
    ],
    ids=["file-under-another-name", "file-as-text", "no-parts"],
)
async def test_multipart_without_the_file_part_names_the_field(
    client: httpx.AsyncClient, world: World, files: Any
) -> None:
    before = await row_counts()
    kwargs: dict[str, Any] = {"files": files} if files else {"data": {"note": "no file"}}
    if files is None:
        kwargs = {"content": b"--x--\r\n", "headers": {"content-type": "multipart/form-data; boundary=x"}}
    headers = {**world.applicant.headers, **kwargs.pop("headers", {})}
    response = await client.post(f"/applications/{world.draft_id}/attachments", headers=headers, **kwargs)
    body = assert_problem(response, 422)
    assert "file" in {e["field"] for e in body["errors"]}, body
    assert await row_counts() == before


REASON = "因" * 1_001  # AuditEntry.reason holds 1,000


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("/applications/{submitted}/eligibility-override", {"reason": REASON}, "reason"),
        ("/applications/actions", {"action": "reject", "application_ids": ["{submitted}"], "reason": REASON}, "reason"),
        ("/awards/1/clawbacks", {"amount_fen": 100, "finding": REASON}, "finding"),
        ("/objections/1/resolve", {"decision": "dismissed", "resolution": REASON}, "resolution"),
        ("/inspection-draws/1/findings", {"award_id": 1, "finding": REASON}, "finding"),
    ],
)
async def test_reasons_longer_than_the_audit_column_are_refused(
    client: httpx.AsyncClient, world: World, path: str, body: dict[str, Any], field: str
) -> None:
    body = {k: [world.submitted_id] if v == ["{submitted}"] else v for k, v in body.items()}
    before = await row_counts()
    response = await client.post(
        path.format(submitted=world.submitted_id), json=body, headers=world.city_officer.headers
    )
    problem = assert_problem(response, 422)
    assert {"field": field, "code": "string_too_long", "message": "最多 1000 个字符"} in problem["errors"]
    assert await row_counts() == before


async def test_a_bulk_action_reports_each_item_and_keeps_the_others(client: httpx.AsyncClient, world: World) -> None:
    ids = [world.pudong_application_id, world.draft_id, ID_MAX, world.submitted_id]
    before = {i: (await client.get(f"/applications/{i}", headers=world.city_officer.headers)).json() for i in ids[::3]}
    response = await client.post(
        "/applications/actions",
        json={"action": "return_for_revision", "application_ids": ids, "reason": "预算明细不完整"},
        headers=world.city_officer.headers,
    )
    assert response.status_code == 200, response.text
    results = response.json()
    assert [r["application_id"] for r in results] == ids
    assert results[0] == {**results[0], "ok": True, "status": "returned"}
    assert results[1]["ok"] is False and results[1]["code"] == "transition_invalid_state"
    assert results[2]["ok"] is False and results[2]["code"] == "not_found"
    after = {i: (await client.get(f"/applications/{i}", headers=world.city_officer.headers)).json() for i in ids[::3]}
    assert after[ids[0]]["status"] == "returned"
    # The last item went its own way after two failures in the middle: its result matches what is stored.
    assert results[3]["ok"] is (after[ids[3]]["status"] != before[ids[3]]["status"])
    draft = await client.get(f"/applications/{world.draft_id}", headers=world.city_officer.headers)
    assert draft.json()["status"] == "draft"


async def test_a_bulk_action_that_is_wrong_as_a_whole_changes_nothing(client: httpx.AsyncClient, world: World) -> None:
    before = await row_counts()
    ids = [world.pudong_application_id, world.submitted_id]
    response = await client.post(
        "/applications/actions",
        json={"action": "reject", "application_ids": ids, "reason": " "},
        headers=world.city_officer.headers,
    )
    assert response.status_code == 200, response.text
    assert [(r["application_id"], r["ok"], r["code"]) for r in response.json()] == [
        (i, False, "reason_required") for i in ids
    ]
    assert await row_counts() == before


async def test_nul_characters_are_refused_with_the_field(client: httpx.AsyncClient, world: World) -> None:
    login = await client.post("/auth/login", json={"username": "a\x00b", "password": "x"})
    assert {"field": "username", "code": "string_nul"}.items() <= assert_problem(login, 422)["errors"][0].items()
    before = await row_counts()
    autosave = await client.patch(
        f"/applications/{world.draft_id}",
        json={"answers": {"summary": {"nested": ["ok", "bad\x00"]}}},
        headers=world.applicant.headers,
    )
    assert assert_problem(autosave, 422)["errors"][0]["field"] == "answers"
    query = await client.get("/reports", params={"status": "submitted\x00"}, headers=world.city_officer.headers)
    assert assert_problem(query, 422)["errors"][0] == {
        "field": "status",
        "code": "string_nul",
        "message": "不能包含空字符 (U+0000)",
    }
    assert await row_counts() == before


REGISTRATION = {
    "username": "changning-org",
    "password": "password-123",
    "name": "长宁某社会服务中心",
    "org_type": "social_service_institution",
    "credit_code": "52310105MJ00000024",
    "email": "contact@changning-org.example.org",
    "mobile": "13800138000",
}


async def test_a_district_may_be_given_by_its_chinese_name(client: httpx.AsyncClient) -> None:
    response = await client.post("/organisations/register", json={**REGISTRATION, "district": "长宁区"})
    assert response.status_code == 201, response.text
    assert response.json()["district"] == "changning"


async def test_enum_errors_list_the_accepted_values(client: httpx.AsyncClient) -> None:
    response = await client.post("/organisations/register", json={**REGISTRATION, "district": "长宁县"})
    (error,) = assert_problem(response, 422)["errors"]
    assert error["field"] == "district" and error["code"] == "enum"
    assert "changning" in error["message"] and "中文区名" in error["message"]


async def test_length_and_number_errors_state_the_limit(client: httpx.AsyncClient, world: World) -> None:
    long_title = await client.post(
        "/applications",
        json={"round_id": world.round["id"], "organisation_id": world.org_id, "title": "长" * 201},
        headers=world.applicant.headers,
    )
    assert assert_problem(long_title, 422)["errors"][0]["message"] == "最多 200 个字符"
    big = await client.post(
        f"/editions/{world.round['edition_id']}/budget-lines",
        json={"fund_source_id": 1, "amount_fen": 10**14},
        headers=world.city_officer.headers,
    )
    assert assert_problem(big, 422)["errors"][0]["message"] == f"不能大于 {10**13}"


@pytest.mark.parametrize(
    ("who", "path", "needed"),
    [("expert", "/reviews/{assignment}/submit", "scores"), ("applicant", "/applications/{draft}/withdraw", "reason")],
)
async def test_a_missing_body_says_what_is_needed(
    client: httpx.AsyncClient, world: World, who: str, path: str, needed: str
) -> None:
    user = world.expert if who == "expert" else world.applicant
    response = await client.post(
        path.format(assignment=world.assignment_id, draft=world.draft_id), headers=user.headers
    )
    body = assert_problem(response, 422)
    assert body["code"] == "body_required"
    assert needed in body["detail"] and body["errors"][0]["field"] == "body"


async def test_openapi_declares_review_scores_an_object(client: httpx.AsyncClient) -> None:
    schema = (await client.get("/schema/openapi.json")).json()
    scores = schema["components"]["schemas"]["ReviewDraft"]["properties"]["scores"]
    assert scores["type"] == "object" and scores["maxProperties"] == 30
