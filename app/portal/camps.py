"""训练营 pages for organisations: the announced camps, one camp with its sessions and materials, registering named
participants (a seat or a place on the wait list), the organisation's registrations, and cancelling one. Each page
calls the service of the matching /camps route with the session's principal, so the audience rules, the seats, the
wait list and every refusal are the API's; check-in and certificates are in ``app.portal.camp_checkin``."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

from litestar import Request, Response, get, post
from litestar.params import FromPath
from litestar.response import Redirect, Stream, Template
from pydantic import BaseModel, ValidationError

from app.auth.principal import APPLICANTS, CurrentPrincipal, Principal
from app.errors import DomainError
from app.organisations.membership import acting_organisation_ids
from app.organisations.tables import Organisation
from app.paging import MAX_LIMIT, PageParams, Paging
from app.portal.fields import FieldErrors, next_offset
from app.portal.frame import leave_notice, page_opt, render
from app.settings import get_settings
from app.validation_messages import pydantic_error
from programmes.camps import camps, materials, registrations
from programmes.camps.schemas import CampRead, CancelBody, RegistrationCreate, RegistrationRead
from programmes.camps.tables import CampCertificate, CampRegistration, CampSession
from programmes.content_types import content_disposition
from programmes.workflows.camps import CAMP, REGISTRATION, RegistrationStatus

# At most this many participant rows on the form: a phone screen, and camps rarely allow more per organisation.
PARTICIPANT_ROWS = 5
PARTICIPANT_KEYS = ("name", "position", "mobile")
EVERYTHING = PageParams(limit=MAX_LIMIT)


class CampSchedule(BaseModel):
    """What a camp card shows beside the camp: its first and last day and where it meets."""

    first_day: date | None = None
    last_day: date | None = None
    venues: list[str] = []


async def _schedules(camp_ids: list[int]) -> dict[int, CampSchedule]:
    """Dates and venues of a page of camps, in one query (the camps themselves came from the service)."""
    if not camp_ids:
        return {}
    rows = await CampSession.select(
        CampSession.camp, CampSession.session_date, CampSession.place, CampSession.online_link
    ).where(CampSession.camp.is_in(camp_ids))
    days: dict[int, list[date]] = defaultdict(list)
    venues: dict[int, list[str]] = defaultdict(list)
    for row in rows:
        camp_id = int(row["camp"])
        days[camp_id].append(row["session_date"])
        venue = row["place"].strip() or ("线上" if row["online_link"] else "")
        if venue and venue not in venues[camp_id]:
            venues[camp_id].append(venue)
    return {
        camp_id: CampSchedule(
            first_day=min(days[camp_id]) if days[camp_id] else None,
            last_day=max(days[camp_id]) if days[camp_id] else None,
            venues=venues[camp_id],
        )
        for camp_id in camp_ids
    }


def seats_left(camp: CampRead) -> int:
    return max(camp.capacity - camp.seats_taken, 0)


@get("/camps", opt=page_opt(APPLICANTS))
async def camp_list(request: Request[Any, Any, Any], principal: CurrentPrincipal, paging: Paging) -> Template:
    page = await camps.list_camps(principal, paging)  # the service of GET /camps: announced camps, newest first
    return render(
        request,
        "camps/list.html",
        title="训练营",
        camps=page.items,
        schedules=await _schedules([c.id for c in page.items]),
        seats_left=seats_left,
        total=page.total,
        next_offset=next_offset(paging, page.has_more),
        limit=paging.limit,
    )


async def _organisation_names(principal: Principal) -> dict[int, str]:
    """The organisations the caller acts for (its own and the groups in its custody), by id."""
    ids = await acting_organisation_ids(principal.user_id)
    if not ids:
        return {}
    rows = await Organisation.select(Organisation.id, Organisation.name).where(Organisation.id.is_in(ids))
    return {int(r["id"]): r["name"] for r in sorted(rows, key=lambda r: int(r["id"]))}


async def _live_registrations(principal: Principal, camp_id: int, organisations: Iterable[int]) -> list[Any]:
    """The caller's organisations' live registrations of this camp, read through the API's registration read."""
    ids = list(organisations)
    if not ids:
        return []
    rows = (
        await CampRegistration.select(CampRegistration.id)
        .where(
            (CampRegistration.camp == camp_id)
            & CampRegistration.organisation.is_in(ids)
            & CampRegistration.status.is_in(REGISTRATION.states_with("live"))
        )
        .order_by(CampRegistration.id)
    )
    return [await registrations.read_for(principal, int(r["id"])) for r in rows]


