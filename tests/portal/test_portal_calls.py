"""A call's page: deadline in Beijing time with the days left, who may apply in words (the screening's rules), the
attachment types, the tracks; and a signed-in applicant's pre-check per organisation (符合 / 不符合：原因), from the
same rules the screening applies, recording nothing."""

from __future__ import annotations

from datetime import timedelta

import httpx

from app.auth.tables import Role
from app.organisations.tables import OrganisationType
from app.portal.call_rules import time_left
from app.portal.errors import NOT_FOUND
from app.reference import District
from app.timezone import now_utc, shown
from tests import factories
from tests.factories.portal import signed_in
from tests.factories.world import row_counts

RULES = {"allowed_types": ["social_service_institution"], "allowed_districts": ["changning"]}


async def _call(**options: object) -> dict[str, object]:
    officer = await factories.user(Role.officer)
    return await factories.contest_round(
        officer,
        closes_in=timedelta(days=3, hours=2),
        eligibility_rules=RULES,
        attachment_types=["pdf", "jpg"],
        tracks=[{"name": "社区治理", "quota": 10}, {"name": "为老服务"}],
        **options,
    )


async def test_the_call_page_states_its_rules_for_everyone(client: httpx.AsyncClient) -> None:
    call = await _call()
    page = await client.get(f"/portal/calls/{call['id']}")

    assert page.status_code == 200
    text = page.text
    closes = shown(call["closes_at"]).strftime("%Y-%m-%d %H:%M")
    assert f"{closes}</time>（北京时间）" in text and "还剩 3 天" in text
    assert "可申报的组织类型：社会服务机构" in text and "只接受长宁区的组织申报" in text
    assert "未被列入活动异常名录或严重违法失信名单" in text
    assert "可上传：PDF 文档、JPEG 图片。单个文件不超过 20 MB" in text
    assert "社区治理（名额 10 个）、为老服务" in text
    assert f'href="/portal/login?next_page=/portal/calls/{call["id"]}"' in text  # the pre-check needs a sign-in
    listing = await client.get("/portal/calls")
    assert "还剩 3 天" in listing.text


async def test_an_applicant_sees_the_precheck_of_each_of_their_organisations(client: httpx.AsyncClient) -> None:
    call = await _call()
    centre_id, centre_member = await factories.organisation(name="长宁区某街道社会组织服务中心")
    await factories.organisation(
        org_type=OrganisationType.filed_community_group, custodian_id=centre_id, name="银龄合唱队"
    )
    await signed_in(client, centre_member.principal.username)
    before = await row_counts()

    page = await client.get(f"/portal/calls/{call['id']}")

    assert page.status_code == 200
    assert "长宁区某街道社会组织服务中心</h3>" in page.text and "<strong>符合</strong>" in page.text
    assert "提示：本组织未登记证书有效期" in page.text  # a warning, not a reason to refuse
    assert "银龄合唱队</h3>" in page.text
    assert (
        "<strong>不符合：</strong>本轮只接受以下类型的组织申报：社会服务机构（本组织为备案类社区群众活动团队）"
        in page.text
    )
    assert await row_counts() == before  # a pre-check records nothing


async def test_an_organisation_outside_the_district_is_told_why(client: httpx.AsyncClient) -> None:
    call = await _call()
    _, member = await factories.organisation(district=District.pudong, name="浦东某社会服务机构")
    _, other = await factories.organisation(name="别人的机构")
    await signed_in(client, member.principal.username)
    page = await client.get(f"/portal/calls/{call['id']}")
    assert "<strong>不符合：</strong>本轮只接受长宁区的组织申报（本组织在浦东新区）" in page.text
    assert "别人的机构" not in page.text  # only the caller's own organisations


async def test_others_see_no_precheck_and_a_closed_call_is_the_uniform_404(client: httpx.AsyncClient) -> None:
    call = await _call()
    expert = await factories.user(Role.expert)
    await signed_in(client, expert.principal.username)
    page = await client.get(f"/portal/calls/{call['id']}")
    assert page.status_code == 200 and "资格预检" in page.text and "<strong>符合" not in page.text
    await factories.end_round_window(int(str(call["id"])))
    closed = await client.get(f"/portal/calls/{call['id']}")
    assert closed.status_code == 404 and NOT_FOUND in closed.text


def test_the_days_left_count_whole_days_and_the_last_day_in_hours() -> None:
    now = now_utc()
    assert time_left(now + timedelta(days=2, hours=23), now) == "还剩 2 天"
    assert time_left(now + timedelta(hours=5, minutes=30), now) == "还剩 5 小时"
    assert time_left(now + timedelta(minutes=20), now) == "即将截止（不足 1 小时）"
    assert time_left(now - timedelta(minutes=1), now) == "已截止"
