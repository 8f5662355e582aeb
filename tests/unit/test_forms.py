"""Form schemas (draft 2020-12 + x-ui conventions): checking, zh-CN validation, outline, flattening, blind stripping."""

from __future__ import annotations

import copy
import json
import time
from pathlib import Path
from typing import Any

import pytest

from app.errors import DomainError
from programmes.form_columns import display_value, flatten_answers, repeat_counts
from programmes.form_ui import field_label, form_outline, identifying_paths, strip_identifying
from programmes.forms import MAX_ERRORS, answer_errors, check_form_schema, validate_answers
from tests.factories import FORM, GOOD_ANSWERS

CONTEST_FORM: dict[str, Any] = json.loads(
    (Path(__file__).parents[2] / "docs" / "examples" / "contest-form.json").read_text(encoding="utf-8")
)
CONTEST_ANSWERS: dict[str, Any] = {
    "project_name": "银龄助餐·社区食堂",
    "summary": "为社区独居和高龄老人提供助餐、送餐与陪伴服务，联动街道食堂和志愿者队伍，建立长效机制。",
    "target_groups": ["老年人", "社区居民"],
    "beneficiaries": 320,
    "team": [
        {"name": "王小梅", "role": "项目负责人", "phone": "13912345678"},
        {"name": "李强", "role": "财务", "phone": "021-62345678"},
    ],
    "budget": [{"subject": "活动费用", "amount": 30000}, {"subject": "人员费用", "amount": 50000}],
    "cooperates": True,
    "partner_name": "某某街道社区食堂",
}


def errors(schema: dict[str, Any], answers: Any) -> list[tuple[str, str]]:
    return [(e.field, e.code) for e in answer_errors(schema, answers)]


def messages(schema: dict[str, Any], answers: Any) -> dict[str, str]:
    return {e.field: e.message for e in answer_errors(schema, answers)}


def obj(**properties: Any) -> dict[str, Any]:
    return {"type": "object", "properties": properties}


# --- the documented example ----------------------------------------------------------------------------------------


def test_example_contest_form_is_accepted_and_good_answers_pass() -> None:
    check_form_schema(CONTEST_FORM)
    validate_answers(CONTEST_FORM, CONTEST_ANSWERS)


def test_docs_show_the_example_form_verbatim() -> None:
    doc = (Path(__file__).parents[2] / "docs" / "forms-and-eligibility.md").read_text(encoding="utf-8")
    block = doc.split("<!-- example: docs/examples/contest-form.json -->", 1)[1].split("```json", 1)[1]
    assert json.loads(block.split("```", 1)[0]) == CONTEST_FORM


def test_existing_factory_form_still_behaves() -> None:
    check_form_schema(FORM)
    validate_answers(FORM, GOOD_ANSWERS)
    assert errors(FORM, {}) == [("answers.summary", "form_required"), ("answers.beneficiaries", "form_required")]
    assert ("answers.summary", "form_minLength") in errors(FORM, {"summary": "短", "beneficiaries": 3})
    assert ("answers.beneficiaries", "form_type") in errors(
        FORM, {"summary": "足够长的项目简介内容", "beneficiaries": "三"}
    )
    assert ("answers.beneficiaries", "form_minimum") in errors(
        FORM, {"summary": "足够长的项目简介内容", "beneficiaries": 0}
    )


def test_validate_answers_raises_one_domain_error_with_every_field() -> None:
    with pytest.raises(DomainError) as caught:
        validate_answers(CONTEST_FORM, {})
    assert caught.value.code == "form_answers_invalid" and caught.value.status == 422
    assert [e.field for e in caught.value.errors] == [
        "answers.project_name",
        "answers.summary",
        "answers.target_groups",
        "answers.beneficiaries",
        "answers.team",
        "answers.budget",
        "answers.cooperates",
    ]
    assert caught.value.errors[0].message == "项目名称：此项为必填项"


# --- nested, conditional, repeatable -------------------------------------------------------------------------------


