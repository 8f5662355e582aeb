"""Dropdowns for the admin's forms (issue 16): fixed values with Chinese labels, and objects picked from the
officer's own scope instead of typed ids (docs/adr/0018-admin-form-pickers.md).

Piccolo Admin 1.14 builds a form from its model's JSON schema once per model and its form view passes no
``choices`` to its inputs, so two small extensions:

- ``form_pickers`` wraps the admin's ASGI app: ``GET /api/forms/<slug>/schema/`` is answered here for a staff
  session, with each ``x-pick`` field's ``extra.choices`` filled for *this* officer (app.admin.pick_lists: in scope,
  newest first, bounded); a form POST is validated with the form's model first, so a bad or unknown value is refused
  with the API's zh-CN message (Piccolo would show pydantic's English);
- ``with_form_pickers`` adds one script to Piccolo's page (its ``template``), which turns every schema field that
  carries ``extra.choices`` into a ``<select>`` feeding Piccolo's own input (app/admin/static/form-pickers.js).

The choices are an aid, not a rule: the submitted value still goes through the form's model and the service, so an
id typed or posted by hand outside the officer's scope gets the service's uniform refusal.
"""

from __future__ import annotations

import hmac
import json
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from piccolo_admin.endpoints import FormConfig
from pydantic import Field, ValidationError
from starlette.datastructures import Headers
from starlette.requests import cookie_parser
from starlette.responses import JSONResponse, Response

from app.admin.pick_lists import PICK_LISTS
from app.admin.scope import principal_from_session
from app.organisations.kinds import EvaluationGrade
from app.reference import DISTRICT_NAMES_ZH
from app.validation_messages import pydantic_error

PICK_KEY = "x-pick"
SCRIPT_PATH = "form-pickers.js"
_SCRIPT = (Path(__file__).with_name("static") / SCRIPT_PATH).read_text(encoding="utf-8")
_SCHEMA = re.compile(r"^(?:/admin)?/api/forms/(?P<slug>[^/]+)/schema/?$")
_POST = re.compile(r"^(?:/admin)?/api/forms/(?P<slug>[^/]+)/?$")
# Litestar's mount hands the admin the path with a trailing slash added.
_SCRIPT_URL = re.compile(rf"^(?:/admin)?/{re.escape(SCRIPT_PATH)}/?$")
_MAX_BODY = 1_000_000  # far above any form (12,000-character id lists); the app's own body limits still apply


# Fixed value sets several forms offer, code → label (the code is what is posted and validated).
DISTRICT_LABELS: dict[str, str] = {district.value: name for district, name in DISTRICT_NAMES_ZH.items()}
CITY_OR_DISTRICT: dict[str, str] = {"": "市级（不限区）", **DISTRICT_LABELS}
GRADE_LABELS: dict[str, str] = {
    grade.value: "无等级" if grade is EvaluationGrade.none else grade.value for grade in EvaluationGrade
}
KEEP_LABEL = {"": "不变"}


def _choices(pairs: Mapping[Any, str]) -> dict[str, dict[str, Any]]:
    """Piccolo's ``extra.choices`` shape (what its table views already read): key → {display_name, value}.

    Keyed by value, never by label (two rounds may share a name), and never by a bare number: a browser orders
    integer-like object keys numerically, which would undo the newest-first order."""
    return {f"_{value}": {"display_name": label, "value": value} for value, label in pairs.items()}


def labelled(
    labels: Mapping[str, str], *, title: str, description: str = "", default: Any = ..., text: bool = False
) -> Any:
    """A fixed-value field shown as a dropdown of Chinese labels; it submits the code. A ``Literal``/enum field is
    checked by its type; a ``text`` field (``str``, checked by the handler or the API's schema) gets a length bound."""
    extra: dict[str, Any] = {"extra": {"choices": _choices(labels)}}
    # No longer than the longest code: the bound is what the column holds (a code is all the handler accepts).
    bound = max((len(code) for code in labels), default=1) if text else None
    return Field(default, title=title, description=description or None, json_schema_extra=extra, max_length=bound)


def picked(
    kind: str, *, title: str, description: str = "", optional: bool = False, max_length: int | None = None
) -> Any:
    """An id field filled with the officer's objects of ``kind`` (a key of ``PICK_LISTS``) when the form opens.
    ``max_length`` for a ``str`` field whose handler also takes a name (the id arrives as its digits)."""
    if kind not in PICK_LISTS:
        raise KeyError(f"no pick list {kind!r}")
    extra: dict[str, Any] = {PICK_KEY: kind}
    return Field(
        None if optional else ...,
        title=title,
        description=description or None,
        json_schema_extra=extra,
        max_length=max_length,
    )


