"""The structured configuration forms over the admin's HTTP API (新建项目, 新建届次, 新建轮次, 修改轮次,
设置评分细则, 设置资格条件, 更换申报表版本): the API's services, scope, zh-CN errors naming the field, audit rows."""

from __future__ import annotations

from typing import Any

import pytest

from app.admin.form_templates import FORM_TEMPLATES
from app.audit import AuditEntry
from app.auth.tables import Role
from app.reference import District
from programmes.forms import check_form_schema
from programmes.tables import Criterion, Edition, FormVersion, Programme, Round, Track
from tests import factories
from tests.factories.admin import AdminFactory, AdminSession
from tests.factories.admin_http import form_path, ok, refused
from tests.factories.snapshots import table_digests

pytestmark = pytest.mark.filterwarnings("ignore:If running sessions in production:UserWarning")

PROGRAMME = form_path("新建项目")
EDITION = form_path("新建届次")
NEW_ROUND = form_path("新建轮次")
EDIT_ROUND = form_path("修改轮次")
RUBRIC = form_path("设置评分细则")
ELIGIBILITY = form_path("设置资格条件")
FORM_VERSION = form_path("更换申报表版本")

ROUND_FIELDS: dict[str, Any] = {
    "name": "初赛",
    "stage": "初赛",
    "position": "1",
    "opens_at": "2030-03-01T09:00",  # the date-time picker's value: Beijing time
    "closes_at": "2030-04-01 17:00",
    "blind": True,
    "aggregation_method": "中位数",
    "attach_xlsx": False,
    "max_attachment_mb": "10",
    "criterion_1_code": "innovation",
    "criterion_1_name": "创新性",
    "criterion_1_weight": "40",
    "criterion_1_max_score": "100",
    "criterion_2_code": "feasibility",
    "criterion_2_name": "可行性",
    "criterion_2_weight": "60",
    "criterion_2_max_score": "100",
    "track_1_name": "社区服务",
    "track_1_quota": "10",
    "track_2_name": "为老服务",
}


async def audited(action: str) -> list[int]:
    rows = await AuditEntry.select(AuditEntry.object_id).where(AuditEntry.action == action).order_by(AuditEntry.id)
    return [int(r["object_id"]) for r in rows]


def success(response: Any) -> str:
    return str(ok(response)["custom_form_success"])


async def test_templates_pass_the_api_form_check() -> None:
    for schema in FORM_TEMPLATES.values():
        check_form_schema(schema)  # raises on a schema the API would refuse


async def test_programme_edition_and_round_through_the_forms(admin_client: AdminFactory) -> None:
    officer = await admin_client(Role.officer, District.changning)
    message = success(await officer.post(PROGRAMME, {"name": "长宁区公益创投", "kind": "沪社星耀（孵化支持）"}))
    programme = await Programme.select().where(Programme.name == "长宁区公益创投").first()
    assert programme is not None and message.startswith(f"项目 {programme['id']}「长宁区公益创投」已创建")
    assert programme["kind"] == "support_plan" and programme["scope_district"] == "changning"  # 市级 → own district

    message = success(await officer.post(EDITION, {"programme": "长宁区公益创投", "year": "2027"}))
    edition = await Edition.select().where(Edition.programme == programme["id"]).first()
    assert edition is not None and edition["title"] == "2027 年度" and edition["scope_district"] == "changning"
    assert str(edition["id"]) in message
    by_id = success(await officer.post(EDITION, {"programme": str(programme["id"]), "year": "2028", "title": "二届"}))
    assert "「二届」" in by_id

    message = success(await officer.post(NEW_ROUND, {"edition_id": edition["id"], **ROUND_FIELDS}))
    stored = await Round.select().where(Round.edition == edition["id"]).first().output(load_json=True)
    assert (
        stored is not None
        and message == f"轮次 {stored['id']}「初赛」已创建（草稿）；设置资格条件后用「开放轮次」开放申报"
    )
    assert stored["opens_at"].isoformat() == "2030-03-01T01:00:00+00:00"  # 09:00 Beijing is 01:00 UTC
    assert stored["closes_at"].isoformat() == "2030-04-01T09:00:00+00:00"
    assert (stored["stage"], stored["position"], stored["status"]) == ("preliminary", 1, "draft")
    assert (stored["blind"], stored["aggregation_method"]) == (True, "median")
    assert stored["attachment_types"] == ["pdf", "docx", "jpg", "png"]
    assert stored["max_attachment_bytes"] == 10 * 1024 * 1024
    criteria = (
        await Criterion.select(Criterion.code, Criterion.weight)
        .where(Criterion.round == stored["id"])
        .order_by(Criterion.position)
    )
    assert [(c["code"], c["weight"]) for c in criteria] == [("innovation", 40), ("feasibility", 60)]
    tracks = await Track.select(Track.name, Track.quota).where(Track.round == stored["id"]).order_by(Track.position)
    assert [(t["name"], t["quota"]) for t in tracks] == [("社区服务", 10), ("为老服务", None)]
    form = await FormVersion.select().where(FormVersion.id == stored["form"]).first().output(load_json=True)
    assert form is not None and form["json_schema"] == FORM_TEMPLATES["项目申报书（大赛/创投）"]

    assert await audited("programme.create") == [programme["id"]]
    assert len(await audited("edition.create")) == 2
    assert await audited("round.create") == [stored["id"]]