def test_nested_objects_report_full_paths_and_labels() -> None:
    street = {"type": "string", "title": "街道", "minLength": 2}
    address = {"type": "object", "title": "地址", "required": ["street"], "properties": {"street": street}}
    contact = {"type": "object", "title": "联系人", "required": ["address"], "properties": {"address": address}}
    schema = {"type": "object", "properties": {"contact": contact}}
    check_form_schema(schema)
    assert messages(schema, {"contact": {"address": {}}}) == {
        "answers.contact.address.street": "联系人 · 地址 · 街道：此项为必填项"
    }
    assert errors(schema, {"contact": {"address": {"street": "长"}}}) == [
        ("answers.contact.address.street", "form_minLength")
    ]
    assert errors(schema, {"contact": {"address": {"street": "长宁路"}}}) == []


def test_conditional_if_then_requires_the_partner_only_when_cooperating() -> None:
    base = {k: v for k, v in CONTEST_ANSWERS.items() if k != "partner_name"}
    assert messages(CONTEST_FORM, base) == {"answers.partner_name": "合作方名称：此项为必填项"}
    assert errors(CONTEST_FORM, {**base, "cooperates": False}) == []
    assert errors(CONTEST_FORM, {**base, "partner_name": "甲"}) == [("answers.partner_name", "form_minLength")]


def test_if_then_else_with_fields_declared_in_branches() -> None:
    schema = {
        "type": "object",
        "properties": {"kind": {"type": "string", "title": "类型", "enum": ["个人", "机构"]}},
        "if": {"properties": {"kind": {"const": "机构"}}, "required": ["kind"]},
        "then": {"required": ["org"], "properties": {"org": {"type": "string", "title": "机构名称"}}},
        "else": {
            "required": ["id_no"],
            "properties": {"id_no": {"type": "string", "title": "证件号", "identifying": True}},
        },
    }
    check_form_schema(schema)
    assert messages(schema, {"kind": "机构"}) == {"answers.org": "机构名称：此项为必填项"}
    assert messages(schema, {"kind": "个人"}) == {"answers.id_no": "证件号：此项为必填项"}
    assert [s.key() for s in form_outline(schema)] == ["kind", "org", "id_no"]
    assert strip_identifying(schema, {"kind": "个人", "id_no": "310"}) == {"kind": "个人"}


def test_dependent_required_names_the_missing_field_and_its_trigger() -> None:
    schema = obj(email={"type": "string", "title": "邮箱"}, consent={"type": "boolean", "title": "同意接收通知"})
    schema["dependentRequired"] = {"consent": ["email"]}
    check_form_schema(schema)
    assert messages(schema, {"consent": True}) == {"answers.email": "邮箱：填写「同意接收通知」后此项为必填项"}
    assert errors(schema, {"consent": True}) == [("answers.email", "form_dependentRequired")]
    assert errors(schema, {}) == []


def test_dependent_schemas() -> None:
    schema = obj(budget={"type": "integer", "title": "预算"}, reason={"type": "string", "title": "说明"})
    schema["dependentSchemas"] = {"budget": {"required": ["reason"], "properties": {"reason": {"minLength": 5}}}}
    check_form_schema(schema)
    assert errors(schema, {"budget": 100}) == [("answers.reason", "form_required")]
    assert errors(schema, {"budget": 100, "reason": "太短"}) == [("answers.reason", "form_minLength")]
    assert errors(schema, {"reason": "短"}) == []


def test_repeatable_groups_are_validated_per_item_path() -> None:
    answers = copy.deepcopy(CONTEST_ANSWERS)
    answers["team"][1] = {"role": "打杂", "phone": "12345"}
    assert messages(CONTEST_FORM, answers) == {
        "answers.team.1.name": "团队成员 2 · 姓名：此项为必填项",
        "answers.team.1.role": "团队成员 2 · 角色：须为以下选项之一：项目负责人、项目执行、财务、专业督导、志愿者",
        "answers.team.1.phone": "团队成员 2 · 联系电话：请填写 11 位手机号或带区号的固定电话",  # x-ui.messages
    }
    assert errors(CONTEST_FORM, {**CONTEST_ANSWERS, "team": []}) == [("answers.team", "form_minItems")]
    eleven = [CONTEST_ANSWERS["team"][0]] * 11
    assert messages(CONTEST_FORM, {**CONTEST_ANSWERS, "team": eleven}) == {
        "answers.team": "团队成员：最多填写 10 项（当前 11 项）"
    }
    assert errors(CONTEST_FORM, {**CONTEST_ANSWERS, "budget": [{"subject": "其他", "amount": 1.5}]}) == [
        ("answers.budget.0.amount", "form_type")
    ]