async def schema_for(form: FormConfig, principal: Any) -> dict[str, Any]:
    """The form's JSON schema with each picked field's choices for ``principal`` (one query per picked field)."""
    schema: dict[str, Any] = form.pydantic_model.model_json_schema()
    for prop in schema.get("properties", {}).values():
        kind = prop.get(PICK_KEY)
        if kind:
            pairs = await PICK_LISTS[kind](principal)
            prop.setdefault("extra", {})["choices"] = _choices(dict(pairs))
    return schema


async def _body(receive: Any) -> bytes | None:
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] != "http.request":
            return None
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > _MAX_BODY:
            return None
        chunks.append(chunk)
        if not message.get("more_body"):
            return b"".join(chunks)


def _replay(body: bytes) -> Any:
    sent = False

    async def receive() -> dict[str, Any]:
        nonlocal sent
        if sent:
            return {"type": "http.disconnect"}
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    return receive


def csrf_header_ok(scope: dict[str, Any]) -> bool:
    """Piccolo's double submit (header equals cookie), checked here too so a refusal never answers a forged POST."""
    headers = Headers(scope=scope)
    cookie = cookie_parser(headers.get("cookie", "")).get("csrftoken", "")
    return bool(cookie) and hmac.compare_digest(cookie, headers.get("x-csrftoken", ""))


def _refusal(form: FormConfig, body: bytes) -> Response | None:
    """A Chinese 422 if the body does not fit the form's model; None lets Piccolo (and the handler) run."""
    try:
        data = json.loads(body)
    except (ValueError, RecursionError):
        return None  # Piccolo's own answer (and the app's JSON limits) for a body that is not JSON
    if not isinstance(data, dict):
        return None
    try:
        form.pydantic_model.model_validate(data)
    except ValidationError as exc:
        return JSONResponse({"custom_form_error": form_message(form, exc)}, status_code=422)
    return None


def form_message(form: FormConfig, exc: ValidationError) -> str:
    """Each error named by the field's title as the officer reads it (「支付批次：应为整数」); a value outside a
    dropdown is told to pick from it rather than shown a list of codes."""
    fields = form.pydantic_model.model_fields
    parts = []
    for error in exc.errors():
        name = str(error["loc"][0]) if error.get("loc") else ""
        field = fields.get(name)
        extra = field.json_schema_extra if field is not None and isinstance(field.json_schema_extra, dict) else {}
        title = (field.title if field is not None else None) or name or "表单"
        if error["type"] in ("literal_error", "enum") or (PICK_KEY in extra and error["type"] != "missing"):
            message = "请从下拉列表中选择"
        else:
            message = pydantic_error(error)["message"]
        parts.append(f"{title}：{message}")
    return "；".join(parts)


def form_pickers(admin_app: Any, forms: list[FormConfig]) -> Any:
    """Wrap the admin app: per-officer choices in the form schemas, Chinese refusals of bad form bodies, the
    script. Anything without a staff session goes on to Piccolo, which refuses it as before."""
    by_slug = {form.slug: form for form in forms}

    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        path = scope.get("path", "") if scope["type"] == "http" else ""
        method = scope.get("method")
        if method == "GET" and _SCRIPT_URL.match(path):
            script = Response(_SCRIPT, media_type="text/javascript", headers={"Cache-Control": "no-cache"})
            await script(scope, receive, send)
            return
        schema_match = _SCHEMA.match(path) if method == "GET" else None
        post_match = _POST.match(path) if method == "POST" else None
        match = schema_match or post_match
        form = by_slug.get(match["slug"]) if match else None
        principal = await principal_from_session(scope) if form else None
        if form is None or principal is None or not principal.is_staff:
            await admin_app(scope, receive, send)
            return
        if schema_match:
            await JSONResponse(await schema_for(form, principal))(scope, receive, send)
            return
        if not csrf_header_ok(scope):
            await admin_app(scope, receive, send)  # Piccolo's CSRF middleware refuses it, as before
            return
        body = await _body(receive)
        if body is None:
            await JSONResponse({"custom_form_error": "提交的内容过大"}, status_code=413)(scope, receive, send)
            return
        refusal = _refusal(form, body)
        if refusal is not None:
            await refusal(scope, receive, send)
            return
        await admin_app(scope, _replay(body), send)

    return app


def with_form_pickers(template: str) -> str:
    """Piccolo's page with the pickers' script after its own bundle (relative, like the bundle's own URL)."""
    tag = f'<script defer src="./{SCRIPT_PATH}"></script>'
    return template.replace("</head>", f"  {tag}\n</head>", 1)
