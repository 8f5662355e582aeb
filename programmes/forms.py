"""Application forms are JSON Schema (draft 2020-12); answers are validated server-side with zh-CN messages."""

from __future__ import annotations

from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import SchemaError, ValidationError

from app.errors import DomainError, FieldError

_MESSAGES_ZH = {
    "required": "此项为必填项",
    "type": "类型不正确",
    "minLength": "内容过短",
    "maxLength": "内容过长",
    "minimum": "数值过小",
    "maximum": "数值过大",
    "exclusiveMinimum": "数值过小",
    "exclusiveMaximum": "数值过大",
    "enum": "取值不在可选范围内",
    "const": "取值不正确",
    "pattern": "格式不正确",
    "format": "格式不正确",
    "minItems": "条目过少",
    "maxItems": "条目过多",
    "additionalProperties": "包含表单未定义的字段",
    "unevaluatedProperties": "包含表单未定义的字段",
}


def check_form_schema(schema: dict[str, Any]) -> None:
    """Officers upload forms; refuse a schema that is not valid draft 2020-12 or not an object form."""
    try:
        Draft202012Validator.check_schema(schema)
    except SchemaError as exc:
        raise DomainError(
            "form_schema_invalid",
            f"表单定义不是有效的 JSON Schema：{exc.message}",
            422,
            [FieldError("form_schema", "form_schema_invalid", "表单定义不是有效的 JSON Schema")],
        ) from exc
    if schema.get("type") != "object":
        raise DomainError(
            "form_schema_invalid",
            "表单定义的顶层必须是 object",
            422,
            [FieldError("form_schema", "form_schema_invalid", "表单定义的顶层必须是 object")],
        )


def answer_errors(schema: dict[str, Any], answers: dict[str, Any]) -> list[FieldError]:
    validator = Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)
    errors = sorted(validator.iter_errors(answers), key=lambda e: (list(map(str, e.absolute_path)), e.validator))
    return [field_error for error in errors for field_error in _field_errors(error)]


def validate_answers(schema: dict[str, Any], answers: dict[str, Any]) -> None:
    errors = answer_errors(schema, answers)
    if errors:
        raise DomainError("form_answers_invalid", "申报表填写不完整或有误，请按提示修改", 422, errors)


def _field_errors(error: ValidationError) -> list[FieldError]:
    path = [str(part) for part in error.absolute_path]
    keyword = str(error.validator)
    if keyword == "required" and isinstance(error.instance, dict):
        # jsonschema reports missing properties on their parent; name each missing property instead.
        required = error.validator_value if isinstance(error.validator_value, list) else []
        missing = [str(name) for name in required if name not in error.instance]
        return [_field_error(error.schema, [*path, name], keyword) for name in missing]
    return [_field_error(error.schema, path, keyword)]


def _field_error(schema: Any, path: list[str], keyword: str) -> FieldError:
    label = _label(schema, path)
    message = _MESSAGES_ZH.get(keyword, "填写不正确")
    if label:
        message = f"{label}：{message}"
    return FieldError("answers." + ".".join(path) if path else "answers", f"form_{keyword}", message)


def _label(schema: Any, path: list[str]) -> str:
    if isinstance(schema, dict) and path:
        prop = schema.get("properties", {}).get(path[-1])
        if isinstance(prop, dict):
            return str(prop.get("title", ""))
    if isinstance(schema, dict):
        return str(schema.get("title", ""))
    return ""
