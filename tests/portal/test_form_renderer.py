"""The portal's form renderer (app.portal.forms): every widget, repeatable groups, conditional fields, errors, and the
round trip parse(render(answers)) == answers that makes a page post exactly what a JSON client sends."""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path

from app.portal.forms import add_item, error_map, parse_form, remove_item, render_form
from programmes.forms import answer_errors, check_form_schema
from tests.factories.forms import WIDGET_ANSWERS, WIDGET_FORM, posted, sixty_field_answers, sixty_field_form

CONTEST_FORM = json.loads((Path(__file__).parents[2] / "docs" / "examples" / "contest-form.json").read_text())


def _tag(html: str, name: str) -> str:
    """The opening tag of the control named ``name`` (the first one)."""
    match = re.search(rf'<(?:input|select|textarea)(?=[^>]*name="{re.escape(name)}")[^>]*>', html)
    assert match, name
    return match.group(0)


def test_the_widget_form_is_a_valid_form_and_its_answers_are_valid() -> None:
    check_form_schema(WIDGET_FORM)
    assert answer_errors(WIDGET_FORM, WIDGET_ANSWERS) == []


def test_answers_survive_a_round_trip_through_the_page() -> None:
    for schema, answers in ((WIDGET_FORM, WIDGET_ANSWERS), (sixty_field_form(), sixty_field_answers())):
        html = render_form(schema, answers)
        assert parse_form(schema, posted(html)) == answers


def test_the_contest_example_round_trips() -> None:
    answers = {
        "project_name": "银龄助餐·社区食堂",
        "summary": "为社区独居和高龄老人提供助餐、送餐与陪伴服务，联动街道食堂和志愿者队伍。",
        "target_groups": ["老年人"],
        "beneficiaries": 320,
        "team": [{"name": "王小梅", "role": "项目负责人", "phone": "13912345678"}],
        "budget": [{"subject": "活动费用", "amount": 30000}],
        "cooperates": False,
    }
    assert parse_form(CONTEST_FORM, posted(render_form(CONTEST_FORM, answers))) == answers


def test_each_widget_gets_its_input_type_inputmode_and_autocomplete() -> None:
    html = render_form(WIDGET_FORM, WIDGET_ANSWERS)
    assert 'type="text"' in _tag(html, "project_name") and 'placeholder="如：银龄助餐"' in _tag(html, "project_name")
    assert 'rows="4"' in _tag(html, "summary")
    number = _tag(html, "beneficiaries")
    assert 'type="number"' in number and 'inputmode="numeric"' in number and 'step="1"' in number
    money = _tag(html, "budget_total")
    assert 'inputmode="decimal"' in money and 'value="12345.50"' in money
    assert '<span class="unit">元</span>' in html and '<span class="unit">人</span>' in html
    assert '<option value="长宁区" selected>长宁区</option>' in html
    assert 'type="radio" name="cooperates" value="true" checked' in html and "> 否</label>" in html
    assert '<input type="hidden" name="consent" value="false">' in html  # an unticked box posts "false"
    assert 'type="checkbox" name="target_groups" value="老年人" checked' in html
    assert 'type="date"' in _tag(html, "start_date")
    email, phone, url = _tag(html, "email"), _tag(html, "phone"), _tag(html, "website")
    assert 'type="email"' in email and 'autocomplete="email"' in email
    assert 'type="tel"' in phone and 'inputmode="tel"' in phone and 'autocomplete="tel"' in phone
    assert 'type="url"' in url and 'inputmode="url"' in url
    assert '<label for="f-contact-name">姓名' in html  # a nested object is a framed section of labelled fields


def test_labels_help_required_markers_identifying_and_order_come_from_the_form() -> None:
    html = render_form(WIDGET_FORM, {})
    assert '<label for="f-project_name">项目名称<span class="required"' in html
    assert 'aria-required="true"' in _tag(html, "project_name")
    assert 'aria-required="true"' not in _tag(html, "email")
    assert '<small class="hint" id="f-summary-hint">说明要解决的社区问题。</small>' in html
    assert 'aria-describedby="f-summary-hint"' in _tag(html, "summary")
    assert "匿名评审时不向评审专家展示此项" in html.split('name="phone"')[1].split("</div>")[0]
    names = [m for m in re.findall(r'name="([^"]+)"', html) if "__i" not in m and "." not in m]
    order = list(dict.fromkeys(names))
    assert order[:6] == ["project_name", "summary", "beneficiaries", "budget_total", "district", "cooperates"]