def test_errors_come_in_form_order_with_numeric_item_order() -> None:
    schema = {"type": "object", "properties": {"lines": {"type": "array", "items": {"type": "integer"}}}}
    fields = [f for f, _ in errors(schema, {"lines": ["x"] * 12})]
    assert fields == [f"answers.lines.{i}" for i in range(12)]
    answers = {**CONTEST_ANSWERS, "partner_name": "", "project_name": "", "budget": [{"subject": "其他", "amount": 0}]}
    assert [f for f, _ in errors(CONTEST_FORM, answers)] == [
        "answers.project_name",
        "answers.budget.0.amount",
        "answers.partner_name",
    ]


# --- every keyword has a zh-CN message and a stable code -----------------------------------------------------------

KEYWORD_CASES = [
    ({"type": "string"}, 1, "type", "应为字符串"),
    ({"type": "integer"}, 1.5, "type", "应为整数"),
    ({"type": "number"}, "1", "type", "应为数字"),
    ({"type": "boolean"}, "是", "type", "应为布尔值"),
    ({"type": "object"}, [], "type", "应为对象"),
    ({"type": "array"}, {}, "type", "应为数组"),
    ({"type": ["string", "null"]}, 1, "type", "应为字符串或空值"),
    ({"minLength": 3}, "ab", "minLength", "至少填写 3 个字"),
    ({"maxLength": 2}, "abc", "maxLength", "最多填写 2 个字（当前 3 个）"),
    ({"minimum": 1}, 0, "minimum", "不能小于 1"),
    ({"maximum": 10}, 11, "maximum", "不能大于 10"),
    ({"exclusiveMinimum": 0}, 0, "exclusiveMinimum", "必须大于 0"),
    ({"exclusiveMaximum": 100}, 100, "exclusiveMaximum", "必须小于 100"),
    ({"multipleOf": 100}, 150, "multipleOf", "必须是 100 的整数倍"),
    ({"enum": ["甲", "乙"]}, "丙", "enum", "须为以下选项之一：甲、乙"),
    ({"const": True}, False, "const", "须为 是"),
    ({"pattern": "^[0-9]{6}$"}, "2000x", "pattern", "格式不正确"),
    ({"format": "email"}, "not-an-email", "format", "电子邮箱"),
    ({"format": "date"}, "2025-02-30", "format", "有效日期"),
    ({"format": "date"}, "20250101", "format", "有效日期"),
    ({"format": "date-time"}, "2025-03-01T09:00:00", "format", "带时区"),
    ({"format": "uri"}, "ftp://example.com", "format", "网址"),
    ({"format": "uri"}, "javascript:alert(1)", "format", "网址"),
    ({"format": "phone"}, "1391234567", "format", "电话号码"),
    ({"format": "credit-code"}, "91350100M000100Y44", "format", "统一社会信用代码"),
    ({"minItems": 2}, [1], "minItems", "至少填写 2 项"),
    ({"maxItems": 1}, [1, 2], "maxItems", "最多填写 1 项"),
    ({"uniqueItems": True}, ["老年人", "老年人"], "uniqueItems", "各项不能重复"),
    ({"uniqueItems": True}, [{"a": 1, "b": [True]}, {"b": [True], "a": 1.0}], "uniqueItems", "各项不能重复"),
    ({"prefixItems": [{}], "items": False}, [1, 2], "items", "条目过多"),
    ({"contains": {"const": "负责人"}}, ["成员"], "contains", "至少应有一项"),
    ({"contains": {"type": "integer"}, "minContains": 2}, [1, "a"], "minContains", "至少应有 2 项"),
    ({"contains": {"type": "integer"}, "maxContains": 1}, [1, 2], "maxContains", "最多只能有 1 项"),
    ({"minProperties": 1}, {}, "minProperties", "至少填写 1 项"),
    ({"maxProperties": 1}, {"a": 1, "b": 2}, "maxProperties", "最多填写 1 项"),
    ({"propertyNames": {"maxLength": 2}}, {"abc": 1}, "propertyNames", "字段名"),
    ({"anyOf": [{"type": "integer"}, {"type": "boolean"}]}, "x", "anyOf", "不符合任何一种"),
    ({"oneOf": [{"type": "integer"}, {"type": "number"}]}, 1, "oneOf", "只能符合其中一种"),
    ({"not": {"const": "无"}}, "无", "not", "不被允许"),
    ({"unevaluatedItems": False, "prefixItems": [{}]}, [1, 2], "unevaluatedItems", "未定义的条目"),
]


