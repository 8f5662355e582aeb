"""The round's 公示 and 晋级 page /admin/rounds/{id}/publication through the admin session: publish, objections
(resolve, re-review), finalise, the stage advance with a tie decided, the xlsx; every refusal changes nothing, and a
district officer gets the uniform 404 for another district's round."""

from __future__ import annotations

import io
from urllib.parse import urlencode

import httpx
import pytest
from openpyxl import load_workbook

from app.audit import AuditEntry
from app.auth.tables import Role
from app.reference import District
from programmes.tables import Application
from scoring.tables import CutLineDecision, Objection, Publication
from tests import factories
from tests.factories.admin import AdminFactory, AdminSession
from tests.factories.http import ok
from tests.factories.notice import closed_round, end_notice, published_round, score
from tests.factories.review import NO_TIME
from tests.factories.stages import review_and_close, staged_edition

pytestmark = pytest.mark.filterwarnings("ignore:If running sessions in production:UserWarning")

NOT_FOUND = "记录不存在或不在您的管辖范围内"


def url(round_id: int) -> str:
    return f"/admin/rounds/{round_id}/publication"


async def act(
    session: AdminSession, round_id: int, fields: list[tuple[str, str]], *, csrf: bool = True
) -> httpx.Response:
    token = [("csrftoken", session.http.cookies.get("csrftoken") or "")] if csrf else []
    return await session.http.post(
        url(round_id),
        content=urlencode(token + fields),
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )


def done(response: httpx.Response, code: str) -> None:
    assert response.status_code == 303, response.text
    assert f"done={code}" in response.headers["location"]


async def test_publish_with_refusals_then_the_list_and_its_xlsx(
    client: httpx.AsyncClient, admin_client: AdminFactory
) -> None:
    world, ranking = await closed_round(client)
    round_id = world["round"]["id"]
    city = await admin_client(Role.officer)
    before = await AuditEntry.count()
    first_page = await city.http.get(url(round_id))
    assert first_page.status_code == 200 and "本轮尚未公示" in first_page.text and "发布公示" in first_page.text
    for fields, status, message in (
        ([("action", "publish"), ("pub_days", "0")], 422, "不能小于 1"),
        ([("action", "publish"), ("pub_days", "七")], 422, "应为整数"),
        ([("action", "publish"), ("pub_days", "7"), ("pub_cutoff", "高分")], 422, "格式不正确"),
        ([("action", "publish"), ("pub_days", "7"), ("pub_top_n", "20000")], 422, "不能大于 10000"),
        ([("action", "withdraw")], 422, "不支持的操作"),
    ):
        refused = await act(city, round_id, fields)
        assert refused.status_code == status and message in refused.text, (fields, refused.text[-2000:])
        assert 'role="alert"' in refused.text
    no_token = await act(city, round_id, [("action", "publish"), ("pub_days", "7")], csrf=False)
    assert no_token.status_code == 403
    assert await Publication.count() == 0 and await AuditEntry.count() == before

    done(await act(city, round_id, [("action", "publish"), ("pub_days", "7"), ("pub_top_n", "2")]), "published")
    shown = await city.http.get(url(round_id), params={"done": "published"})
    assert "公示已发布" in shown.text and "公示中" in shown.text and "Z<" not in shown.text
    titles = {a[2]["id"]: a[2]["title"] for a in world["apps"]}
    assert titles[ranking[0]] in shown.text and titles[ranking[1]] in shown.text
    assert f'href="/admin/applications/{ranking[0]}"' in shown.text and "长宁区" in shown.text
    again = await act(city, round_id, [("action", "publish"), ("pub_days", "7")])
    assert again.status_code == 409 and "该轮次已公示" in again.text
    assert await Publication.count() == 1

    sheet_response = await city.http.get(f"{url(round_id)}.xlsx")
    assert sheet_response.status_code == 200
    sheet = load_workbook(io.BytesIO(sheet_response.content)).active
    assert sheet is not None
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == ("名次", "申报编号", "申报项目", "申报单位", "赛道", "所在区")
    assert [r[1] for r in rows[1:3]] == ranking[:2] and rows[1][0] == 1 and rows[1][5] == "长宁区"


