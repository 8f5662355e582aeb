"""申报单位 filling in an application: 「开始申报」 from a call (the service of POST /applications), the draft's form
rendered from the round's JSON Schema (app.portal.forms), 「保存草稿」 and the script's autosave (the service of
PATCH /applications/{id}, whose row lock refuses a save that lost the race to a submit), and 「提交」 on to the
summary (app.portal.application_submit)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from litestar import Request, Response, get, post
from litestar.params import FromPath
from litestar.response import Redirect, Template
from pydantic import ValidationError

from app.auth.principal import APPLICANTS, CurrentPrincipal, Principal
from app.auth.tables import Role
from app.errors import DomainError
from app.organisations import service as organisations
from app.paging import PageParams
from app.portal.call_rules import call_rules, precheck_rows, time_left
from app.portal.fields import FieldErrors, pydantic_errors
from app.portal.forms import add_item, error_map, parse_form, remove_item, render_form
from app.portal.forms.render import ADD, REMOVE
from app.portal.frame import beijing, leave_notice, page_opt, render, signed_in
from app.timezone import now_utc
from programmes.applications import service as applications
from programmes.applications.schemas import ApplicationCreate, ApplicationRead, ApplicationUpdate
from programmes.catalogue import service as catalogue
from programmes.catalogue.schemas import RoundRead
from programmes.forms import answer_errors
from programmes.tables import Round
from programmes.workflows import APPLICATION

TITLE = "__title"  # the application's own title (not an answer); "__" never starts a form's property in practice
ACTION = "__action"
START_FIELDS = ("organisation_id", "track_id", "title")
MAX_ORGANISATIONS = 200


async def start_choices(principal: Principal | None) -> list[tuple[int, str]]:
    """The organisations a signed-in applicant may start a draft for (the service of GET /organisations/mine)."""
    if principal is None or principal.role is not Role.applicant:
        return []
    page = await organisations.mine(principal, PageParams(limit=MAX_ORGANISATIONS))
    return [(o.id, o.name) for o in page.items]


async def call_page(
    request: Request[Any, Any, Any],
    call: RoundRead,
    choices: list[tuple[int, str]],
    values: Mapping[str, str] | None = None,
    errors: FieldErrors | None = None,
    status: int = 200,
) -> Template:
    return render(
        request,
        "call.html",
        status=status,
        title=call.name,
        call=call,
        # The call's rules as people need them and, for a signed-in applicant, the eligibility pre-check
        # (app.portal.call_rules).
        time_left=time_left(call.closes_at),
        rules=call_rules(call),
        prechecks=await precheck_rows(signed_in(request), call.id),
        choices=choices,
        values=values or {"title": "", "organisation_id": "", "track_id": ""},
        errors=errors or {},
    )


def _posted_id(text: str) -> int | str | None:
    # A form posts text; the API's Id takes JSON integers only. Anything else goes on for the schema to refuse.
    return int(text) if text.isdigit() and len(text) < 12 else text or None


@post("/calls/{round_id:int}/start", opt=page_opt(APPLICANTS), status_code=303)
async def start_draft(request: Request[Any, Any, Any], principal: CurrentPrincipal, round_id: FromPath[int]) -> Any:
    form = await request.form()
    values = {name: str(form.get(name, "")).strip() for name in START_FIELDS}
    call = await catalogue.open_call(round_id)
    choices = await start_choices(principal)
    if len(choices) == 1 and not values["organisation_id"]:
        values["organisation_id"] = str(choices[0][0])  # the one organisation: the page asks nothing
    try:
        data = ApplicationCreate.model_validate(
            {
                "round_id": round_id,
                "organisation_id": _posted_id(values["organisation_id"]),
                "track_id": _posted_id(values["track_id"]),
                "title": values["title"],
            }
        )
        created = await applications.create_draft(principal, data)  # the service of POST /applications
    except ValidationError as exc:
        return await call_page(request, call, choices, values, pydantic_errors(exc, START_FIELDS), 422)
    except DomainError as error:
        if error.status == 404:
            raise
        errors = {e.field: e.message for e in error.errors if e.field in START_FIELDS} or {"": error.detail}
        return await call_page(request, call, choices, values, errors, error.status)
    response = Redirect(f"/portal/applications/{created.id}/edit", status_code=303)
    leave_notice(response, "申报草稿已创建，请填写申报表")
    return response


async def form_schema(round_id: int) -> dict[str, Any]:
    """The round's current form: the one the submit service validates against."""
    row = (
        await Round.select(Round.form._.json_schema.as_alias("schema"))
        .where(Round.id == round_id)
        .first()
        .output(load_json=True)
    )
    schema = row["schema"] if row else None
    return schema if isinstance(schema, dict) else {"type": "object", "properties": {}}


def edit_page(
    request: Request[Any, Any, Any],
    application: ApplicationRead,
    schema: dict[str, Any],
    answers: Mapping[str, Any],
    *,
    title: str | None = None,
    errors: Mapping[str, str] | None = None,
    message: str = "",
    status: int = 200,
) -> Template:
    errors = dict(errors or {})
    title_error = errors.pop(TITLE, "")
    return render(
        request,
        "applications/edit.html",
        status=status,
        title=f"填写申报表 · {application.title}",
        application=application,
        application_title=application.title if title is None else title,
        title_field=TITLE,
        title_error=title_error,
        action_field=ACTION,
        form_html=render_form(schema, answers, errors),
        message=message,
    )


