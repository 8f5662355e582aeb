"""The settings and registry forms over the admin's HTTP API: same schema, same rules, same audit as the API."""

from __future__ import annotations

from typing import Any

import pytest

from app.audit import AuditEntry
from app.auth.tables import Role
from app.organisations.tables import Organisation, OrganisationMember
from app.reference import District
from programmes.tables import Programme, Round
from tests import factories
from tests.factories.admin import AdminFactory
from tests.factories.admin_http import form_path, ok, refused
from tests.factories.snapshots import table_digests

pytestmark = pytest.mark.filterwarnings("ignore:If running sessions in production:UserWarning")

ROUND_FORM = form_path("修改轮次设置")


async def actions(action: str) -> list[dict[str, Any]]:
    return [
        dict(r)
        for r in await AuditEntry.select(AuditEntry.object_id, AuditEntry.before, AuditEntry.after)
        .where(AuditEntry.action == action)
        .order_by(AuditEntry.id)
        .output(load_json=True)
    ]


async def test_round_settings_form_validates_like_the_api(admin_client: AdminFactory) -> None:
    changning = await admin_client(Role.officer, District.changning)
    pudong = await admin_client(Role.officer, District.pudong)
    assert changning.user is not None
    contest = await factories.contest_round(changning.user, district=District.changning)
    rid = contest["id"]
    snapshot = await table_digests()

    assert await refused(pudong, ROUND_FORM, {"round_id": rid, "name": "越权"}) == "轮次不存在或无权访问"
    for field, text in (
        ("eligibility_rules", '{"min_grade": "6A"}'),
        ("eligibility_rules", '{"min_grade": '),
        ("aggregation_method", "mode"),
        ("criteria", '[{"code": "a"}]'),
        ("closes_at", "下周五"),
        ("max_attachment_mb", "500"),
    ):
        message = await refused(changning, ROUND_FORM, {"round_id": rid, field: text})
        assert message.startswith(field), (field, message)
    window = await refused(changning, ROUND_FORM, {"round_id": rid, "closes_at": "2020-01-01 17:00"})
    assert window == "截止时间必须晚于开放时间"
    assert await table_digests() == snapshot

    done = ok(
        await changning.post(
            ROUND_FORM,
            {
                "round_id": rid,
                "closes_at": "2030-01-04 17:00",  # Shanghai time, as officers type it
                "blind": "否",
                "aggregation_method": "trimmed_mean",
                "eligibility_rules": '{"min_grade": "3A", "min_registration_years": 2}',
                "attachment_types": "pdf，jpg",
                "reason": "延长申报期",
            },
        )
    )
    assert done["custom_form_success"] == f"轮次 {rid}（初赛）的设置已保存"
    stored = (
        await Round.select(
            Round.closes_at, Round.blind, Round.aggregation_method, Round.eligibility_rules, Round.attachment_types
        )
        .where(Round.id == rid)
        .first()
        .output(load_json=True)
    )
    assert stored is not None and stored["closes_at"].isoformat() == "2030-01-04T09:00:00+00:00"
    assert stored["blind"] is False and stored["aggregation_method"] == "trimmed_mean"
    assert stored["eligibility_rules"]["min_registration_years"] == 2 and stored["attachment_types"] == ["pdf", "jpg"]
    [entry] = await actions("round.update_settings")
    assert entry["object_id"] == rid and entry["before"]["blind"] is True and entry["after"]["blind"] is False

    # Once an expert is assigned, the blind flag is locked on this path too.
    from programmes.applications.schemas import ApplicationCreate
    from programmes.applications.screening import override
    from programmes.applications.service import create_draft, submit
    from scoring.assignments.schemas import AssignmentCreate
    from scoring.assignments.service import assign

    org_id, applicant = await factories.organisation(District.changning)
    draft = await create_draft(
        applicant.principal,
        ApplicationCreate(round_id=rid, organisation_id=org_id, title="社区助餐", answers=factories.GOOD_ANSWERS),
    )
    await submit(applicant.principal, draft.id)
    # The round's new rules screen this fresh organisation out; an officer's written override lets review start.
    await override(changning.user.principal, draft.id, "登记年限由区民政局书面确认")
    expert = await factories.user(Role.expert)
    await assign(changning.user.principal, AssignmentCreate(application_id=draft.id, expert_id=expert.id))
    locked = await refused(changning, ROUND_FORM, {"round_id": rid, "blind": "是"})
    assert locked == "评审已经开始，不能再修改匿名评审设置和评分标准"
    assert len(await actions("round.update_settings")) == 1


