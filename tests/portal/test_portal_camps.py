"""训练营 pages: the announced camps with dates, venue, seats left and wait list; one camp's sessions and materials;
registering through the API's service (the audience rule's and the form's errors in Chinese, nothing written on
error; a full camp puts the organisation on the wait list); the organisation's registrations, cancelling one, and
another organisation's registration as the uniform 404; 50 organisations racing for the last seat through the page."""

from __future__ import annotations

import asyncio
import re

import httpx
import pytest

from app.auth import service
from app.portal.errors import NOT_FOUND
from app.portal.session import SESSION_COOKIE
from programmes.camps.tables import CampRegistration
from tests import factories
from tests.factories.admin import PASSWORD
from tests.factories.applications import PDF
from tests.factories.camps import CampWorld, camp_world, open_camp, organisations, registration_body, session_body
from tests.factories.http import ok
from tests.factories.portal import csrf_token, signed_in
from tests.factories.world import row_counts

__all__ = ["camp_world"]  # the pytest fixture

CONCURRENCY = 50


def _form(token: str, organisation_id: int, *people: tuple[str, str, str]) -> dict[str, str]:
    data = {"csrf_token": token, "organisation_id": str(organisation_id)}
    for index, (name, position, mobile) in enumerate(people):
        data |= {
            f"participants.{index}.name": name,
            f"participants.{index}.position": position,
            f"participants.{index}.mobile": mobile,
        }
    return data


async def _camp_with_session(client: httpx.AsyncClient, w: CampWorld, **overrides: object) -> dict[str, object]:
    camp = await open_camp(client, w.changning_officer, **overrides)
    url = f"/camps/{camp['id']}"
    ok(await client.post(f"{url}/sessions", json=session_body(), headers=w.changning_officer.headers), 201)
    return camp


async def test_the_camp_list_shows_announced_camps_with_dates_venue_and_seats(
    client: httpx.AsyncClient, camp_world: CampWorld
) -> None:
    w = camp_world
    camp = await _camp_with_session(client, w, capacity=2, title="2026 品牌塑造营（第一期）")
    draft = ok(
        await client.post("/camps", json={**_draft_body(), "title": "筹备中的营"}, headers=w.city_officer.headers), 201
    )
    ok(
        await client.post(
            f"/camps/{camp['id']}/registrations", json=registration_body(w.other_org_id), headers=w.other_member.headers
        ),
        201,
    )
    await signed_in(client, w.member.principal.username)

    home = await client.get("/portal/")
    assert 'href="/portal/camps"' in home.text and 'href="/portal/camps/mine"' in home.text
    page = await client.get("/portal/camps")
    assert page.status_code == 200
    assert "2026 品牌塑造营（第一期）" in page.text and draft["title"] not in page.text
    assert "品牌塑造营 · <strong>报名中</strong>" in page.text
    assert "长宁区社会组织服务中心 301 室" in page.text
    assert "名额：共 2 个，剩余 1 个" in page.text


def _draft_body() -> dict[str, object]:
    return {"kind": "brand", "title": "x", "audience": "any_registered", "capacity": 2, "district": "changning"}


async def test_a_camp_page_shows_sessions_and_materials_and_registers_a_seat(
    client: httpx.AsyncClient, camp_world: CampWorld
) -> None:
    w = camp_world
    camp = await _camp_with_session(client, w, capacity=1)
    files = {"file": ("讲义.pdf", PDF, "application/pdf")}
    material = ok(
        await client.post(f"/camps/{camp['id']}/materials", files=files, headers=w.changning_officer.headers), 201
    )
    await signed_in(client, w.member.principal.username)

    page = await client.get(f"/portal/camps/{camp['id']}")
    assert page.status_code == 200
    assert "品牌定位与传播" in page.text and "09:00–12:00" in page.text and "李老师" in page.text
    assert f'href="/portal/camps/materials/{material["id"]}"' in page.text
    download = await client.get(f"/portal/camps/materials/{material['id']}")
    assert download.status_code == 200 and download.content == PDF
    assert 'name="participants.0.mobile"' in page.text and 'for="p0-mobile"' in page.text

    token = await csrf_token(client, f"/portal/camps/{camp['id']}")
    done = await client.post(
        f"/portal/camps/{camp['id']}/register", data=_form(token, w.org_id, ("张三", "项目主管", "13800138000"))
    )
    assert done.status_code == 303
    location = done.headers["location"]
    assert re.fullmatch(r"/portal/camps/registrations/\d+", location)
    shown = await client.get(location)
    assert "报名成功，已获得名额" in shown.text and "<strong>已报名</strong>" in shown.text and "张三" in shown.text
    mine = await client.get("/portal/camps/mine")
    assert location in mine.text
    again = await client.get(f"/portal/camps/{camp['id']}")
    assert "已报名" in again.text and "提交报名" not in again.text


