"""The application-form templates an officer can start a round's form (表单版本) from in the admin.

Each is a JSON schema the API's ``check_form_schema`` accepts (tests/admin/test_admin_config_forms.py checks them
all); the officer can instead paste a schema of their own, which goes through the same check. The first two are the
demo data's forms (app/site/demo: 项目申报书, 结项评估材料); the admin cannot import app.site, so they live here.
"""

from __future__ import annotations

from typing import Any

CUSTOM_JSON = "自定义（填写下方 JSON）"

FORM_TEMPLATES: dict[str, dict[str, Any]] = {
    "项目申报书（大赛/创投）": {
        "type": "object",
        "required": ["summary", "beneficiaries", "budget_yuan"],
        "properties": {
            "summary": {"type": "string", "title": "项目简介", "minLength": 10, "maxLength": 2000},
            "beneficiaries": {"type": "integer", "title": "预计受益人数", "minimum": 1},
            "budget_yuan": {"type": "number", "title": "申请金额（元）", "minimum": 0, "maximum": 500000},
            "contact_person": {"type": "string", "title": "联系人", "identifying": True},
        },
    },
    "孵化申请表（沪社星耀）": {
        "type": "object",
        "required": ["summary", "team_size", "needs"],
        "properties": {
            "summary": {"type": "string", "title": "机构与项目简介", "minLength": 10, "maxLength": 2000},
            "team_size": {"type": "integer", "title": "专职人员数", "minimum": 0, "maximum": 1000},
            "needs": {"type": "string", "title": "希望获得的支持", "minLength": 2, "maxLength": 1000},
            "contact_person": {"type": "string", "title": "联系人", "identifying": True},
        },
    },
    "结项评估材料": {
        "type": "object",
        "properties": {
            "summary": {"type": "string", "title": "项目简介"},
            "beneficiaries": {"type": "integer", "title": "受益人数"},
            "budget_yuan": {"type": "number", "title": "申请金额（元）"},
            "contact_person": {"type": "string", "title": "联系人", "identifying": True},
            "graduation": {"type": "object", "title": "结项材料"},
        },
    },
}