async def _camp_page(
    request: Request[Any, Any, Any],
    principal: Principal,
    camp_id: int,
    paging: PageParams,
    *,
    values: Mapping[str, str] | None = None,
    errors: FieldErrors | None = None,
    status: int = 200,
) -> Template:
    camp = await camps.read_for(principal, camp_id)  # GET /camps/{id}: a draft of nobody's scope is the 404
    sessions = await camps.list_sessions(principal, camp_id, paging)
    files = await materials.list_for(principal, camp_id, EVERYTHING)
    organisations = await _organisation_names(principal)
    mine = await _live_registrations(principal, camp_id, organisations)
    registered = {r.organisation_id for r in mine}
    # GET /camps/{id}/eligibility for each organisation that has not registered yet: the audience rule in words.
    verdicts = {
        org_id: await registrations.eligibility(principal, camp_id, org_id)
        for org_id in organisations
        if org_id not in registered
    }
    return render(
        request,
        "camps/detail.html",
        status=status,
        title=camp.title,
        camp=camp,
        seats_left=seats_left(camp),
        registrable=CAMP.has(camp.status, "registrable"),
        sessions=sessions.items,
        next_offset=next_offset(paging, sessions.has_more),
        limit=paging.limit,
        materials=files.items,
        organisations=organisations,
        verdicts=verdicts,
        mine=mine,
        rows=range(min(camp.max_participants_per_registration, PARTICIPANT_ROWS)),
        values=values or {},
        errors=errors or {},
    )


@get("/camps/{camp_id:int}", opt=page_opt(APPLICANTS))
async def camp_detail(
    request: Request[Any, Any, Any], principal: CurrentPrincipal, camp_id: FromPath[int], paging: Paging
) -> Template:
    return await _camp_page(request, principal, camp_id, paging)


def _as_id(text: str) -> int | str:
    # A form posts text; the API's body carries a JSON integer. Anything else goes through as typed so that the
    # API's model refuses it with its own message.
    return int(text) if text.isdigit() and len(text) < 11 else text