async def editable(principal: Principal, application_id: int) -> ApplicationRead:
    """The caller's draft, or the service's refusal: another organisation's is the 404 page, a submitted one the
    conflict the autosave service would answer."""
    application = await applications.read_for(principal, application_id)
    if not APPLICATION.has(application.status, "applicant_edits"):
        raise DomainError("application_not_editable", "申报已提交，不能再修改", 409)
    return application


@get("/applications/{application_id:int}/edit", opt=page_opt(APPLICANTS))
async def edit_form(
    request: Request[Any, Any, Any], principal: CurrentPrincipal, application_id: FromPath[int]
) -> Template:
    application = await editable(principal, application_id)
    return edit_page(request, application, await form_schema(application.round_id), application.answers)


async def _posted(request: Request[Any, Any, Any], schema: dict[str, Any]) -> tuple[dict[str, Any], str, Any]:
    form = await request.form()
    pairs = list(form.multi_items())
    removed = form.get(REMOVE)
    if isinstance(removed, str) and removed:
        pairs = remove_item(pairs, removed)
    answers = parse_form(schema, pairs)
    added = form.get(ADD)
    if isinstance(added, str) and added:
        add_item(answers, added)
    return answers, str(form.get(TITLE, "")).strip(), form


async def _save(principal: Principal, application_id: int, title: str, answers: dict[str, Any]) -> ApplicationRead:
    data = ApplicationUpdate.model_validate({"title": title, "answers": answers})
    return await applications.update_draft(principal, application_id, data)  # the service of PATCH


def _save_errors(error: DomainError | ValidationError) -> dict[str, str]:
    if isinstance(error, ValidationError):
        found = pydantic_errors(error, ("title",))
        return {TITLE if key == "title" else "": message for key, message in found.items()}
    return error_map(error.errors) if error.errors else {"": error.detail}


@post("/applications/{application_id:int}/edit", opt=page_opt(APPLICANTS), status_code=303)
async def edit_submit(
    request: Request[Any, Any, Any], principal: CurrentPrincipal, application_id: FromPath[int]
) -> Response[Any]:
    application = await editable(principal, application_id)
    schema = await form_schema(application.round_id)
    answers, title, form = await _posted(request, schema)
    if form.get(ADD) or form.get(REMOVE):
        # The no-JS 添加/删除: the same page again with one item more or less; nothing is saved until the applicant
        # saves, so a half-filled item never reaches the draft by itself.
        message = "已添加一项，填写后请保存草稿" if form.get(ADD) else "已删除该项，保存草稿后生效"
        return edit_page(request, application, schema, answers, title=title, message=message)
    try:
        await _save(principal, application_id, title, answers)
    except (ValidationError, DomainError) as error:
        if isinstance(error, DomainError) and error.status in (404, 409):
            raise  # gone, or no longer editable (submitted meanwhile, deadline passed): the error page says which
        status = 422 if isinstance(error, ValidationError) else error.status
        return edit_page(request, application, schema, answers, title=title, errors=_save_errors(error), status=status)
    if form.get(ACTION) == "submit":
        # The submit service's own validator, run before the summary so each problem shows next to its field.
        problems = error_map(answer_errors(schema, answers))
        if problems:
            return edit_page(
                request,
                application,
                schema,
                answers,
                title=title,
                errors=problems,
                message="草稿已保存；提交前请先修改以下内容",
                status=422,
            )
        return Redirect(f"/portal/applications/{application_id}/summary", status_code=303)
    response = Redirect(f"/portal/applications/{application_id}/edit", status_code=303)
    leave_notice(response, f"草稿已保存（{beijing(now_utc())[-5:]}）")
    return response


@post("/applications/{application_id:int}/autosave", opt=page_opt(APPLICANTS), status_code=200)
async def autosave(
    request: Request[Any, Any, Any], principal: CurrentPrincipal, application_id: FromPath[int]
) -> Response[dict[str, str]]:
    """The script's autosave: a tiny JSON status. A refusal (409: submitted in another tab, deadline passed) says so
    and writes nothing, so it can never overwrite the submitted answers."""
    try:
        application = await applications.read_for(principal, application_id)
        schema = await form_schema(application.round_id)
        answers, title, _ = await _posted(request, schema)
        await _save(principal, application_id, title, answers)
    except ValidationError as exc:
        message = next(iter(_save_errors(exc).values()), "填写有误")
        return Response({"message": f"未能自动保存：{message}"}, status_code=422)
    except DomainError as error:
        detail = "页面或记录不存在，或不在您的访问范围内" if error.status == 404 else error.detail
        return Response({"message": f"未能自动保存：{detail}"}, status_code=error.status)
    return Response({"message": f"已自动保存 {beijing(now_utc())[-5:]}"}, status_code=200)


APPLICATION_FORM_PAGES = [start_draft, edit_form, edit_submit, autosave]
