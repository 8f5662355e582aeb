"""申报单位 pages: registering an organisation account, changing the password, and the organisation's own
applications with their timelines. Each calls the service its API route calls, with the session's principal."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from litestar import Request, Response, get, post
from litestar.params import FromPath
from litestar.response import Redirect, Template
from pydantic import BaseModel, ValidationError

from app.auth import passwords, service
from app.auth.principal import ANY_USER, APPLICANTS, PUBLIC, CurrentPrincipal
from app.auth.rate_limit import check_identities, client_address
from app.auth.schemas import PasswordChange
from app.errors import DomainError
from app.organisations import credit_code
from app.organisations import service as organisations
from app.organisations.registry_import import TYPE_NAMES
from app.organisations.schemas import OrganisationRegistration
from app.organisations.tables import REGISTERED_TYPES, OrganisationType
from app.paging import Paging
from app.portal.fields import FieldErrors, domain_errors, form_values, next_offset, pydantic_errors
from app.portal.frame import leave_notice, page_opt, render, signed_in
from app.portal.places import district_choices, district_of, places, streets_by_district
from app.portal.session import SESSION_COOKIE, cookie_options, session_max_age
from app.settings import get_settings
from programmes.applications import service as applications
from programmes.applications import timeline as timelines
from programmes.applications.schemas import ApplicationRead
from programmes.tables import ProgrammeKind, Round
from programmes.workflows import APPLICATION, APPLICATION_WORKFLOWS

REGISTER_FIELDS = (
    "org_type",
    "credit_code",
    "name",
    "district",
    "street",
    "custodian_id",
    "username",
    "password",
    "email",
    "mobile",
)
PASSWORD_FIELDS = ("old_password", "new_password")
FILED_GROUP = OrganisationType.filed_community_group.value


async def _register_page(
    request: Request[Any, Any, Any], values: Mapping[str, str], errors: FieldErrors, status: int = 200
) -> Template:
    chosen = await places(district_of(values["district"]))
    return render(
        request,
        "organisations/register.html",
        status=status,
        title="申报单位注册",
        values=values,
        errors=errors,
        types=list(TYPE_NAMES.items()),
        districts=district_choices(),
        streets=[(street, street) for street in chosen.streets],
        centres=[(str(c.id), f"{c.name}（{c.street}）") for c in chosen.centres_in(values["street"])],
        filed_group=FILED_GROUP,
        # What app/portal/static/register.js needs: the check's alphabet, weights and messages from the server's own
        # module (the same algorithm, never a second copy of its constants), and the lists it refills.
        script_data={
            "creditCode": {
                "alphabet": credit_code.ALPHABET,
                "weights": credit_code.WEIGHTS,
                "messages": credit_code.MESSAGES,
                "authority": credit_code.CIVIL_AFFAIRS,
                "typeCharacters": credit_code.TYPE_CHARACTER,
                "typeNames": credit_code.TYPE_NAMES_ZH,
                "otherType": credit_code.OTHER_TYPE_ZH,
            },
            "registeredTypes": sorted(t.value for t in REGISTERED_TYPES),
            "filedGroup": FILED_GROUP,
            "streets": streets_by_district(),
            "centres": [c.model_dump(mode="json") for c in chosen.centres],
        },
    )


@get("/register", opt=page_opt(PUBLIC))
async def register_page(request: Request[Any, Any, Any]) -> Template | Redirect:
    if signed_in(request) is not None:
        return Redirect("/portal/", status_code=303)
    return await _register_page(request, dict.fromkeys(REGISTER_FIELDS, ""), {})


def _registration(values: Mapping[str, str]) -> dict[str, Any]:
    """The posted form as the JSON body POST /organisations/register takes: empty optional fields as absent."""
    body: dict[str, Any] = {**values, "credit_code": values["credit_code"] or None}
    custodian = values["custodian_id"]
    body["custodian_id"] = int(custodian) if custodian.isascii() and custodian.isdigit() else (custodian or None)
    return body


@post("/register", opt=page_opt(PUBLIC), status_code=303)
async def register_submit(request: Request[Any, Any, Any]) -> Response[Any]:
    form = await request.form()
    values = form_values(form, REGISTER_FIELDS)
    if form.get("refresh"):
        # Without the page's script: the type and district chosen refill the street and custodian lists.
        return await _register_page(request, {**values, "password": ""}, {})
    settings = get_settings()
    try:
        # The API's rule "register" in the same Redis keys (per address, per username): the page and
        # POST /organisations/register count together.
        limits = [("ip", client_address(request.scope, settings), settings.rate_limit_register_per_ip)]
        if values["username"]:  # as the API: no username, no per-username count
            limits.append(("id", values["username"].lower(), settings.rate_limit_register_per_username))
        await check_identities("register", limits)
        data = OrganisationRegistration.model_validate(_registration(values))
        await organisations.register(data)  # the service of POST /organisations/register
        session = (await service.login(data.username, data.password)).refresh_token
    except ValidationError as exc:
        return await _register_page(request, values, pydantic_errors(exc, REGISTER_FIELDS), 422)
    except DomainError as error:
        page = await _register_page(request, values, domain_errors(error, REGISTER_FIELDS), error.status)
        page.headers.update(error.headers)
        return page
    response = Redirect("/portal/", status_code=303)
    response.set_cookie(SESSION_COOKIE, session, **cookie_options(max_age=session_max_age()))
    leave_notice(response, f"注册成功，欢迎{data.name}")
    return response


def _password_page(request: Request[Any, Any, Any], errors: FieldErrors, status: int = 200) -> Template:
    return render(request, "organisations/password.html", status=status, title="修改密码", errors=errors)


@get("/password", opt=page_opt(ANY_USER))
async def password_page(request: Request[Any, Any, Any]) -> Template:
    return _password_page(request, {})


@post("/password", opt=page_opt(ANY_USER), status_code=303)
async def password_submit(request: Request[Any, Any, Any], principal: CurrentPrincipal) -> Response[Any]:
    form = await request.form()
    try:
        data = PasswordChange.model_validate({name: str(form.get(name, "")) for name in PASSWORD_FIELDS})
        # The service of POST /auth/password: other sessions end; the fresh pair keeps this one.
        pair = await passwords.change_password(principal, data.old_password, data.new_password)
    except ValidationError as exc:
        return _password_page(request, pydantic_errors(exc, PASSWORD_FIELDS), 422)
    except DomainError as error:
        return _password_page(request, domain_errors(error, PASSWORD_FIELDS), error.status)
    response = Redirect("/portal/", status_code=303)
    response.set_cookie(SESSION_COOKIE, pair.refresh_token, **cookie_options(max_age=session_max_age()))
    leave_notice(response, "密码已修改，其他设备上的登录已退出")
    return response


class RoundName(BaseModel):
    name: str
    kind: ProgrammeKind


async def _round_names(round_ids: Iterable[int]) -> dict[int, RoundName]:
    """「项目 · 轮次」 and the programme's kind (which names the statuses) for these rounds, in one query."""
    ids = sorted(set(round_ids))
    if not ids:
        return {}
    rows = await Round.select(
        Round.id,
        Round.name,
        Round.edition._.programme._.name.as_alias("programme"),
        Round.edition._.programme._.kind.as_alias("kind"),
    ).where(Round.id.is_in(ids))
    return {
        int(row["id"]): RoundName(name=f"{row['programme']} · {row['name']}", kind=ProgrammeKind(row["kind"]))
        for row in rows
    }