async def test_objections_resolved_rereviewed_and_the_notice_finalised(
    client: httpx.AsyncClient, admin_client: AdminFactory
) -> None:
    notice = await published_round(client)
    first, second, _ = notice.ranking
    city = await admin_client(Role.officer)
    _, objector = await factories.organisation()
    objections = [
        ok(
            await client.post(
                f"/publications/{notice.publication_id}/objections",
                json={"application_id": target, "reason": reason},
                headers=objector.headers,
            ),
            201,
        )
        for target, reason in ((first, "该项目与去年获奖项目内容高度雷同"), (second, "该项目预算明显偏高，请核查"))
    ]
    upheld_id, dismissed_id = (o["id"] for o in objections)
    listing = await city.http.get(url(notice.round_id))
    assert "该项目与去年获奖项目内容高度雷同" in listing.text and objector.principal.username in listing.text
    assert listing.text.count("待处理") >= 2 and "提交处理结果" in listing.text

    resolve = [("action", "resolve"), ("objection_id", str(dismissed_id)), ("decision", "dismissed")]
    short = await act(city, notice.round_id, [*resolve, ("resolution", "否")])
    assert short.status_code == 422 and f'id="obj-{dismissed_id}-resolution-error"' in short.text
    assert "至少 2 个字符" in short.text
    bad = await act(city, notice.round_id, [*resolve[:2], ("decision", "maybe"), ("resolution", "经核查")])
    assert bad.status_code == 422 and f'id="obj-{dismissed_id}-decision-error"' in bad.text
    assert {o["status"] for o in await Objection.select(Objection.status)} == {"open"}
    # An objection not of this round's notice is not found here: the uniform 404, nothing changed.
    stranger = {"id": dismissed_id + 1000}
    forged = await act(city, notice.round_id, [*resolve[:1], ("objection_id", str(stranger["id"])), *resolve[2:]])
    assert forged.status_code == 404 and NOT_FOUND in forged.text
    assert {o["status"] for o in await Objection.select(Objection.status)} == {"open"}

    done(await act(city, notice.round_id, [*resolve, ("resolution", "经核查预算合理")]), "dismissed")
    uphold = [("action", "resolve"), ("objection_id", str(upheld_id)), ("decision", "upheld")]
    done(await act(city, notice.round_id, [*uphold, ("resolution", "经核查内容雷同")]), "upheld")
    status = await Application.select(Application.status).where(Application.id == first).first()
    assert status is not None and status["status"] == "in_review"

    conclude = [("action", "conclude"), ("objection_id", str(upheld_id)), ("days", "3"), ("note", "重新评审完成")]
    early = await act(city, notice.round_id, conclude)
    assert early.status_code == 409 and "未重新提交" in early.text
    bad_days = await act(city, notice.round_id, [*conclude[:2], ("days", "90"), conclude[3]])
    assert bad_days.status_code == 422 and f'id="obj-{upheld_id}-days-error"' in bad_days.text

    await end_notice(notice.publication_id)
    pending = await act(city, notice.round_id, [("action", "finalise")])
    assert pending.status_code == 409 and "重新评审" in pending.text
    await score(notice.experts, first, 30)
    done(await act(city, notice.round_id, conclude), "concluded")
    corrected = await city.http.get(url(notice.round_id))
    assert "更正公示记录" in corrected.text and "移出 1 个" in corrected.text
    running = await act(city, notice.round_id, [("action", "finalise")])
    assert running.status_code == 409 and "期满后方可生效" in running.text
    assert (await Publication.select(Publication.status).first() or {})["status"] == "published"
    await end_notice(notice.publication_id)
    done(await act(city, notice.round_id, [("action", "finalise")]), "finalised")
    final = await city.http.get(url(notice.round_id))
    assert "结果生效" in final.text and "公示结果生效</button>" not in final.text