async def test_a_full_camp_puts_the_registration_on_the_wait_list(
    client: httpx.AsyncClient, camp_world: CampWorld
) -> None:
    w = camp_world
    camp = await _camp_with_session(client, w, capacity=1)
    ok(
        await client.post(
            f"/camps/{camp['id']}/registrations", json=registration_body(w.other_org_id), headers=w.other_member.headers
        ),
        201,
    )
    await signed_in(client, w.member.principal.username)
    page = await client.get(f"/portal/camps/{camp['id']}")
    assert "名额已满：现在报名将进入候补名单" in page.text
    token = await csrf_token(client, f"/portal/camps/{camp['id']}")
    done = await client.post(
        f"/portal/camps/{camp['id']}/register", data=_form(token, w.org_id, ("张三", "", "13800138000"))
    )
    assert done.status_code == 303
    shown = await client.get(done.headers["location"])
    assert "已进入候补名单（第 1 位）" in shown.text and "候补中" in shown.text
    assert "签到：" not in shown.text  # a wait-listed registration holds no seat, so no check-in link


async def test_form_and_service_errors_show_in_chinese_and_write_nothing(
    client: httpx.AsyncClient, camp_world: CampWorld
) -> None:
    w = camp_world
    camp = await _camp_with_session(client, w, max_participants_per_registration=2)
    url = f"/portal/camps/{camp['id']}/register"
    await signed_in(client, w.member.principal.username)
    token = await csrf_token(client, f"/portal/camps/{camp['id']}")
    before = await row_counts()

    bad = await client.post(url, data=_form(token, w.org_id, ("", "", "123")))
    assert bad.status_code == 422
    assert 'id="p0-name-error">至少 1 个字符<' in bad.text
    assert 'id="p0-mobile-error">手机号应为 11 位中国大陆手机号' in bad.text
    assert 'value="123"' in bad.text  # what was typed stays

    none = await client.post(url, data=_form(token, w.org_id))
    assert none.status_code == 422 and 'id="participants-error">至少 1 项<' in none.text

    twins = await client.post(
        url, data=_form(token, w.org_id, ("张三", "", "13800138000"), ("李四", "", "13800138000"))
    )
    assert twins.status_code == 422 and "参训人员手机号不能重复" in twins.text

    other = await client.post(url, data=_form(token, w.other_org_id, ("张三", "", "13800138000")))
    assert other.status_code == 404 and NOT_FOUND in other.text  # an organisation the member does not act for

    no_csrf = await client.post(
        url, data={k: v for k, v in _form(token, w.org_id, ("张三", "", "13800138001")).items() if k != "csrf_token"}
    )
    assert no_csrf.status_code == 403
    assert await row_counts() == before


async def test_the_audience_rule_refuses_a_filed_group_in_words(
    client: httpx.AsyncClient, camp_world: CampWorld
) -> None:
    w = camp_world
    camp = await _camp_with_session(client, w)
    await signed_in(client, w.group_member.principal.username)
    page = await client.get(f"/portal/camps/{camp['id']}")
    assert page.status_code == 200 and "提交报名" not in page.text  # the eligibility answer, before any form
    assert "仅面向已登记的社会组织" in page.text
    token = await csrf_token(client, f"/portal/camps/{camp['id']}")
    before = await row_counts()
    refused = await client.post(
        f"/portal/camps/{camp['id']}/register", data=_form(token, w.group_id, ("张三", "", "13800138000"))
    )
    assert refused.status_code == 422 and 'role="alert"' in refused.text
    assert "仅面向已登记的社会组织，备案类团队不能报名" in refused.text
    assert await row_counts() == before