async def test_district_officer_cannot_reach_another_districts_programme(admin_client: AdminFactory) -> None:
    city = await admin_client(Role.officer)
    pudong = await admin_client(Role.officer, District.pudong)
    assert city.user is not None
    contest = await factories.contest_round(city.user, district=District.changning)
    await Programme.update({Programme.name: "长宁区大赛"}).where(Programme.id == contest["programme_id"])
    rid = contest["id"]
    edition = await Round.select(Round.edition).where(Round.id == rid).first()
    assert edition is not None
    snapshot = await table_digests()

    for path, body, expected in (
        (PROGRAMME, {"name": "越权项目", "kind": "公益创新创业大赛", "scope_district": "长宁区"}, "只能创建本区"),
        (EDITION, {"programme": "长宁区大赛", "year": "2027"}, "项目不存在或无权访问"),
        (EDITION, {"programme": str(contest["programme_id"]), "year": "2027"}, "项目不存在或无权访问"),
        (NEW_ROUND, {"edition_id": edition["edition"], **ROUND_FIELDS}, "不存在或无权访问"),
        (EDIT_ROUND, {"round_id": rid, "name": "越权"}, "轮次不存在或无权访问"),
        (RUBRIC, {"round_id": rid, "criterion_1_code": "a", "criterion_1_name": "甲"} | _weights(), "不存在或无权访问"),
        (ELIGIBILITY, {"round_id": rid, "min_grade": "5A"}, "轮次不存在或无权访问"),
        (FORM_VERSION, {"round_id": rid}, "轮次不存在或无权访问"),
    ):
        assert expected in await refused(pudong, path, body), path
    assert await table_digests() == snapshot

    # The city officer reaches it, and may create a programme for any district.
    assert "已保存" in success(await city.post(ELIGIBILITY, {"round_id": rid, "min_grade": "3A 及以上"}))
    done = success(
        await city.post(
            PROGRAMME, {"name": "浦东新区项目", "kind": "聚力计划（供需对接）", "scope_district": "浦东新区"}
        )
    )
    assert "已创建" in done
    row = await Programme.select(Programme.scope_district).where(Programme.name == "浦东新区项目").first()
    assert row == {"scope_district": "pudong"}


def _weights(i: int = 1) -> dict[str, str]:
    return {f"criterion_{i}_weight": "100", f"criterion_{i}_max_score": "100"}


async def _bad(session: AdminSession, path: str, body: dict[str, Any]) -> str:
    return await refused(session, path, body)