@pytest.mark.parametrize(("field_schema", "value", "keyword", "text"), KEYWORD_CASES)
def test_each_keyword_has_a_code_and_zh_message(
    field_schema: dict[str, Any], value: Any, keyword: str, text: str
) -> None:
    schema = obj(x={"title": "测试项", **field_schema})
    check_form_schema(schema)
    [error] = answer_errors(schema, {"x": value})
    assert (error.field, error.code) == ("answers.x", f"form_{keyword}")
    assert error.message.startswith("测试项：") and text in error.message


@pytest.mark.parametrize("keyword", ["additionalProperties", "unevaluatedProperties"])
def test_undeclared_fields_are_named_one_by_one(keyword: str) -> None:
    schema = {**obj(name={"type": "string", "title": "姓名"}), keyword: False}
    check_form_schema(schema)
    assert messages(schema, {"name": "甲", "x1": 1, "x2": 2}) == {
        "answers.x1": "x1：不是表单中的字段",
        "answers.x2": "x2：不是表单中的字段",
    }
    assert {e.code for e in answer_errors(schema, {"x1": 1})} == {f"form_{keyword}"}


def test_false_schema_inside_all_of_names_the_field() -> None:
    schema = obj(a={"type": "string", "title": "甲"}, b={"type": "string", "title": "乙"})
    schema["allOf"] = [{}, {"properties": {"a": False}}]
    assert errors(schema, {"a": "x", "b": "x"}) == [("answers.a", "form_false")]


def test_false_schema_forbids_a_field() -> None:
    schema = {**obj(a={"type": "boolean", "title": "甲"}, b={"type": "string", "title": "乙"})}
    schema["if"] = {"properties": {"a": {"const": False}}, "required": ["a"]}
    schema["then"] = {"properties": {"b": False}}
    check_form_schema(schema)
    assert [(e.field, e.code, e.message) for e in answer_errors(schema, {"a": False, "b": "x"})] == [
        ("answers.b", "form_false", "乙：此项不允许填写")
    ]


@pytest.mark.parametrize("value", ["a@b.cn", "张三@例子.中国"])
def test_good_emails(value: str) -> None:
    assert errors(obj(x={"format": "email"}), {"x": value}) == []


@pytest.mark.parametrize(
    ("fmt", "value"),
    [
        ("phone", "13912345678"),
        ("phone", "+86 139 1234 5678"),
        ("phone", "021-62345678"),
        ("phone", "62345678"),
        ("date", "2024-02-29"),
        ("date-time", "2025-03-01T09:00:00+08:00"),
        ("date-time", "2025-03-01T01:00:00Z"),
        ("uri", "https://例子.中国/路径?q=1"),
        ("credit-code", "91350100M000100Y43"),
    ],
)
def test_good_formats(fmt: str, value: str) -> None:
    assert errors(obj(x={"format": fmt}), {"x": value}) == []


# --- Chinese text, emoji, size, emptiness, depth -------------------------------------------------------------------


def test_ten_thousand_chinese_characters() -> None:
    text = "社会组织服务社区" * 1250
    assert len(text) == 10_000
    schema = obj(story={"type": "string", "title": "项目故事", "maxLength": 10_000})
    started = time.perf_counter()
    assert errors(schema, {"story": text}) == []
    assert messages(schema, {"story": text + "。"}) == {
        "answers.story": "项目故事：最多填写 10000 个字（当前 10001 个）"
    }
    assert time.perf_counter() - started < 1
    flat = flatten_answers(schema, {"story": text})
    assert flat == {"项目故事": text}