def status_zh(kind: ProgrammeKind | None, status: str) -> str:
    """A status as the application's own kind names it (「已立项资助」 in a contest, 「已签约资助」 in 沪社星耀)."""
    if kind is not None and status in APPLICATION_WORKFLOWS[kind].states:
        return APPLICATION_WORKFLOWS[kind].states[status]
    return next((w.states[status] for w in APPLICATION_WORKFLOWS.values() if status in w.states), status)


@get("/applications", opt=page_opt(APPLICANTS))
async def my_applications(request: Request[Any, Any, Any], principal: CurrentPrincipal, paging: Paging) -> Template:
    page = await applications.list_mine(principal, paging)  # the service of GET /applications/mine
    rounds = await _round_names(a.round_id for a in page.items)
    rows = [
        {
            "application": a,
            "round": rounds[a.round_id].name if a.round_id in rounds else "—",
            "status": status_zh(rounds[a.round_id].kind if a.round_id in rounds else None, a.status),
        }
        for a in page.items
    ]
    return render(
        request,
        "organisations/applications.html",
        title="我的申报",
        rows=rows,
        total=page.total,
        next_offset=next_offset(paging, page.has_more),
        limit=paging.limit,
    )


@get("/applications/{application_id:int}", opt=page_opt(APPLICANTS))
async def application_detail(
    request: Request[Any, Any, Any], principal: CurrentPrincipal, application_id: FromPath[int], paging: Paging
) -> Template:
    # The API's read and timeline: another organisation's application is a 404 (the portal's uniform page).
    application = await applications.read_for(principal, application_id)
    entries = await timelines.timeline(principal, application_id, paging)
    round_name = (await _round_names([application.round_id])).get(application.round_id)
    kind = round_name.kind if round_name else None
    return render(
        request,
        "organisations/application.html",
        title=application.title,
        application=application,
        round=round_name.name if round_name else "—",
        status_text=status_zh(kind, application.status),
        actions=applicant_actions(kind, application.status),
        screening=screening_text(application),
        entries=[
            {
                "entry": e,
                "before": status_zh(kind, e.status_before) if e.status_before else "",
                "after": status_zh(kind, e.status_after) if e.status_after else "",
            }
            for e in entries.items
        ],
        next_offset=next_offset(paging, entries.has_more),
        limit=paging.limit,
    )


def applicant_actions(kind: ProgrammeKind | None, status: str) -> dict[str, bool]:
    """Which of 填写/提交/撤回 the application's state offers its applicant, as its workflow says."""
    workflow = APPLICATION_WORKFLOWS[kind] if kind is not None else None
    return {
        "edit": APPLICATION.has(status, "applicant_edits"),
        "withdraw": workflow is not None and workflow.permits(status, "withdraw", "applicant")[0],
    }


SCREENING_ZH = {"eligible": "符合申报条件", "ineligible": "不符合申报条件", "overridden": "项目官员已复核"}


def screening_text(application: ApplicationRead) -> dict[str, Any] | None:
    """The eligibility screening the submit service recorded (资格审查), in Chinese; None before any screening."""
    if application.eligibility_outcome not in SCREENING_ZH:
        return None
    findings = (application.eligibility or {}).get("findings", [])
    reasons = [str(f.get("reason", "")) for f in findings if isinstance(f, dict) and f.get("reason")]
    return {"outcome": SCREENING_ZH[application.eligibility_outcome], "reasons": reasons}


ORGANISATION_PAGES = [
    register_page,
    register_submit,
    password_page,
    password_submit,
    my_applications,
    application_detail,
]
