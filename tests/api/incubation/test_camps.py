"""Camps: officers in scope prepare a camp with sessions and materials and open it; organisations that meet its
audience rule register named participants, get a seat or wait in line, and a cancel promotes the first in line
(notified). Scope answers 404, roles 401/403, bad input a stable code, a zh-CN message and the field."""

from __future__ import annotations

import httpx

from app.audit import AuditEntry
from app.organisations.tables import Organisation
from programmes.camps.tables import CampMaterial, CampRegistration
from tests import factories
from tests.factories.camps import (
    CampWorld,
    camp_body,
    contest_winner,
    open_camp,
    registration_body,
    selected_in_support_plan,
    session_body,
)
from tests.factories.http import ok, problem, refused

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


async def test_a_camp_from_draft_to_registration_wait_list_and_promotion(
    client: httpx.AsyncClient, camp_world: CampWorld
) -> None:
    w = camp_world
    officer = w.changning_officer
    camp = ok(await client.post("/camps", json=camp_body(), headers=officer.headers), 201)
    assert camp["status"] == "draft" and camp["scope_district"] == "changning" and camp["kind_zh"] == "品牌塑造营"
    url = f"/camps/{camp['id']}"
    problem(await client.get(url, headers=w.member.headers), 404, "not_found")  # a draft is not announced
    session = ok(await client.post(f"{url}/sessions", json=session_body(), headers=officer.headers), 201)
    assert session["trainer"] == "李老师" and session["start_time"] == "09:00:00"
    online = session_body(title="线上复盘", place="", online_link="https://meeting.example.cn/123")
    ok(await client.post(f"{url}/sessions", json=online, headers=officer.headers), 201)
    files = {"file": ("讲义.pdf", PDF, "application/pdf")}
    material = ok(await client.post(f"{url}/materials", files=files, headers=officer.headers), 201)
    assert material["content_type"] == "application/pdf"
    problem(
        await client.post(f"{url}/registrations", json=registration_body(w.org_id), headers=w.member.headers),
        404,
        "not_found",
    )
    ok(await client.post(f"{url}/open", headers=officer.headers))

    sessions = ok(await client.get(f"{url}/sessions", headers=w.member.headers))
    assert [s["title"] for s in sessions] == ["品牌定位与传播", "线上复盘"]
    download = await client.get(f"/camps/materials/{material['id']}", headers=w.member.headers)
    assert download.status_code == 200 and download.content == PDF
    assert [c["id"] for c in ok(await client.get("/camps", headers=w.other_member.headers))] == [camp["id"]]

    third_id, third = await factories.organisation()
    fourth_id, fourth = await factories.organisation()
    first = ok(
        await client.post(f"{url}/registrations", json=registration_body(w.org_id), headers=w.member.headers), 201
    )
    second = ok(
        await client.post(
            f"{url}/registrations", json=registration_body(w.other_org_id), headers=w.other_member.headers
        ),
        201,
    )
    waiting = ok(
        await client.post(f"{url}/registrations", json=registration_body(third_id), headers=third.headers), 201
    )
    last = ok(await client.post(f"{url}/registrations", json=registration_body(fourth_id), headers=fourth.headers), 201)
    assert [r["status"] for r in (first, second, waiting, last)] == [
        "registered",
        "registered",
        "waitlisted",
        "waitlisted",
    ]
    assert (waiting["waitlist_position"], last["waitlist_position"]) == (1, 2)
    assert first["participants"] == [{"name": "学员0", "position": "项目主管", "mobile": "13800138000"}]
    full = ok(await client.get(url, headers=officer.headers))
    assert (full["seats_taken"], full["waitlisted"]) == (2, 2)

    cancelled = ok(
        await client.post(
            f"/camps/registrations/{first['id']}/cancel", json={"reason": "时间冲突"}, headers=w.member.headers
        )
    )
    assert cancelled["status"] == "cancelled" and cancelled["reason"] == "时间冲突"
    promoted = ok(await client.get(f"/camps/registrations/{waiting['id']}", headers=third.headers))
    assert promoted["status"] == "registered" and promoted["waitlist_position"] is None and promoted["promoted_at"]
    moved_up = ok(await client.get(f"/camps/registrations/{last['id']}", headers=fourth.headers))
    assert moved_up["waitlist_position"] == 1
    notices = ok(await client.get("/notifications/mine", headers=third.headers))
    assert any("候补报名已转为正式报名" in n["body"] for n in notices), notices
    problem(
        await client.post(f"/camps/registrations/{first['id']}/cancel", json={}, headers=w.member.headers),
        409,
        "transition_invalid_state",
    )
    # A waitlisted cancel frees no seat: nobody is promoted.
    ok(await client.post(f"/camps/registrations/{last['id']}/cancel", json={}, headers=fourth.headers))
    assert ok(await client.get(url, headers=officer.headers))["seats_taken"] == 2
    # Registering again after a cancel is allowed (one live registration per organisation).
    again = ok(
        await client.post(f"{url}/registrations", json=registration_body(w.org_id), headers=w.member.headers), 201
    )
    assert again["status"] == "waitlisted"
    listed = ok(await client.get(f"{url}/registrations", headers=officer.headers))
    assert len(listed) == 5
    actions = {a["action"] for a in await AuditEntry.select(AuditEntry.action)}
    assert {"camp.create", "camp.open", "camp.register", "camp_registration.cancel", "camp_registration.promote"} <= (
        actions
    ), actions

    ok(await client.post(f"{url}/close", headers=officer.headers))
    problem(
        await client.post(f"{url}/registrations", json=registration_body(fourth_id), headers=fourth.headers),
        409,
        "camp_not_open",
    )
    refused(await client.post(f"{url}/cancel", json={"reason": ""}, headers=officer.headers), 422, "string_too_short")
    assert (
        ok(await client.post(f"{url}/cancel", json={"reason": "场地取消"}, headers=officer.headers))["status"]
        == "cancelled"
    )


