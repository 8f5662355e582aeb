"""The mentor's meeting log: their mentorships, the meetings so far, logging one through the API's service (its
Chinese errors next to the field, nothing written on a refusal); another mentor's mentorship is the 404 page."""

from __future__ import annotations

from datetime import timedelta

import httpx

from app.auth.tables import Role
from app.portal.errors import FORBIDDEN, NOT_FOUND
from app.timezone import today_shanghai
from scoring.mentors.tables import MentorMeeting
from tests import factories
from tests.factories.applications import submitted
from tests.factories.expert_portal import mentorship
from tests.factories.portal import csrf_token, signed_in
from tests.factories.world import row_counts


async def _world(client: httpx.AsyncClient) -> dict[str, object]:
    officer = await factories.user(Role.officer)
    call = await factories.contest_round(officer, kind="support_plan")
    org_id, member = await factories.organisation()
    application = await submitted(client, member, org_id, call["id"])
    mentor, other = await factories.user(Role.expert), await factories.user(Role.expert)
    return {
        "mentor": mentor,
        "member": member,
        "mine": await mentorship(application["id"], mentor.id),
        "ended": await mentorship(application["id"], mentor.id, live=False),
        "others": await mentorship(application["id"], other.id),
    }


async def test_the_mentor_lists_their_mentorships_and_logs_a_meeting(client: httpx.AsyncClient) -> None:
    world = await _world(client)
    mentor, mine = world["mentor"], world["mine"]
    assert isinstance(mentor, factories.User)
    await signed_in(client, mentor.principal.username)

    listed = await client.get("/portal/mentorships")
    assert (
        listed.status_code == 200 and "共 2 个" in listed.text and "陪伴中" in listed.text and "已结束" in listed.text
    )
    assert f'href="/portal/mentorships/{mine}"' in listed.text
    assert f'href="/portal/mentorships/{world["others"]}"' not in listed.text
    page = f"/portal/mentorships/{mine}"
    shown = await client.get(page)
    assert shown.status_code == 200 and "尚未记录辅导" in shown.text and 'type="date"' in shown.text
    token = await csrf_token(client, page)

    met_on = (today_shanghai() - timedelta(days=2)).isoformat()
    body = {"met_on": met_on, "topic": "品牌定位", "advice": "聚焦一类服务对象", "follow_ups": "两周内提交传播方案"}
    logged = await client.post(f"{page}/meetings", data={"csrf_token": token, **body})

    assert logged.status_code == 303 and logged.headers["location"] == page
    rows = await MentorMeeting.select().where(MentorMeeting.mentorship == mine)
    assert [(str(r["met_on"]), r["topic"], r["follow_ups"]) for r in rows] == [
        (met_on, "品牌定位", "两周内提交传播方案")
    ]
    after = await client.get(page)
    assert "辅导记录已保存" in after.text and "已记录的辅导（1 次）" in after.text and "聚焦一类服务对象" in after.text


async def test_bad_meetings_are_refused_next_to_their_field_and_nothing_is_written(
    client: httpx.AsyncClient,
) -> None:
    world = await _world(client)
    mentor, mine, ended = world["mentor"], world["mine"], world["ended"]
    assert isinstance(mentor, factories.User)
    await signed_in(client, mentor.principal.username)
    page = f"/portal/mentorships/{mine}"
    token = await csrf_token(client, page)
    before = await row_counts()
    tomorrow = (today_shanghai() + timedelta(days=1)).isoformat()

    short = await client.post(f"{page}/meetings", data={"csrf_token": token, "met_on": tomorrow, "topic": "谈"})
    assert short.status_code == 422 and 'id="topic-error"' in short.text and 'value="谈"' in short.text
    future = await client.post(f"{page}/meetings", data={"csrf_token": token, "met_on": tomorrow, "topic": "品牌"})
    assert future.status_code == 422 and "会面日期不能晚于今天" in future.text and 'id="met_on-error"' in future.text
    no_date = await client.post(f"{page}/meetings", data={"csrf_token": token, "met_on": "", "topic": "品牌"})
    assert no_date.status_code == 422 and 'id="met_on-error"' in no_date.text
    closed = await client.post(
        f"/portal/mentorships/{ended}/meetings", data={"csrf_token": token, "met_on": "2026-01-05", "topic": "品牌"}
    )
    assert closed.status_code == 409 and "导师陪伴已结束" in closed.text
    assert "不能再记录辅导" in (await client.get(f"/portal/mentorships/{ended}")).text
    assert await row_counts() == before


async def test_another_mentors_mentorship_is_the_404_page_and_other_roles_are_refused(
    client: httpx.AsyncClient,
) -> None:
    world = await _world(client)
    mentor, others, member = world["mentor"], world["others"], world["member"]
    assert isinstance(mentor, factories.User) and isinstance(member, factories.User)
    await signed_in(client, mentor.principal.username)
    token = await csrf_token(client, "/portal/mentorships")
    before = await MentorMeeting.count()

    for response in (
        await client.get(f"/portal/mentorships/{others}"),
        await client.post(
            f"/portal/mentorships/{others}/meetings",
            data={"csrf_token": token, "met_on": "2026-01-05", "topic": "品牌定位"},
        ),
    ):
        assert response.status_code == 404 and NOT_FOUND in response.text
    assert await MentorMeeting.count() == before

    client.cookies.clear()
    await signed_in(client, member.principal.username)
    refused = await client.get("/portal/mentorships")
    assert refused.status_code == 403 and FORBIDDEN in refused.text
