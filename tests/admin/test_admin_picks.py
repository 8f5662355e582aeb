"""The admin forms' dropdowns over HTTP (app.admin.picks): choices per officer's scope, labelled by name, values
outside them refused in Chinese with nothing changed, and the script on Piccolo's page."""

from __future__ import annotations

from typing import Any

import pytest

from app.audit import AuditEntry
from app.auth.tables import Role
from app.reference import District
from programmes.tables import PaymentBatch, Round
from tests.factories.admin import AdminFactory, AdminSession, draft_batch
from tests.factories.admin_http import APPROVE_BATCH, OPEN_ROUND, form_path, ok, one_programme_per_scope

pytestmark = pytest.mark.filterwarnings("ignore:If running sessions in production:UserWarning")

BULK = "申报批量操作"
RESOLVE_OBJECTION = "处理公示异议"


async def _schema(session: AdminSession, form: str) -> dict[str, Any]:
    return dict(ok(await session.get(f"{form_path(form)}schema/")))


def _choices(schema: dict[str, Any], field: str) -> dict[Any, str]:
    """value → label of one field's dropdown."""
    return {c["value"]: c["display_name"] for c in schema["properties"][field]["extra"]["choices"].values()}


async def test_object_choices_follow_the_officers_scope(admin_client: AdminFactory) -> None:
    city = await admin_client(Role.officer)
    changning = await admin_client(Role.officer, District.changning)
    pudong = await admin_client(Role.officer, District.pudong)
    assert city.user is not None
    rounds = await one_programme_per_scope(city.user)
    mine, theirs, city_level = (rounds[d]["id"] for d in ("changning", "pudong", None))

    # City staff pick from every district's rounds, newest first, each by edition and name.
    everything = _choices(await _schema(city, OPEN_ROUND), "round_id")
    assert list(everything)[:3] == [city_level, theirs, mine]
    # City staff see whose each is (names repeat across districts); a district officer's are all their own.
    assert (everything[mine], everything[city_level]) == ("2026 · 初赛（长宁区）", "2026 · 初赛（市级）")
    assert _choices(await _schema(changning, OPEN_ROUND), "round_id")[mine] == "2026 · 初赛"
    # A district officer's list holds their district only, also on a form of another area.
    assert set(_choices(await _schema(changning, OPEN_ROUND), "round_id")) >= {mine}
    assert not {theirs, city_level} & set(_choices(await _schema(changning, OPEN_ROUND), "round_id"))
    assert set(_choices(await _schema(pudong, "发布公示"), "round_id")) == {theirs}

    batch = await draft_batch(city.user, District.changning)
    batches = _choices(await _schema(changning, APPROVE_BATCH), "batch_id")
    assert batch["id"] in batches and "创建" in batches[batch["id"]]
    assert batch["id"] not in _choices(await _schema(pudong, APPROVE_BATCH), "batch_id")

    # Fixed values: Chinese labels, the code as the value.
    actions = _choices(await _schema(pudong, BULK), "action")
    assert actions["return_for_revision"] == "退回修改" and actions["reject"] == "驳回"
    assert _choices(await _schema(pudong, RESOLVE_OBJECTION), "decision") == {
        "upheld": "异议成立",
        "dismissed": "异议不成立",
    }


async def test_schema_without_a_session_is_refused_as_before(admin_client: AdminFactory) -> None:
    anonymous = await admin_client(None, login=False)
    response = await anonymous.get(f"{form_path(OPEN_ROUND)}schema/")
    assert response.status_code == 401


async def test_values_outside_the_choices_are_refused_in_chinese(admin_client: AdminFactory) -> None:
    city = await admin_client(Role.officer)
    changning = await admin_client(Role.officer, District.changning)
    assert city.user is not None
    rounds = await one_programme_per_scope(city.user)
    batch = await draft_batch(city.user, District.pudong)
    audit_rows = await AuditEntry.count()

    # A code typed by hand instead of picked: refused before the handler, by the field's Chinese title.
    bulk = await changning.post(form_path(BULK), {"action": "return", "application_ids": "1", "reason": "补充材料"})
    assert bulk.status_code == 422 and bulk.json()["custom_form_error"] == "操作：请从下拉列表中选择", bulk.text
    typed = await changning.post(form_path(OPEN_ROUND), {"round_id": "初赛"})
    assert typed.status_code == 422 and typed.json()["custom_form_error"] == "轮次：请从下拉列表中选择"
    missing = await changning.post(form_path(OPEN_ROUND), {})
    assert missing.json()["custom_form_error"] == "轮次：此字段为必填项"

    # An id outside the officer's list posted by hand: the service's uniform refusal, nothing changes.
    outside = await changning.post(form_path(APPROVE_BATCH), {"batch_id": batch["id"]})
    assert outside.status_code == 422 and outside.json()["custom_form_error"] == "支付批次不存在或无权访问"
    other_round = rounds["pudong"]["id"]
    closing = await changning.post(form_path("关闭轮次并排名"), {"round_id": other_round})
    assert closing.status_code == 422 and "不存在或无权访问" in closing.json()["custom_form_error"]

    assert await PaymentBatch.select(PaymentBatch.status).where(PaymentBatch.id == batch["id"]).first() == {
        "status": "draft"
    }
    assert await Round.select(Round.status).where(Round.id == other_round).first() == {"status": "open"}
    assert await AuditEntry.count() == audit_rows


async def test_a_forged_post_still_meets_piccolos_csrf_check(admin_client: AdminFactory) -> None:
    changning = await admin_client(Role.officer, District.changning)
    response = await changning.http.post(f"/admin/api/{form_path(BULK)}", json={"action": "return"})
    assert response.status_code == 403, response.text


async def test_piccolos_page_loads_the_pickers_script(admin_client: AdminFactory) -> None:
    anonymous = await admin_client(None, login=False)
    page = await anonymous.http.get("/admin/")
    assert page.status_code == 200 and 'src="./form-pickers.js"' in page.text
    assert anonymous.http.cookies.get("csrftoken")  # still Piccolo's own page and cookie
    script = await anonymous.http.get("/admin/form-pickers.js")
    assert script.status_code == 200 and script.headers["content-type"].startswith("text/javascript")
    assert "extra.choices" in script.text


async def test_every_form_schema_opens_with_its_choices(admin_client: AdminFactory) -> None:
    # Each pick list's query runs (joins and all) for a city and a district officer, on every mounted form.
    city = await admin_client(Role.officer)
    changning = await admin_client(Role.officer, District.changning)
    assert city.user is not None
    await draft_batch(city.user, District.changning)
    picked_fields = 0
    for session in (city, changning):
        for form in ok(await session.get("forms/")):
            schema = ok(await session.get(f"forms/{form['slug']}/schema/"))
            for prop in schema["properties"].values():
                if "x-pick" in prop:
                    picked_fields += 1
                    assert isinstance(prop["extra"]["choices"], dict)
    assert picked_fields > 40