async def test_roles_and_scope(client: httpx.AsyncClient, camp_world: CampWorld) -> None:
    w = camp_world
    assert (await client.post("/camps", json=camp_body())).status_code == 401
    assert (await client.post("/camps", json=camp_body(), headers=w.member.headers)).status_code == 403
    refused(
        await client.post("/camps", json=camp_body(), headers=w.pudong_officer.headers),
        422,
        "camp_district_out_of_scope",
        "district",
    )
    draft = ok(await client.post("/camps", json=camp_body(), headers=w.changning_officer.headers), 201)
    url = f"/camps/{draft['id']}"
    for who in (w.pudong_officer, w.member, w.other_member):
        problem(await client.get(url, headers=who.headers), 404, "not_found")
    problem(
        await client.post(f"{url}/sessions", json=session_body(), headers=w.pudong_officer.headers), 404, "not_found"
    )
    problem(await client.post(f"{url}/open", headers=w.pudong_officer.headers), 404, "not_found")
    assert ok(await client.get("/camps", headers=w.pudong_officer.headers)) == []
    assert [c["id"] for c in ok(await client.get("/camps", headers=w.city_officer.headers))] == [draft["id"]]
    ok(await client.post(f"{url}/open", headers=w.city_officer.headers))
    problem(await client.get(f"{url}/registrations", headers=w.pudong_officer.headers), 404, "not_found")
    assert (await client.get(f"{url}/registrations", headers=w.member.headers)).status_code == 403
    body = registration_body(w.org_id)
    assert (
        await client.post(f"{url}/registrations", json=body, headers=w.changning_officer.headers)
    ).status_code == 403
    # Acting for someone else's organisation: the same 404 as a missing one.
    problem(await client.post(f"{url}/registrations", json=body, headers=w.other_member.headers), 404, "not_found")
    mine = ok(await client.post(f"{url}/registrations", json=body, headers=w.member.headers), 201)
    reg = f"/camps/registrations/{mine['id']}"
    problem(await client.get(reg, headers=w.other_member.headers), 404, "not_found")
    problem(await client.get(reg, headers=w.pudong_officer.headers), 404, "not_found")
    problem(await client.post(f"{reg}/cancel", json={}, headers=w.other_member.headers), 404, "not_found")
    problem(await client.post(f"{reg}/cancel", json={}, headers=w.pudong_officer.headers), 404, "not_found")
    assert ok(await client.get(reg, headers=w.changning_officer.headers))["organisation_id"] == w.org_id
    assert [r["id"] for r in ok(await client.get("/camps/my/registrations", headers=w.member.headers))] == [mine["id"]]
    assert ok(await client.get("/camps/my/registrations", headers=w.other_member.headers)) == []
    problem(
        await client.post(f"{url}/registrations", json=body, headers=w.member.headers), 409, "camp_already_registered"
    )
    # Staff in scope may cancel on the organisation's behalf.
    assert ok(await client.post(f"{reg}/cancel", json={}, headers=w.changning_officer.headers))["status"] == "cancelled"