async def test_cancelling_frees_the_seat_and_another_organisations_registration_is_404(
    client: httpx.AsyncClient, camp_world: CampWorld
) -> None:
    w = camp_world
    camp = await _camp_with_session(client, w, capacity=1)
    url = f"/camps/{camp['id']}/registrations"
    seat = ok(await client.post(url, json=registration_body(w.org_id), headers=w.member.headers), 201)
    waiting = ok(await client.post(url, json=registration_body(w.other_org_id), headers=w.other_member.headers), 201)

    await signed_in(client, w.member.principal.username)
    foreign = await client.get(f"/portal/camps/registrations/{waiting['id']}")
    assert foreign.status_code == 404 and NOT_FOUND in foreign.text and "浦东" not in foreign.text
    token = await csrf_token(client, f"/portal/camps/registrations/{seat['id']}")
    before = await row_counts()
    other_cancel = await client.post(f"/portal/camps/registrations/{waiting['id']}/cancel", data={"csrf_token": token})
    assert other_cancel.status_code == 404
    too_long = await client.post(
        f"/portal/camps/registrations/{seat['id']}/cancel", data={"csrf_token": token, "reason": "长" * 501}
    )
    assert too_long.status_code == 422 and 'id="reason-error"' in too_long.text
    assert await row_counts() == before
    assert (await client.get(f"/portal/camps/registrations/{waiting['id']}/certificate.pdf")).status_code == 404

    cancelled = await client.post(
        f"/portal/camps/registrations/{seat['id']}/cancel", data={"csrf_token": token, "reason": "时间冲突"}
    )
    assert cancelled.status_code == 303
    shown = await client.get(cancelled.headers["location"])
    assert "报名已取消" in shown.text and "时间冲突" in shown.text and "取消报名</button>" not in shown.text
    promoted = await CampRegistration.select(CampRegistration.status).where(CampRegistration.id == waiting["id"])
    assert promoted[0]["status"] == "registered"  # the API's promotion, not the page's

    twice = await client.post(f"/portal/camps/registrations/{seat['id']}/cancel", data={"csrf_token": token})
    assert twice.status_code == 409 and 'role="alert"' in twice.text


@pytest.mark.parametrize("who", ["expert", "anonymous"])
async def test_other_roles_do_not_reach_the_camp_pages(
    client: httpx.AsyncClient, camp_world: CampWorld, who: str
) -> None:
    from app.auth.tables import Role

    camp = await _camp_with_session(client, camp_world)
    if who == "expert":
        expert = await factories.user(Role.expert)
        await signed_in(client, expert.principal.username)
        assert (await client.get(f"/portal/camps/{camp['id']}")).status_code == 403
        assert (await client.get("/portal/camps/mine")).status_code == 403
    else:
        response = await client.get(f"/portal/camps/{camp['id']}")
        assert response.status_code == 303 and response.headers["location"].startswith("/portal/login")


async def _page_client(app: object, username: str) -> tuple[httpx.AsyncClient, str]:
    """A browser of one organisation: its own session cookie (the login service's token, as the login form sets
    it, without 50 trips through the login form's rate limit) and the CSRF token its pages carry."""
    http = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver")  # type: ignore[arg-type]
    http.cookies.set(SESSION_COOKIE, (await service.login(username, PASSWORD)).refresh_token)
    return http, await csrf_token(http, "/portal/")


async def test_50_organisations_racing_for_the_last_seat_through_the_page_get_one_seat(
    app: object, client: httpx.AsyncClient, camp_world: CampWorld
) -> None:
    w = camp_world
    camp = await _camp_with_session(client, w, capacity=2)
    ok(
        await client.post(
            f"/camps/{camp['id']}/registrations", json=registration_body(w.org_id), headers=w.member.headers
        ),
        201,
    )  # one seat left
    people = await organisations(CONCURRENCY)
    browsers = [await _page_client(app, member.principal.username) for _, member in people]
    url = f"/portal/camps/{camp['id']}/register"
    try:
        responses = await asyncio.gather(
            *[
                http.post(url, data=_form(token, org_id, ("学员", "", "13800138000")))
                for (http, token), (org_id, _) in zip(browsers, people, strict=True)
            ]
        )
    finally:
        await asyncio.gather(*[http.aclose() for http, _ in browsers])

    assert [r.status_code for r in responses] == [303] * CONCURRENCY
    racers = CampRegistration.camp == camp["id"]
    assert await CampRegistration.count().where(racers, CampRegistration.status == "registered") == 2
    assert await CampRegistration.count().where(racers, CampRegistration.status == "waitlisted") == CONCURRENCY - 1
    assert await CampRegistration.count().where(racers) == CONCURRENCY + 1
    places = await CampRegistration.select(CampRegistration.waitlist_position).where(
        racers, CampRegistration.status == "waitlisted"
    )
    assert len({p["waitlist_position"] for p in places}) == CONCURRENCY - 1