async def test_bad_input_is_refused_in_chinese_naming_the_field(admin_client: AdminFactory) -> None:
    officer = await admin_client(Role.officer)
    assert officer.user is not None
    contest = await factories.contest_round(officer.user, district=District.changning)
    rid = contest["id"]
    await Programme.update({Programme.name: "同名项目"}).where(Programme.id == contest["programme_id"])
    edition = await Round.select(Round.edition).where(Round.id == rid).first()
    assert edition is not None
    eid = edition["edition"]
    snapshot = await table_digests()

    cases: list[tuple[str, dict[str, Any], str]] = [
        (PROGRAMME, {"name": "项目", "kind": "竞赛"}, "kind：请选择"),
        (PROGRAMME, {"name": "项目", "scope_district": "火星区"}, "scope_district：请选择"),
        (PROGRAMME, {"name": "", "kind": "公益创新创业大赛"}, "name："),
        (EDITION, {"programme": "没有这个项目", "year": "2027"}, "项目不存在或无权访问"),
        (EDITION, {"programme": "同名项目", "year": "20x7"}, "year："),
        (EDITION, {"programme": "同名项目", "year": "1900"}, "year："),
        (NEW_ROUND, {"edition_id": eid, **ROUND_FIELDS, "stage": "半决赛"}, "stage：请选择"),
        (NEW_ROUND, {"edition_id": eid, **ROUND_FIELDS, "opens_at": "下周一"}, "opens_at：时间格式"),
        (NEW_ROUND, {"edition_id": eid, **ROUND_FIELDS, "closes_at": ""}, "closes_at："),
        (NEW_ROUND, {"edition_id": eid, **ROUND_FIELDS, "closes_at": "2030-02-01 09:00"}, "截止时间必须晚于开放时间"),
        (NEW_ROUND, {"edition_id": eid, **ROUND_FIELDS, "criterion_1_weight": "abc"}, "criteria.0.weight"),
        (NEW_ROUND, {"edition_id": eid, **ROUND_FIELDS, "criterion_2_code": "创新"}, "criteria.1.code"),
        (NEW_ROUND, {"edition_id": eid, **ROUND_FIELDS, "max_attachment_mb": "500"}, "max_attachment_mb"),
        (NEW_ROUND, {"edition_id": eid, **ROUND_FIELDS, "form_schema": "{}"}, "form_schema：已选择模板"),
        (
            NEW_ROUND,
            {"edition_id": eid, **ROUND_FIELDS, "form_template": "自定义（填写下方 JSON）", "form_schema": "{"},
            "form_schema：JSON 格式不正确",
        ),
        (
            NEW_ROUND,
            {
                "edition_id": eid,
                **ROUND_FIELDS,
                "form_template": "自定义（填写下方 JSON）",
                "form_schema": '{"type": "array"}',
            },
            "顶层必须是 object",
        ),
        (NEW_ROUND, {"edition_id": 2_000_000_000, **ROUND_FIELDS}, "届次不存在或无权访问"),
        (EDIT_ROUND, {"round_id": rid, "aggregation_method": "众数"}, "aggregation_method：请选择"),
        (EDIT_ROUND, {"round_id": rid, "closes_at": "2020-01-01 17:00"}, "截止时间必须晚于开放时间"),
        (EDIT_ROUND, {"round_id": rid, "track_1_id": "abc"}, "tracks.0.id"),
        (EDIT_ROUND, {"round_id": rid, "reviews_per_application": "50"}, "reviews_per_application"),
        (RUBRIC, {"round_id": rid}, "criteria"),
        (
            RUBRIC,
            {"round_id": rid, "criterion_1_code": "a", "criterion_1_name": "甲", "criterion_1_weight": "0"},
            "criteria.0.weight",
        ),
        (
            ELIGIBILITY,
            {"round_id": rid, "allowed_districts": "长宁区、火星区"},
            "allowed_districts：无法识别的区「火星区」",
        ),
        (ELIGIBILITY, {"round_id": rid, "min_grade": "6A"}, "min_grade：请选择"),
        (ELIGIBILITY, {"round_id": rid, "min_registration_years": "99"}, "eligibility_rules.min_registration_years"),
        (
            ELIGIBILITY,
            {
                "round_id": rid,
                "allow_social_association": False,
                "allow_social_service_institution": False,
                "allow_foundation": False,
                "allow_filed_community_group": False,
            },
            "eligibility_rules.allowed_types",
        ),
        (
            FORM_VERSION,
            {"round_id": rid, "form_template": "自定义（填写下方 JSON）", "form_schema": "[]"},
            "顶层必须是 object",
        ),
        (FORM_VERSION, {"round_id": rid, "form_title": ""}, "form_title"),
    ]
    for path, body, expected in cases:
        message = await _bad(officer, path, body)
        assert expected in message, (path, body, message)
        assert any("\u4e00" <= ch <= "\u9fff" for ch in message), message  # Chinese, not pydantic's English
    assert await table_digests() == snapshot
    assert await audited("round.update_settings") == []