async def test_audience_rules_are_checked_at_registration_with_the_reason(
    client: httpx.AsyncClient, camp_world: CampWorld
) -> None:
    w = camp_world
    officer = w.city_officer

    async def attempt(camp: dict[str, object], org_id: int, member: factories.User) -> httpx.Response:
        return await client.post(
            f"/camps/{camp['id']}/registrations", json=registration_body(org_id), headers=member.headers
        )

    anyone = await open_camp(client, officer)
    refused(await attempt(anyone, w.group_id, w.group_member), 422, "audience_registered_only")
    check = ok(
        await client.get(
            f"/camps/{anyone['id']}/eligibility", params={"organisation_id": w.group_id}, headers=w.group_member.headers
        )
    )
    assert check == {
        "eligible": False,
        "code": "audience_registered_only",
        "reason": "本品牌塑造营仅面向已登记的社会组织，备案类团队不能报名",
    }

    centres = await open_camp(client, officer, kind="companion", audience="street_centres", district=None)
    body = (await attempt(centres, w.other_org_id, w.other_member)).json()
    assert body["code"] == "audience_centres_only" and body["detail"] == "本陪伴式赋能仅面向街镇社会组织服务中心"
    ok(await attempt(centres, w.org_id, w.member), 201)  # the group's custodian is a designated centre

    graded = await open_camp(
        client,
        officer,
        kind="all_round",
        audience="type_grade",
        audience_min_grade="3A",
        audience_org_types=["social_service_institution"],
    )
    refused(await attempt(graded, w.org_id, w.member), 422, "audience_grade_too_low")
    await Organisation.update({Organisation.evaluation_grade: "4A"}).where(Organisation.id == w.org_id)
    ok(await attempt(graded, w.org_id, w.member), 201)
    foundation_id, foundation = await factories.organisation(org_type=factories.OrganisationType.foundation)
    await Organisation.update({Organisation.evaluation_grade: "5A"}).where(Organisation.id == foundation_id)
    refused(await attempt(graded, foundation_id, foundation), 422, "audience_type_mismatch")

    winners = await open_camp(client, officer, kind="venture", audience="contest_winners")
    refused(await attempt(winners, w.org_id, w.member), 422, "audience_winners_only")
    await contest_winner(officer, w.other_org_id)
    ok(await attempt(winners, w.other_org_id, w.other_member), 201)

    edition_id = await selected_in_support_plan(officer, w.org_id)
    cohort = await open_camp(client, officer, audience="cohort", edition_id=edition_id)
    refused(await attempt(cohort, w.other_org_id, w.other_member), 422, "audience_cohort_only")
    ok(await attempt(cohort, w.org_id, w.member), 201)


