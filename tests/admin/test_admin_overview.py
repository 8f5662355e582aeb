"""The officers' overview (GET /admin/overview and its xlsx downloads): roles, district scope, the API's numbers."""

from __future__ import annotations

import io
import re
from typing import Any

import httpx
import pytest
from openpyxl import load_workbook

from app.admin.overview.page import overview_response
from app.admin.overview.sections import overview
from app.auth.principal import Principal
from app.auth.tables import Role
from app.reference import District
from programmes.exports.money import money_summary_sheets
from tests import factories
from tests.factories.admin import AdminFactory, draft_batch

pytestmark = pytest.mark.filterwarnings("ignore:If running sessions in production:UserWarning")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


async def _two_districts() -> dict[str, Any]:
    """Money, reviews and applications in 长宁 and in 浦东, plus one open round in each."""
    city = await factories.user(Role.officer)
    changning = await draft_batch(city, District.changning)
    pudong = await draft_batch(city, District.pudong)
    changning_open = await factories.contest_round(city, district=District.changning)
    pudong_open = await factories.contest_round(city, district=District.pudong)
    return {"city": city, "changning": changning, "pudong": pudong, "open": (changning_open, pudong_open)}


def _section(sections: list[Any], key: str) -> Any:
    return next(s for s in sections if s.key == key)


async def test_the_page_is_for_staff_with_an_admin_session(admin_client: AdminFactory) -> None:
    anonymous = await admin_client(None, login=False)
    response = await anonymous.http.get("/admin/overview")
    assert response.status_code == 303 and response.headers["location"] == "/admin/"
    xlsx = await anonymous.http.get("/admin/overview/applications.xlsx")
    assert xlsx.status_code == 401 and xlsx.json()["code"] == "not_authenticated"

    city = await admin_client(Role.officer)
    page = await city.http.get("/admin/overview")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert "<h1>首页概览</h1>" in page.text and "范围：全市" in page.text
    assert (await city.http.get("/admin/overview/no_such_part.xlsx")).status_code == 404
    admin = await admin_client(Role.admin)
    assert (await admin.http.get("/admin/overview/")).status_code == 200

    # Roles without a back office: refused even if their account were let into the admin.
    for role in (Role.expert, Role.applicant, Role.community):
        refused = await overview_response(Principal(1, "x", role, None), None)
        assert refused.status_code == 403, role


async def test_the_sidebar_links_the_overview(admin_client: AdminFactory) -> None:
    city = await admin_client(Role.officer)
    links = (await city.get("links/")).json()
    # The overview comes first (dicts keep the order the sidebar shows), then the reader and screening pages, money.
    assert list(links.items())[0] == ("首页概览", "/admin/overview")
    assert links == {
        "首页概览": "/admin/overview",
        "申报审阅与资格审查": "/admin/screening",
        "资金管理": "/admin/money",
    }


async def test_a_district_officer_sees_only_their_district(admin_client: AdminFactory) -> None:
    world = await _two_districts()
    changning = await admin_client(Role.officer, District.changning)
    assert changning.user is not None
    text = (await changning.http.get("/admin/overview")).text
    assert "范围：本区（长宁区）" in text
    assert "浦东新区" not in text  # no round, applicant, recipient or camp of 浦东 anywhere on the page

    mine = await overview(changning.user.principal)
    city = await overview(world["city"].principal)
    # Money: one budget line of 100,000 元 in 长宁; the city sees both districts' lines.
    assert _section(mine, "money_by_fund_source").rows[-1][:3] == ["合计", "", 100_000]
    assert _section(city, "money_by_fund_source").rows[-1][:3] == ["合计", "", 200_000]
    assert [r[0] for r in _section(mine, "money_by_district").rows] == ["长宁区"]
    assert {r[0] for r in _section(city, "money_by_district").rows} == {"长宁区", "浦东新区"}
    assert {r[2] for r in _section(mine, "applications").rows} == {"长宁区"}
    assert len(_section(mine, "open_calls").rows) == 1 and len(_section(city, "open_calls").rows) == 2
    assert sum(r[2] for r in _section(mine, "review_progress").rows) == 2
    assert sum(r[2] for r in _section(city, "review_progress").rows) == 4

    # The downloads are scoped the same way.
    download = await changning.http.get("/admin/overview/money_by_district.xlsx")
    assert download.status_code == 200 and download.headers["content-type"] == XLSX
    sheet = load_workbook(io.BytesIO(download.content)).active
    assert sheet is not None
    assert [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)] == ["长宁区"]


async def test_the_numbers_are_the_apis(app: object, admin_client: AdminFactory) -> None:
    world = await _two_districts()
    city = await admin_client(Role.officer)
    assert city.user is not None
    sections = await overview(city.user.principal)

    # Money: the 资金汇总 export's figures (budget, obligated, paid, available), in 元.
    export = (await money_summary_sheets(None))[0]
    assert _section(sections, "money_by_fund_source").rows == [list(r[:7]) for r in export.rows]
    # 30,000 元 paid out of nothing yet (the batch is a draft); 40,000 元 obligated per district.
    by_district = {r[0]: r[1:] for r in _section(sections, "money_by_district").rows}
    assert by_district["长宁区"] == [40_000, 0]

    # Applications: what GET /rounds/{id}/applications?status= counts, per round and status.
    transport = httpx.ASGITransport(app=app)  # type: ignore[arg-type]
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as api:
        round_id = world["changning"]["round_id"]
        listed = await api.get(f"/rounds/{round_id}/applications", params={"limit": 1}, headers=world["city"].headers)
        assert listed.status_code == 200
        total = int(listed.headers["x-total-count"])
        impact = await api.get("/matching/impact", params={"view": "district"}, headers=world["city"].headers)
        assert impact.status_code == 200
    counted = sum(r[3] for r in _section(sections, "applications").rows)
    assert counted == 2 * total == 4
    assert _section(sections, "matching").rows == [
        [r["label"], r["demands_published"], r["demands_matched"], r["demands_delivered"], r["beneficiaries_served"]]
        for r in impact.json()
    ]

    # Each chart is inline SVG with its numbers as a table and an xlsx link; nothing loaded from elsewhere.
    page = (await city.http.get("/admin/overview")).text
    assert page.count("<svg") >= 4 and "<script" not in page and "cdn" not in page.lower()
    assert re.search(r"<td class=\"num\">40,000.00</td>", page)
    for section in sections:
        assert f'href="/admin/overview/{section.key}.xlsx"' in page
        download = await city.http.get(f"/admin/overview/{section.key}.xlsx")
        assert download.status_code == 200 and download.headers["content-type"] == XLSX, section.key