async def test_programme_form_keeps_the_kind_once_editions_exist(admin_client: AdminFactory) -> None:
    city = await admin_client(Role.officer)
    assert city.user is not None
    contest = await factories.contest_round(city.user)
    form = form_path("修改项目")
    pid = contest["programme_id"]
    pudong = await admin_client(Role.officer, District.pudong)
    assert await refused(pudong, form, {"programme_id": pid, "name": "越权"}) == "项目不存在或无权访问"
    message = await refused(city, form, {"programme_id": pid, "kind": "matching"})
    assert message == "项目已有届次和申报，不能修改项目类型"
    unknown = await refused(city, form, {"programme_id": pid, "kind": "lottery"})
    assert unknown.startswith("kind：取值不在允许范围内，可选：")
    ok(await city.post(form, {"programme_id": pid, "name": "公益创投", "conflict_rules": "same_street"}))
    assert await Programme.select(Programme.name, Programme.kind, Programme.conflict_rules).where(
        Programme.id == pid
    ).first().output(load_json=True) == {"name": "公益创投", "kind": "contest", "conflict_rules": ["same_street"]}
    [entry] = await actions("programme.update")
    assert entry["before"] == {"name": "公益创新创业大赛", "conflict_rules": []}


async def test_organisation_forms_correct_facts_and_members(admin_client: AdminFactory) -> None:
    changning = await admin_client(Role.officer, District.changning)
    pudong = await admin_client(Role.officer, District.pudong)
    org_id, member = await factories.organisation(District.changning)
    colleague = await factories.user(Role.applicant)
    facts, add, remove = form_path("更正社会组织登记信息"), form_path("添加机构成员"), form_path("移除机构成员")

    outside = await refused(pudong, facts, {"organisation_id": org_id, "evaluation_grade": "5A", "reason": "公告"})
    assert outside == "社会组织不存在或无权访问"
    assert (
        await refused(changning, facts, {"organisation_id": org_id, "evaluation_grade": "6A", "reason": "公告"})
    ).startswith("evaluation_grade：")
    no_reason = await changning.post(facts, {"organisation_id": org_id, "evaluation_grade": "5A"})
    assert no_reason.status_code == 422 and no_reason.json()["custom_form_error"].endswith("：此字段为必填项")
    done = ok(
        await changning.post(
            facts,
            {
                "organisation_id": org_id,
                "evaluation_grade": "4A",
                "grade_valid_until": "2030-12-31",
                "reason": "评估公告",
            },
        )
    )
    assert done["custom_form_success"].endswith("的登记信息已更正")
    assert await Organisation.select(Organisation.evaluation_grade).where(Organisation.id == org_id).first() == {
        "evaluation_grade": "4A"
    }
    [entry] = await actions("organisation.correct")
    assert entry["after"] == {"evaluation_grade": "4A", "grade_valid_until": "2030-12-31"}

    body = {"organisation_id": org_id, "username": colleague.principal.username, "reason": "新任联络人"}
    assert await refused(pudong, add, body) == "社会组织不存在或无权访问"
    ok(await changning.post(add, body))
    assert await OrganisationMember.count().where(OrganisationMember.organisation == org_id) == 2
    last = {**body, "username": member.principal.username}
    ok(await changning.post(remove, body))
    assert await refused(changning, remove, last) == "这是机构唯一的成员，请先添加新成员再移除"
    assert [e["after"] for e in await actions("organisation.member_add")] == [
        {"user_id": colleague.id, "username": colleague.principal.username}
    ]
    assert len(await actions("organisation.member_remove")) == 1