def test_emoji_count_as_code_points() -> None:
    schema = obj(name={"type": "string", "title": "昵称", "minLength": 2, "maxLength": 3})
    assert errors(schema, {"name": "🌱🌱"}) == []
    assert errors(schema, {"name": "🌱"}) == [("answers.name", "form_minLength")]
    # A family emoji is five code points (three people joined by two ZWJ), so it is "5 characters" to JSON Schema.
    assert errors(schema, {"name": "👨‍👩‍👧"}) == [("answers.name", "form_maxLength")]
    answers = {
        **CONTEST_ANSWERS,
        "project_name": "🌱 绿芽计划 🌱",
        "team": [{"name": "小明😀", "role": "志愿者", "phone": "13912345678"}],
    }
    assert errors(CONTEST_FORM, answers) == []
    assert flatten_answers(CONTEST_FORM, answers)["团队成员 1 · 姓名"] == "小明😀"


def test_empty_answers() -> None:
    assert errors({"type": "object"}, {}) == []
    assert [code for _, code in errors(CONTEST_FORM, {})] == ["form_required"] * 7
    assert strip_identifying(CONTEST_FORM, {}) == {}
    flat = flatten_answers(CONTEST_FORM, {})
    assert set(flat.values()) == {None} and "团队成员 1 · 姓名" in flat


def test_answers_that_are_not_an_object() -> None:
    assert errors(FORM, [])[0] == ("answers", "form_type")


def test_deeply_nested_answers_are_refused_without_recursion_errors() -> None:
    deep: Any = "底"
    for _ in range(5000):
        deep = [deep]
    assert errors({"type": "object"}, {"free": deep}) == [("answers", "form_too_deep")]
    shallow: Any = "底"
    for _ in range(30):
        shallow = {"x": shallow}
    assert errors({"type": "object"}, {"free": shallow}) == []
    nested: Any = {}
    for _ in range(3000):
        nested = {"not": nested}
    with pytest.raises(DomainError) as caught:
        check_form_schema({"type": "object", "properties": {"a": nested}})
    assert caught.value.code == "form_schema_invalid"
    assert display_value(deep).startswith("list") or display_value(deep).startswith("[")


@pytest.mark.parametrize("distinct", [[1, True], [0, False], [{"a": 1}, {"a": "1"}], [[1, 2], [2, 1]], [None, 0]])
def test_unique_items_keeps_json_equality(distinct: list[Any]) -> None:
    assert errors(obj(x={"uniqueItems": True}), {"x": distinct}) == []


def test_overlong_arrays_are_refused_before_validation() -> None:
    schema = obj(team={"type": "array", "title": "团队成员", "uniqueItems": True, "items": {"type": "object"}})
    started = time.perf_counter()
    assert messages(schema, {"team": [{"i": i} for i in range(20_000)]}) == {"answers.team": "团队成员：最多 1000 项"}
    assert errors(schema, {"team": [{"i": i} for i in range(1000)]}) == []
    assert time.perf_counter() - started < 2


def test_error_count_is_bounded() -> None:
    schema = {"type": "object", "properties": {"lines": {"type": "array", "items": {"type": "integer"}}}}
    found = answer_errors(schema, {"lines": ["x"] * 1000})
    assert len(found) == MAX_ERRORS + 1
    assert found[-1].code == "form_too_many_errors" and found[-1].field == "answers"
    assert len(answer_errors(schema, {"lines": ["x"] * MAX_ERRORS})) == MAX_ERRORS


# --- identifying fields --------------------------------------------------------------------------------------------

