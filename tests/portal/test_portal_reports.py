"""申报单位's 中期/结项报告 through the pages: the list of reports owed, a report's form rendered by the same renderer
as the application form, saved and submitted through the API's services (a refused submission shows each problem
by its field and writes nothing more), another organisation's report the uniform 404."""

from __future__ import annotations

import httpx

from app.portal.errors import NOT_FOUND
from app.portal.forms import render_form
from programmes.reports.form import report_schema
from programmes.reports.tables import ProgressReport
from tests.factories.forms import posted
from tests.factories.funding import GOOD_REPORT, funded
from tests.factories.portal import csrf_token, signed_in
from tests.factories.world import World, row_counts, world  # noqa: F401 — the world fixture


async def _report(report_id: int) -> dict[str, object]:
    row = (
        await ProgressReport.select(ProgressReport.answers, ProgressReport.status)
        .where(ProgressReport.id == report_id)
        .first()
        .output(load_json=True)
    )
    assert row is not None
    return dict(row)


async def test_an_organisation_fills_saves_and_submits_its_milestone_report(
    client: httpx.AsyncClient,
    world: World,  # noqa: F811
) -> None:
    project = await funded(client, world, effective=True)
    milestone = project["milestone_id"]
    await signed_in(client, world.applicant.principal.username)
    listing = await client.get("/portal/reports")
    assert listing.status_code == 200 and f'href="/portal/reports/{milestone}"' in listing.text
    assert "第 1 期中期报告" in listing.text and "待提交" in listing.text

    path = f"/portal/reports/{milestone}"
    page = await client.get(path)
    assert page.status_code == 200 and '<label for="f-summary">进展概述' in page.text
    token = await csrf_token(client, path)
    schema = report_schema(None, "milestone")
    short = [("csrf_token", token), *posted(render_form(schema, {**GOOD_REPORT, "summary": "太短"}))]
    saved = await client.post(path, data=dict(short) | {"__action": "save"})
    assert saved.status_code == 303 and (await _report(milestone))["answers"] == {**GOOD_REPORT, "summary": "太短"}

    before = await row_counts()
    refused = await client.post(path, data=dict(short) | {"__action": "submit"})
    assert refused.status_code == 422 and '<a href="#f-summary">进展概述：至少填写 10 个字</a>' in refused.text
    assert await row_counts() == before and (await _report(milestone))["status"] == "due"

    good = [("csrf_token", token), *posted(render_form(schema, GOOD_REPORT))]
    done = await client.post(path, data=dict(good) | {"__action": "submit"})
    assert done.status_code == 303
    stored = await _report(milestone)
    assert stored["answers"] == GOOD_REPORT and stored["status"] == "submitted"
    shown = await client.get(path)
    assert "报告已提交" in shown.text and "<dt>进展概述</dt>" in shown.text and "提交报告</button>" not in shown.text


async def test_another_organisations_report_is_the_uniform_404(
    client: httpx.AsyncClient,
    world: World,  # noqa: F811
) -> None:
    project = await funded(client, world, effective=True)
    await signed_in(client, world.other_applicant.principal.username)
    path = f"/portal/reports/{project['milestone_id']}"
    page = await client.get(path)
    assert page.status_code == 404 and NOT_FOUND in page.text
    token = await csrf_token(client, "/portal/")
    before = await row_counts()
    body = {"csrf_token": token, "summary": "别人的报告内容写在这里", "__action": "save"}
    refused = await client.post(path, data=body)
    assert refused.status_code == 404 and await row_counts() == before
    assert f"/portal/reports/{project['milestone_id']}" not in (await client.get("/portal/reports")).text