def test_a_repeatable_group_adds_and_removes_items_without_javascript() -> None:
    html = render_form(WIDGET_FORM, WIDGET_ANSWERS)
    assert '<button type="submit" class="secondary" name="__add" value="team" data-add formnovalidate>添加成员' in html
    assert 'name="__remove" value="team.1"' in html
    assert 'name="team.__i0__.name"' in html.split("<template>")[1]  # the script's copy for a new item
    answers = add_item(copy.deepcopy(WIDGET_ANSWERS), "team")
    again = render_form(WIDGET_FORM, answers)
    assert 'name="team.2.name"' in again and "团队成员 3" in again
    kept = parse_form(WIDGET_FORM, remove_item(posted(html), "team.0"))
    assert kept["team"] == [{"name": "李强"}]
    # Items the script removed leave gaps in the indices; parsing closes them up in page order.
    gapped = [("team.4.name", "乙"), ("team.0.name", "甲"), ("team.9.age", "")]
    assert parse_form(WIDGET_FORM, gapped)["team"] == [{"name": "甲"}, {"name": "乙"}]


def test_a_group_never_answered_starts_with_one_item_and_nested_groups_have_their_own_placeholder() -> None:
    html = render_form(WIDGET_FORM, {})
    assert 'name="team.0.name"' in html and 'name="team.1.name"' not in html
    nested = {
        "type": "object",
        "properties": {
            "stages": {
                "type": "array",
                "title": "阶段",
                "items": {
                    "type": "object",
                    "properties": {
                        "tasks": {
                            "type": "array",
                            "title": "任务",
                            "items": {"type": "object", "properties": {"what": {"type": "string", "title": "内容"}}},
                        }
                    },
                },
            }
        },
    }
    answers = {"stages": [{"tasks": [{"what": "走访"}, {"what": "活动"}]}, {"tasks": [{"what": "总结"}]}]}
    page = render_form(nested, answers)
    assert 'name="stages.1.tasks.0.what"' in page and 'name="stages.__i0__.tasks.0.what"' in page
    assert 'name="stages.0.tasks.__i1__.what"' in page
    assert parse_form(nested, posted(page)) == answers


def test_a_conditional_field_is_marked_for_the_script_and_shown_without_it() -> None:
    html = render_form(WIDGET_FORM, {})
    wrapper = re.search(r'<div class="conditional" ([^>]*)>(?=<div class="field"><label for="f-partner_name")', html)
    assert wrapper, html
    assert 'data-show-field="cooperates"' in wrapper.group(
        1
    ) and 'data-show-values="[&#34;true&#34;]"' in wrapper.group(1)
    assert "hidden" not in wrapper.group(1)
    contest = render_form(CONTEST_FORM, {})
    assert 'data-show-field="cooperates"' in contest


def test_parsing_gives_what_a_json_client_sends() -> None:
    pairs = [
        ("csrf_token", "x"),
        ("project_name", "  银龄  "),
        ("summary", ""),
        ("beneficiaries", "abc"),
        ("budget_total", "1,234.50"),
        ("consent", "false"),
        ("cooperates", "false"),
        ("district", ""),
        ("contact.name", ""),
        ("team.0.name", ""),
        ("team.0.age", "17"),
        ("__add", "team"),
    ]
    answers = parse_form(WIDGET_FORM, pairs)
    assert answers == {
        "project_name": "银龄",
        "beneficiaries": "abc",  # left as typed, for the validator to name
        "budget_total": 1234.5,
        "consent": False,
        "cooperates": False,
        "team": [{"age": 17}],
    }
    messages = {e.field: e.message for e in answer_errors(WIDGET_FORM, answers)}
    assert messages["answers.beneficiaries"] == "受益人数：应为整数"
    assert messages["answers.team.0.name"] == "团队成员 1 · 姓名：此项为必填项"


def test_the_validators_errors_show_under_their_fields_and_in_a_summary() -> None:
    answers = {"cooperates": True, "team": [{"name": "甲"}, {"age": 3}]}
    errors = error_map(answer_errors(WIDGET_FORM, answers))
    errors[""] = "错误较多"
    html = render_form(WIDGET_FORM, answers, errors)
    assert html.startswith('<div class="error-summary" role="alert"')
    assert '<a href="#f-team-1-name">团队成员 2 · 姓名：此项为必填项</a>' in html
    assert '<a href="#f-partner_name">合作方名称：此项为必填项</a>' in html
    assert "<li>错误较多</li>" in html
    field = _tag(html, "team.1.age")
    assert 'aria-invalid="true"' in field and 'aria-describedby="f-team-1-age-error"' in field
    assert '<p class="error field-error" id="f-team-1-age-error">团队成员 2 · 年龄：不能小于 16</p>' in html


def test_labels_and_answers_are_escaped() -> None:
    schema = {"type": "object", "properties": {"x": {"type": "string", "title": "<b>标题</b>"}}}
    html = render_form(schema, {"x": '"><script>alert(1)</script>'})
    assert "<script>" not in html and "<b>" not in html and "&lt;b&gt;标题" in html