async def test_stage_advance_with_a_tie_decided_on_the_page(
    client: httpx.AsyncClient, admin_client: AdminFactory
) -> None:
    stages = await staged_edition(client, [District.pudong, District.pudong, District.xuhui])
    first, second, third = (e["id"] for e in stages.entries)
    prelim, semi = stages.rounds[0]["id"], stages.rounds[1]["id"]
    ok(await client.patch(f"/rounds/{prelim}", json={"tie_break": NO_TIME}, headers=stages.officer.headers))
    city = await admin_client(Role.officer)
    not_closed = await city.http.get(url(prelim))
    assert "轮次关闭并完成排名后才能确定晋级" in not_closed.text
    await review_and_close(client, stages, prelim, {first: 80, second: 80, third: 70})

    bad_quota = await city.http.get(url(prelim), params={"district-pudong": "一个"})
    assert bad_quota.status_code == 422 and 'id="adv-district-pudong-error"' in bad_quota.text
    quota = [("district-pudong", "1")]
    preview = await city.http.get(url(prelim), params=dict(quota))
    assert preview.status_code == 200 and "浦东新区名额线" in preview.text and "待裁定" in preview.text
    assert "睦邻计划 1" in preview.text and "下一阶段：复赛" in preview.text
    before = await AuditEntry.count()
    early = await act(city, prelim, [*quota, ("action", "advance")])
    assert early.status_code == 409 and "入围线上有并列" in early.text
    tied_notice = await act(city, prelim, [("action", "publish"), ("pub_days", "7"), ("pub_top_n", "1")])
    assert tied_notice.status_code == 409 and "在「入围线并列」中裁定后再发布" in tied_notice.text
    assert await Publication.count() == 0
    tie = [*quota, ("action", "decide_tie"), ("line", "district:pudong"), ("rank", "1")]
    both = await act(city, prelim, [*tie, ("passed", str(first)), ("passed", str(second)), ("reason", "两个都晋级")])
    assert both.status_code == 422 and 'id="tie-district-pudong-1-passed-error"' in both.text
    no_reason = await act(city, prelim, [*tie, ("passed", str(second)), ("reason", "")])
    assert no_reason.status_code == 422 and 'id="tie-district-pudong-1-reason-error"' in no_reason.text
    assert await CutLineDecision.count() == 0 and await Application.count().where(Application.round == semi) == 0
    assert await AuditEntry.count() == before

    decided = await act(city, prelim, [*tie, ("passed", str(second)), ("reason", "实地走访表现更好")])
    done(decided, "tie")
    assert "district-pudong=1" in decided.headers["location"]
    after_tie = await city.http.get(url(prelim), params=dict(quota))
    assert "已裁定晋级：睦邻计划 2" in after_tie.text
    done(await act(city, prelim, [*quota, ("action", "advance")]), "advanced")
    assert await Application.count().where(Application.round == semi) == 2
    committed = await city.http.get(url(prelim), params=dict(quota))
    assert "本阶段的晋级已确认" in committed.text


async def test_a_district_officer_sees_and_acts_on_their_district_only(
    client: httpx.AsyncClient, admin_client: AdminFactory
) -> None:
    city_round = (await factories.contest_round(await factories.user(Role.officer)))["id"]
    mine = await staged_edition(client, [District.xuhui, District.xuhui], district=District.xuhui)
    first, second = (e["id"] for e in mine.entries)
    prelim = mine.rounds[0]["id"]
    await review_and_close(client, mine, prelim, {first: 90, second: 80})
    xuhui = await admin_client(Role.officer, District.xuhui)

    index = await xuhui.http.get("/admin/publication")
    assert index.status_code == 200 and f'href="{url(prelim)}"' in index.text
    assert f'href="{url(city_round)}"' not in index.text
    for attempt in (
        await xuhui.http.get(url(city_round)),
        await xuhui.http.get(f"{url(city_round)}.xlsx"),
        await act(xuhui, city_round, [("action", "publish"), ("pub_days", "7")]),
    ):
        assert attempt.status_code == 404 and NOT_FOUND in attempt.text
    assert await Publication.count() == 0

    done(await act(xuhui, prelim, [("action", "publish"), ("pub_days", "5")]), "published")
    page = await xuhui.http.get(url(prelim))
    assert "睦邻计划 1" in page.text and "徐汇区" in page.text
    city = await admin_client(Role.officer)
    everything = await city.http.get("/admin/publication")
    assert f'href="{url(prelim)}"' in everything.text and f'href="{url(city_round)}"' in everything.text
    assert "公示中" in everything.text