async def test_bad_input_names_the_field(client: httpx.AsyncClient, camp_world: CampWorld) -> None:
    w = camp_world
    h = w.changning_officer.headers
    refused(await client.post("/camps", json=camp_body(capacity=0), headers=h), 422, "greater_than_equal", "capacity")
    refused(await client.post("/camps", json=camp_body(kind="party"), headers=h), 422, "enum", "kind")
    refused(
        await client.post("/camps", json=camp_body(audience="cohort"), headers=h),
        422,
        "camp_cohort_needs_edition",
        "edition_id",
    )
    refused(
        await client.post("/camps", json=camp_body(audience_min_grade="3A"), headers=h),
        422,
        "camp_audience_filters_unused",
        "audience",
    )
    refused(
        await client.post("/camps", json=camp_body(completion_min_percent=101), headers=h),
        422,
        "less_than_equal",
        "completion_min_percent",
    )
    camp = await open_camp(client, w.changning_officer, max_participants_per_registration=2)
    url = f"/camps/{camp['id']}"
    bad = await client.post(f"{url}/sessions", json=session_body(start_time="12:00", end_time="09:00"), headers=h)
    refused(bad, 422, "session_times_reversed", "end_time")
    assert bad.json()["detail"] == "结束时间须晚于开始时间"
    refused(
        await client.post(f"{url}/sessions", json=session_body(place=""), headers=h),
        422,
        "session_venue_missing",
        "place",
    )
    refused(
        await client.post(f"{url}/sessions", json=session_body(online_link="ftp://x"), headers=h),
        422,
        "string_pattern_mismatch",
        "online_link",
    )
    files = {"file": ("tool.pdf", b"MZ\x90\x00" + b"\x00" * 64, "application/pdf")}
    refused(await client.post(f"{url}/materials", files=files, headers=h), 422, "attachment_type_mismatch", "file")
    assert await CampMaterial.count() == 0
    reg = f"{url}/registrations"
    m = w.member.headers
    refused(
        await client.post(reg, json={"organisation_id": w.org_id, "participants": []}, headers=m),
        422,
        "too_short",
        "participants",
    )
    refused(
        await client.post(reg, json=registration_body(w.org_id, "13800138000", "13800138000"), headers=m),
        422,
        "participant_duplicate",
        "participants",
    )
    three = registration_body(w.org_id, "13800138001", "13800138002", "13800138003")
    refused(await client.post(reg, json=three, headers=m), 422, "participants_too_many", "participants")
    bad_mobile = {"organisation_id": w.org_id, "participants": [{"name": "张三", "mobile": "123"}]}
    assert (await client.post(reg, json=bad_mobile, headers=m)).status_code == 422
    assert await CampRegistration.count() == 0


async def test_after_registration_closes_the_wait_list_still_moves_up(
    client: httpx.AsyncClient, camp_world: CampWorld
) -> None:
    w = camp_world
    camp = await open_camp(client, w.changning_officer, capacity=1)
    url = f"/camps/{camp['id']}/registrations"
    seat = ok(await client.post(url, json=registration_body(w.org_id), headers=w.member.headers), 201)
    waiting = ok(await client.post(url, json=registration_body(w.other_org_id), headers=w.other_member.headers), 201)
    ok(await client.post(f"/camps/{camp['id']}/close", headers=w.changning_officer.headers))

    ok(await client.post(f"/camps/registrations/{seat['id']}/cancel", json={}, headers=w.member.headers))

    promoted = ok(await client.get(f"/camps/registrations/{waiting['id']}", headers=w.other_member.headers))
    assert promoted["status"] == "registered"
    ok(
        await client.post(
            f"/camps/{camp['id']}/cancel", json={"reason": "讲师临时无法到场"}, headers=w.changning_officer.headers
        )
    )
    problem(
        await client.post(f"/camps/{camp['id']}/open", headers=w.changning_officer.headers),
        409,
        "transition_invalid_state",
    )