async def test_round_is_reconfigured_through_the_structured_forms(admin_client: AdminFactory) -> None:
    officer = await admin_client(Role.officer, District.changning)
    assert officer.user is not None
    contest = await factories.contest_round(
        officer.user, district=District.changning, tracks=[{"name": "社区", "quota": 5}]
    )
    rid = contest["id"]
    track = await Track.select(Track.id).where(Track.round == rid).first()
    assert track is not None

    done = success(
        await officer.post(
            EDIT_ROUND,
            {
                "round_id": rid,
                "name": "初赛（延期）",
                "closes_at": "2030-01-04 17:00",
                "blind": "否",
                "aggregation_method": "去掉最高最低分后平均",
                "change_attachments": "按下列设置",
                "attach_docx": False,
                "attach_xlsx": False,
                "track_1_id": str(track["id"]),
                "track_1_quota": "不限",
                "reason": "延长申报期",
            },
        )
    )
    assert done == f"轮次 {rid}「初赛（延期）」的设置已保存"
    stored = await Round.select().where(Round.id == rid).first().output(load_json=True)
    assert stored is not None and stored["closes_at"].isoformat() == "2030-01-04T09:00:00+00:00"
    assert (stored["blind"], stored["aggregation_method"]) == (False, "trimmed_mean")
    assert stored["attachment_types"] == ["pdf", "jpg", "png"]
    assert await Track.select(Track.quota).where(Track.id == track["id"]).first() == {"quota": None}
    unchanged = success(await officer.post(EDIT_ROUND, {"round_id": rid}))  # every field left as it is
    assert "已保存" in unchanged
    assert await audited("round.update_settings") == [rid]  # the no-change save wrote nothing

    rubric = {
        "round_id": rid,
        "criterion_1_code": "impact",
        "criterion_1_name": "社会影响",
        "criterion_1_weight": "70",
        "criterion_1_max_score": "10",
        "criterion_3_code": "budget",  # a skipped blank row between filled ones is fine
        "criterion_3_name": "预算合理性",
        "criterion_3_weight": "30",
        "criterion_3_max_score": "10",
    }
    assert "评分细则已保存" in success(await officer.post(RUBRIC, rubric))
    criteria = (
        await Criterion.select(Criterion.code, Criterion.max_score)
        .where(Criterion.round == rid)
        .order_by(Criterion.position)
    )
    assert [(c["code"], c["max_score"]) for c in criteria] == [("impact", 10), ("budget", 10)]

    body = {
        "round_id": rid,
        "allow_foundation": False,
        "min_grade": "4A 及以上",
        "min_registration_years": "2",
        "allowed_districts": "长宁区，徐汇区",
        "certificate_warning_days": "30",
    }
    assert "资格条件已保存" in success(await officer.post(ELIGIBILITY, body))
    rules = (await Round.select(Round.eligibility_rules).where(Round.id == rid).first().output(load_json=True) or {})[
        "eligibility_rules"
    ]
    assert rules == {
        "allowed_types": ["social_association", "social_service_institution", "filed_community_group"],
        "min_grade": "4A",
        "min_registration_years": 2,
        "allowed_districts": ["changning", "xuhui"],
        "certificate_warning_days": 30,
    }

    before = stored["form"]
    custom = '{"type": "object", "properties": {"plan": {"type": "string", "title": "实施计划"}}}'
    message = success(
        await officer.post(
            FORM_VERSION,
            {"round_id": rid, "form_template": "自定义（填写下方 JSON）", "form_title": "新版", "form_schema": custom},
        )
    )
    after = await Round.select(Round.form).where(Round.id == rid).first()
    assert after is not None and after["form"] != before and message.endswith(f"申报表版本 {after['form']}")
    assert "新的申报表版本" in success(
        await officer.post(FORM_VERSION, {"round_id": rid, "form_template": "结项评估材料"})
    )
    assert len(await audited("round.update_settings")) == 3
    assert await audited("round.new_form_version") == [rid, rid]