def registration_body(form: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
    """The body POST /camps/{id}/registrations would carry, and the values to show again. A participant row left
    wholly blank is no participant (the form offers more rows than most organisations fill)."""
    values = {name: str(value).strip() for name, value in form.items() if isinstance(value, str)}
    people = []
    for index in range(MAX_LIMIT):
        row = {key: values.get(f"participants.{index}.{key}", "") for key in PARTICIPANT_KEYS}
        if f"participants.{index}.name" not in values:
            break
        if any(row.values()):
            people.append(row)
    return {"organisation_id": _as_id(values.get("organisation_id", "")), "participants": people}, values


def _field_errors(problems: Iterable[tuple[str, str]]) -> FieldErrors:
    errors: FieldErrors = {}
    for field, message in problems:
        errors.setdefault(field or "", message)
    return errors


@post("/camps/{camp_id:int}/register", opt=page_opt(APPLICANTS), status_code=303)
async def camp_register(
    request: Request[Any, Any, Any], principal: CurrentPrincipal, camp_id: FromPath[int]
) -> Response[Any]:
    body, values = registration_body(await request.form())
    try:
        data = RegistrationCreate.model_validate(body)
        registration = await registrations.register(principal, camp_id, data)  # POST /camps/{id}/registrations
    except ValidationError as exc:
        errors = _field_errors((p["field"], p["message"]) for p in map(pydantic_error, exc.errors()))
        return await _camp_page(request, principal, camp_id, PageParams(), values=values, errors=errors, status=422)
    except DomainError as error:
        if error.status == 404:
            raise
        errors = _field_errors((e.field or "", e.message) for e in error.errors) or {"": error.detail}
        errors.setdefault("", error.detail)
        page = await _camp_page(
            request, principal, camp_id, PageParams(), values=values, errors=errors, status=error.status
        )
        page.headers.update(error.headers)
        return page
    response = Redirect(f"/portal/camps/registrations/{registration.id}", status_code=303)
    leave_notice(response, registered_notice(registration))
    return response


def registered_notice(registration: RegistrationRead) -> str:
    if registration.status == RegistrationStatus.waitlisted:
        return f"名额已满，已进入候补名单（第 {registration.waitlist_position} 位），有名额空出时将自动转正并通知您"
    return "报名成功，已获得名额"


@get("/camps/mine", opt=page_opt(APPLICANTS))
async def my_registrations(request: Request[Any, Any, Any], principal: CurrentPrincipal, paging: Paging) -> Template:
    page = await registrations.mine(principal, paging)  # the service of GET /camps/my/registrations
    return render(
        request,
        "camps/mine.html",
        title="我的训练营报名",
        registrations=page.items,
        total=page.total,
        next_offset=next_offset(paging, page.has_more),
        limit=paging.limit,
    )


async def registration_page(
    request: Request[Any, Any, Any],
    principal: Principal,
    registration_id: int,
    *,
    errors: FieldErrors | None = None,
    status: int = 200,
) -> Template:
    # GET /camps/registrations/{id}: another organisation's registration is the uniform 404.
    registration = await registrations.read_for(principal, registration_id)
    sessions = await camps.list_sessions(principal, registration.camp_id, EVERYTHING)
    certificate = await CampCertificate.exists().where(CampCertificate.registration == registration_id)
    return render(
        request,
        "camps/registration.html",
        status=status,
        title=f"报名：{registration.camp_title}",
        registration=registration,
        sessions=sessions.items,
        holds_seat=REGISTRATION.has(registration.status, "holds_seat"),
        cancellable=REGISTRATION.has(registration.status, "live"),
        certificate=bool(certificate),
        checkin_margin=get_settings().checkin_margin_minutes,  # only to say the window; the service applies it
        errors=errors or {},
    )


@get("/camps/registrations/{registration_id:int}", opt=page_opt(APPLICANTS))
async def registration_detail(
    request: Request[Any, Any, Any], principal: CurrentPrincipal, registration_id: FromPath[int]
) -> Template:
    return await registration_page(request, principal, registration_id)


@post("/camps/registrations/{registration_id:int}/cancel", opt=page_opt(APPLICANTS), status_code=303)
async def registration_cancel(
    request: Request[Any, Any, Any], principal: CurrentPrincipal, registration_id: FromPath[int]
) -> Response[Any]:
    form = await request.form()
    try:
        data = CancelBody.model_validate({"reason": str(form.get("reason", ""))})
        await registrations.cancel(principal, registration_id, data.reason)  # POST …/registrations/{id}/cancel
    except ValidationError as exc:
        errors = _field_errors((p["field"], p["message"]) for p in map(pydantic_error, exc.errors()))
        return await registration_page(request, principal, registration_id, errors=errors, status=422)
    except DomainError as error:
        if error.status == 404:
            raise
        return await registration_page(
            request, principal, registration_id, errors={"": error.detail}, status=error.status
        )
    response = Redirect(f"/portal/camps/registrations/{registration_id}", status_code=303)
    leave_notice(response, "报名已取消")
    return response


@get("/camps/materials/{material_id:int}", opt=page_opt(APPLICANTS))
async def material_download(principal: CurrentPrincipal, material_id: FromPath[int]) -> Stream:
    meta, chunks = await materials.download(principal, material_id)  # the service of GET /camps/materials/{id}
    return Stream(
        chunks,
        media_type=meta.content_type,
        headers={
            "Content-Disposition": content_disposition(meta.filename),
            "Content-Length": str(meta.size_bytes),
            "X-Content-Type-Options": "nosniff",
        },
    )


CAMP_PAGES = [
    camp_list,
    my_registrations,
    camp_detail,
    camp_register,
    registration_detail,
    registration_cancel,
    material_download,
]