BLIND_FORM: dict[str, Any] = {
    "type": "object",
    "$defs": {
        "person": {
            "type": "object",
            "properties": {
                "name": {"type": "string", "title": "姓名", "identifying": True},
                "skill": {"type": "string", "title": "专长"},
            },
        }
    },
    "properties": {
        "title": {"type": "string", "title": "项目名称"},
        "org": {
            "type": "object",
            "title": "申报单位",
            "properties": {
                "intro": {"type": "string", "title": "简介"},
                "contact": {
                    "type": "object",
                    "title": "联系人",
                    "identifying": True,
                    "properties": {"phone": {"type": "string", "title": "电话"}},
                },
            },
        },
        "team": {
            "type": "array",
            "title": "团队",
            "items": {
                "type": "object",
                "properties": {
                    "member": {"$ref": "#/$defs/person"},
                    "links": {"type": "array", "title": "链接", "items": {"type": "string"}, "identifying": True},
                },
            },
        },
        "photos": {"type": "array", "title": "照片", "items": {"type": "string", "identifying": True}},
    },
}


def test_identifying_paths_at_any_depth() -> None:
    check_form_schema(BLIND_FORM)
    assert identifying_paths(BLIND_FORM) == ["org.contact", "team.*.member.name", "team.*.links", "photos"]
    assert [s.key(0) for s in form_outline(BLIND_FORM) if s.identifying] == [
        "org.contact.phone",
        "team.0.member.name",
        "team.0.links",
        "photos",
    ]
    assert identifying_paths(CONTEST_FORM) == ["team.*.phone"]


def test_strip_identifying_at_depth_without_touching_the_input() -> None:
    answers = {
        "title": "社区花园",
        "org": {"intro": "成立十年", "contact": {"phone": "13912345678"}},
        "team": [
            {"member": {"name": "张三", "skill": "园艺"}, "links": ["https://x.cn"]},
            {"member": {"name": "李四", "skill": "财务"}},
        ],
        "photos": ["a.jpg"],
        "sneaky": "我们是某某协会",
    }
    original = copy.deepcopy(answers)
    assert strip_identifying(BLIND_FORM, answers) == {
        "title": "社区花园",
        "org": {"intro": "成立十年"},
        "team": [{"member": {"skill": "园艺"}}, {"member": {"skill": "财务"}}],
    }
    assert answers == original
    assert strip_identifying(CONTEST_FORM, CONTEST_ANSWERS)["team"] == [
        {"name": "王小梅", "role": "项目负责人"},
        {"name": "李强", "role": "财务"},
    ]


def test_strip_tolerates_answers_of_the_wrong_shape() -> None:
    assert strip_identifying(BLIND_FORM, {"team": "不是数组", "org": ["x"]}) == {"team": "不是数组", "org": ["x"]}


# --- checking form definitions -------------------------------------------------------------------------------------

BAD_FORMS = [
    ({"type": "array"}, "顶层必须是 object"),
    ({"type": "object", "properties": {"a": {"type": "strnig"}}}, "不是有效的 JSON Schema"),
    ({"type": "object", "properties": {"a": {"pattern": "("}}}, "不是有效的 JSON Schema"),
    ({"type": "object", "properties": {"a": {"identifying": "yes"}}}, "identifying 必须是 true 或 false"),
    ({"type": "object", "properties": {"a": {"not": {"identifying": True}}}}, "不会生效"),
    ({"type": "object", "if": {"identifying": True}}, "不会生效"),
    ({"type": "object", "identifying": True}, "不会生效"),
    ({"type": "object", "properties": {"a.b": {}}}, "字段名“a.b”不可用"),
    ({"type": "object", "properties": {"*": {}}}, "不可用"),
    ({"type": "object", "properties": {"12": {}}}, "不可用"),
    ({"type": "object", "properties": {"a": {"type": "array", "prefixItems": [{"identifying": True}]}}}, "不会生效"),
    ({"type": "object", "$defs": {"unused": {"identifying": True}}}, "不会生效"),
    ({"type": "object", "properties": {"a": {"$ref": "https://example.com/s.json"}}}, "不允许引用外部定义"),
    ({"type": "object", "properties": {"a": {"$ref": "other.json#/x"}}}, "不允许引用外部定义"),
    ({"type": "object", "properties": {"a": {"$ref": "#/$defs/missing"}}}, "不存在"),
    ({"type": "object", "properties": {"a": {"$dynamicRef": "#x"}}}, "不支持 $dynamicRef"),
    ({"type": "object", "properties": {"a": {"$id": "https://x.cn/a"}}}, "$id 只能出现在表单顶层"),
    ({"$schema": "http://json-schema.org/draft-07/schema#", "type": "object"}, "$schema 必须是"),
    ({"type": "object", "properties": {"a": {"format": "ipv4"}}}, "不支持的格式 ipv4"),
    ({"type": "object", "properties": {"a": {"x-ui": {"colour": "红"}}}}, "x-ui 不支持 colour"),
    ({"type": "object", "properties": {"a": {"x-ui": {"widget": "slider"}}}}, "widget 不支持 slider"),
    ({"type": "object", "properties": {"a": {"x-ui": "textarea"}}}, "x-ui 必须是对象"),
    ({"type": "object", "properties": {"a": {"x-ui": {"rows": 0}}}}, "rows"),
    ({"type": "object", "x-ui": {"order": ["b"]}, "properties": {"a": {}}}, "字段 b 未在 properties 中定义"),
    ({"type": "object", "required": ["b"], "properties": {"a": {}}}, "字段 b 未在 properties 中定义"),
    ({"type": "object", "then": {"required": ["b"]}, "if": {}}, "字段 b 未在 properties 中定义"),
    ({"type": "object", "dependentRequired": {"a": ["b"]}, "properties": {"a": {}}}, "字段 b 未在 properties 中定义"),
    (
        {
            "type": "object",
            "$defs": {"n": {"type": "object", "properties": {"c": {"$ref": "#/$defs/n"}}}},
            "properties": {"r": {"$ref": "#/$defs/n"}},
        },
        "嵌套层级过深",
    ),
]


