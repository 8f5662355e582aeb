"""公示 re-review and 双随机 through the admin forms: the same services, so the same rules, audit and notifications."""

from __future__ import annotations

from urllib.parse import quote

import httpx
import pytest

from app.auth.tables import Role
from app.reference import District
from programmes.draws.tables import InspectionDraw, InspectionFinding
from programmes.tables import Application
from scoring.tables import Objection, Publication
from tests import factories
from tests.factories.admin import AdminFactory
from tests.factories.http import ok
from tests.factories.money import funded_edition
from tests.factories.notice import end_notice, published_round, score
from tests.factories.world import World, world  # noqa: F401 — the API tests' world fixture

pytestmark = pytest.mark.filterwarnings("ignore:If running sessions in production:UserWarning")


def form(name: str) -> str:
    return f"forms/{quote(name)}/"


async def test_rereview_through_the_admin_forms(client: httpx.AsyncClient, admin_client: AdminFactory) -> None:
    notice = await published_round(client)
    city = await admin_client(Role.officer)
    pudong = await admin_client(Role.officer, District.pudong)
    first, second, third = notice.ranking
    _, objector = await factories.organisation()
    objection = ok(
        await client.post(
            f"/publications/{notice.publication_id}/objections",
            json={"application_id": first, "reason": "该项目与去年获奖项目内容高度雷同"},
            headers=objector.headers,
        ),
        201,
    )
    uphold = {"objection_id": objection["id"], "decision": "upheld", "resolution": "经核查内容雷同"}
    outside = await pudong.post(form("处理公示异议"), uphold)
    assert outside.status_code == 422 and "不存在" in outside.json()["custom_form_error"]
    done = await city.post(form("处理公示异议"), uphold)
    assert done.status_code == 200, done.text
    assert (await Application.select(Application.status).where(Application.id == first).first() or {})[
        "status"
    ] == "in_review"
    conclude = {"objection_id": objection["id"], "days": 3, "note": "重新评审完成，更正公示"}
    early = await city.post(form("完成重新评审并更正公示"), conclude)
    assert early.status_code == 422 and "未重新提交" in early.json()["custom_form_error"]
    await end_notice(notice.publication_id)
    pending = await city.post(form("公示结果生效"), {"publication_id": notice.publication_id})
    assert pending.status_code == 422 and "重新评审" in pending.json()["custom_form_error"]
    await score(notice.experts, first, 30)
    corrected = await city.post(form("完成重新评审并更正公示"), conclude)
    assert corrected.status_code == 200, corrected.text
    stored = await Publication.select(Publication.entries, Publication.corrections).output(load_json=True)
    assert [e["application_id"] for e in stored[0]["entries"]] == [second, third]
    assert stored[0]["corrections"][0]["removed"] == [first]
    assert {o["status"] for o in await Objection.select(Objection.status)} == {"rereviewed"}
    running = await city.post(form("公示结果生效"), {"publication_id": notice.publication_id})
    assert running.status_code == 422  # the correction restarted the notice period
    # Raw table edits cannot move an objection or rewrite a notice.
    patch = await city.patch(f"tables/objection/{objection['id']}/", {"status": "open"})
    assert patch.status_code in (403, 405), patch.text


async def test_draws_and_findings_through_the_admin_forms(
    client: httpx.AsyncClient,
    admin_client: AdminFactory,
    world: World,  # noqa: F811
) -> None:
    await funded_edition(client, world)
    city = await admin_client(Role.officer)
    edition_id = world.round["edition_id"]
    body = {"edition_id": edition_id, "projects": 1, "inspectors_per_project": 1, "redraw_reason": ""}
    committed = await city.post(form("双随机：登记抽查"), body)
    assert committed.status_code == 200, committed.text
    listed = (await city.get("tables/inspection_draw/")).json()["rows"]
    assert [r["seed"] for r in listed] == [""]  # the seed is nowhere an officer can read it before the draw
    assert listed[0]["seed_hash"] in committed.json()["custom_form_success"]
    again = await city.post(form("双随机：登记抽查"), body)
    assert again.status_code == 422 and "原因" in again.json()["custom_form_error"]
    assert await InspectionDraw.count() == 1
    draw_id = listed[0]["id"]
    executed = await city.post(form("双随机：公开种子并抽取"), {"draw_id": draw_id})
    assert executed.status_code == 200, executed.text
    row = await InspectionDraw.select().where(InspectionDraw.id == draw_id).first().output(load_json=True)
    assert row is not None and row["seed"] and row["status"] == "executed"
    award_id = row["selections"][0]["award_id"]
    finding = {"draw_id": draw_id, "award_id": award_id, "finding": "台账不全", "corrects": None}
    assert (await city.post(form("登记抽查结果"), finding)).status_code == 200
    overwrite = await city.post(form("登记抽查结果"), {**finding, "finding": "规范"})
    assert overwrite.status_code == 422 and "更正" in overwrite.json()["custom_form_error"]
    first = await InspectionFinding.select(InspectionFinding.id).first()
    assert first is not None
    fixed = await city.post(form("登记抽查结果"), {**finding, "finding": "补交后规范", "corrects": first["id"]})
    assert fixed.status_code == 200, fixed.text
    assert await InspectionFinding.count() == 2
    for attempt in (
        await city.patch(f"tables/inspection_finding/{first['id']}/", {"finding": "改写"}),
        await city.delete(f"tables/inspection_finding/{first['id']}/"),
    ):
        assert attempt.status_code in (403, 405), attempt.text
    assert [f["finding"] for f in await InspectionFinding.select(InspectionFinding.finding)] == [
        "台账不全",
        "补交后规范",
    ]