@pytest.mark.parametrize(("schema", "text"), BAD_FORMS)
def test_bad_forms_are_refused_with_a_reason(schema: dict[str, Any], text: str) -> None:
    with pytest.raises(DomainError) as caught:
        check_form_schema(schema)
    assert caught.value.code == "form_schema_invalid" and caught.value.status == 422
    assert caught.value.errors and all(e.field == "form_schema" for e in caught.value.errors)
    assert any(text in e.message for e in caught.value.errors), [e.message for e in caught.value.errors]


def test_local_refs_and_defs_are_fine() -> None:
    schema = {
        "type": "object",
        "$defs": {"money": {"type": "integer", "minimum": 1, "x-ui": {"unit": "元"}}},
        "properties": {"total": {"$ref": "#/$defs/money", "title": "总额"}},
    }
    check_form_schema(schema)
    assert errors(schema, {"total": 0}) == [("answers.total", "form_minimum")]
    assert messages(schema, {"total": 0}) == {"answers.total": "总额：不能小于 1"}
    assert form_outline(schema)[0].ui == {"unit": "元"}


def test_remote_refs_are_never_fetched(monkeypatch: pytest.MonkeyPatch) -> None:
    import urllib.request

    def no_network(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("the form tried to fetch a remote $ref")

    monkeypatch.setattr(urllib.request, "urlopen", no_network)
    stored = obj(a={"$ref": "https://example.com/evil.json"})  # e.g. stored before checks existed
    with pytest.raises(DomainError) as caught:
        answer_errors(stored, {"a": 1})
    assert caught.value.code == "form_schema_invalid"


# --- outline and flattening ----------------------------------------------------------------------------------------


def test_outline_follows_x_ui_order_then_declaration_order() -> None:
    schema = {
        "type": "object",
        "x-ui": {"order": ["c", "a"]},
        "required": ["a"],
        "properties": {
            "a": {"type": "string", "title": "甲", "description": "说明", "x-ui": {"widget": "textarea"}},
            "b": {"type": "integer"},
            "c": {"type": "boolean", "title": "丙"},
        },
    }
    outline = form_outline(schema)
    assert [(s.key(), s.header(), s.required) for s in outline] == [
        ("c", "丙", False),
        ("a", "甲", True),
        ("b", "b", False),
    ]
    assert (outline[1].description, outline[1].widget, outline[1].type, outline[2].title) == (
        "说明",
        "textarea",
        "string",
        "b",
    )


def test_contest_outline_headers() -> None:
    assert [s.header(0) for s in form_outline(CONTEST_FORM)] == [
        "项目名称",
        "项目简介",
        "服务对象",
        "受益人数",
        "团队成员 1 · 姓名",
        "团队成员 1 · 角色",
        "团队成员 1 · 联系电话",
        "预算明细 1 · 科目",
        "预算明细 1 · 金额",
        "是否与其他组织合作",
        "合作方名称",
    ]
    assert form_outline(CONTEST_FORM)[4].key(2) == "team.2.name"
    assert field_label(CONTEST_FORM, ["team", 1, "name"]) == "团队成员 2 · 姓名"


def test_flatten_expands_groups_item_by_item() -> None:
    flat = flatten_answers(CONTEST_FORM, CONTEST_ANSWERS)
    assert list(flat.items()) == [
        ("项目名称", "银龄助餐·社区食堂"),
        ("项目简介", CONTEST_ANSWERS["summary"]),
        ("服务对象", "老年人、社区居民"),
        ("受益人数", 320),
        ("团队成员 1 · 姓名", "王小梅"),
        ("团队成员 1 · 角色", "项目负责人"),
        ("团队成员 1 · 联系电话", "13912345678"),
        ("团队成员 2 · 姓名", "李强"),
        ("团队成员 2 · 角色", "财务"),
        ("团队成员 2 · 联系电话", "021-62345678"),
        ("预算明细 1 · 科目", "活动费用"),
        ("预算明细 1 · 金额", 30000),
        ("预算明细 2 · 科目", "人员费用"),
        ("预算明细 2 · 金额", 50000),
        ("是否与其他组织合作", "是"),
        ("合作方名称", "某某街道社区食堂"),
    ]
    blind = flatten_answers(CONTEST_FORM, CONTEST_ANSWERS, include_identifying=False)
    assert not any("联系电话" in header for header in blind)


def test_flatten_many_rows_share_columns() -> None:
    small = {**CONTEST_ANSWERS, "team": CONTEST_ANSWERS["team"][:1], "cooperates": False}
    big = {**CONTEST_ANSWERS, "team": CONTEST_ANSWERS["team"] * 2}
    counts = repeat_counts(CONTEST_FORM, [small, big])
    assert counts == {"team": 4, "budget": 2}
    rows = [flatten_answers(CONTEST_FORM, a, counts) for a in (small, big)]
    assert list(rows[0]) == list(rows[1])
    assert rows[0]["团队成员 4 · 姓名"] is None and rows[1]["团队成员 4 · 姓名"] == "李强"
    assert rows[0]["是否与其他组织合作"] == "否"


def test_flatten_nested_groups_and_duplicate_labels() -> None:
    schema = {
        "type": "object",
        "properties": {
            "stages": {
                "type": "array",
                "title": "阶段",
                "items": {
                    "type": "object",
                    "properties": {
                        "name": {"type": "string", "title": "名称"},
                        "tasks": {
                            "type": "array",
                            "title": "任务",
                            "items": {"type": "object", "properties": {"what": {"type": "string", "title": "内容"}}},
                        },
                    },
                },
            },
            "a": {"type": "string", "title": "备注"},
            "b": {"type": "string", "title": "备注"},
        },
    }
    answers = {
        "stages": [{"name": "筹备", "tasks": [{"what": "招募"}, {"what": "培训"}]}, {"name": "实施"}],
        "a": "一",
        "b": "二",
    }
    assert repeat_counts(schema, [answers]) == {"stages": 2, "stages.*.tasks": 2}
    assert flatten_answers(schema, answers) == {
        "阶段 1 · 名称": "筹备",
        "阶段 1 · 任务 1 · 内容": "招募",
        "阶段 1 · 任务 2 · 内容": "培训",
        "阶段 2 · 名称": "实施",
        "阶段 2 · 任务 1 · 内容": None,
        "阶段 2 · 任务 2 · 内容": None,
        "备注": "一",
        "备注（b）": "二",
    }


def test_display_values() -> None:
    assert display_value(True) == "是" and display_value(None) is None and display_value(3) == 3
    assert display_value(["甲", 2, True]) == "甲、2、是"
    assert display_value({"省": "上海"}) == '{"省": "上海"}'
