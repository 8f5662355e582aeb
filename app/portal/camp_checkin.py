"""签到 on a phone: the participant's organisation enters the trainer's session code (or opens the link the QR code
on the trainer's screen carries, which fills it in) and is checked in through the API's check-in service, whose
window, code and rate-limit rules are the only ones; and the completion certificate's PDF once one is issued."""

from __future__ import annotations

from typing import Any

from litestar import Request, Response, get, post
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template
from pydantic import ValidationError

from app.auth.principal import APPLICANTS, CurrentPrincipal, Principal
from app.errors import DomainError
from app.portal.fields import FieldErrors
from app.portal.frame import beijing, leave_notice, page_opt, render
from app.validation_messages import pydantic_error
from programmes.camps import certificates, checkin
from programmes.camps.attendance import camp_of, participant_session
from programmes.camps.schemas_attendance import CheckinRequest
from programmes.camps.tables import CampSession
from programmes.content_types import content_disposition

CHECKIN_FIELDS = ("code", "registration_id")


def checkin_path(session_id: int) -> str:
    """The check-in page of a session; the trainer's QR code links here with ``?code=`` (programmes.camps.qr)."""
    return f"/portal/camps/sessions/{session_id}/checkin"


def _registration_of(text: str) -> int | str | None:
    # Empty: "my organisation's only registration" (the API's default); digits: the JSON integer the API expects;
    # anything else as typed, for the API's model to refuse in its own words.
    if not text:
        return None
    return int(text) if text.isdigit() and len(text) < 11 else text


async def _checkin_page(
    request: Request[Any, Any, Any],
    principal: Principal,
    session_id: int,
    *,
    code: str,
    registration: str,
    errors: FieldErrors | None = None,
    status: int = 200,
) -> Template:
    errors = dict(errors or {})
    chosen = _registration_of(registration)
    try:
        # The check-in service's own reach: a session of a camp where the caller's organisation holds no seat is
        # the uniform 404, whether or not it exists.
        session, seat = await participant_session(principal, session_id, chosen if isinstance(chosen, int) else None)
        registration_id: int | None = int(seat["id"])
    except DomainError as error:
        if error.status == 404:
            raise
        # Several of the caller's organisations hold a seat in this camp: the page asks which one checks in.
        errors.setdefault("", error.detail)
        found = await CampSession.select().where(CampSession.id == session_id).first()
        assert found is not None  # participant_session found it before refusing the ambiguity
        session, registration_id = dict(found), None
    camp = await camp_of(session)
    return render(
        request,
        "camps/checkin.html",
        status=status,
        title=f"签到：{session['title']}",
        session=session,
        camp=camp,
        code=code,
        registration_id=registration_id,
        errors=errors,
        action=checkin_path(session_id),
    )


@get("/camps/sessions/{session_id:int}/checkin", opt=page_opt(APPLICANTS))
async def checkin_form(
    request: Request[Any, Any, Any],
    principal: CurrentPrincipal,
    session_id: FromPath[int],
    code: FromQuery[str] = "",
    registration: FromQuery[str] = "",
) -> Template:
    # A GET changes nothing: the QR link only fills the code in; the participant still presses 签到.
    return await _checkin_page(request, principal, session_id, code=code.strip()[:12], registration=registration)


@post("/camps/sessions/{session_id:int}/checkin", opt=page_opt(APPLICANTS), status_code=303)
async def checkin_submit(
    request: Request[Any, Any, Any], principal: CurrentPrincipal, session_id: FromPath[int]
) -> Response[Any]:
    form = await request.form()
    code, registration = (str(form.get(name, "")).strip() for name in CHECKIN_FIELDS)
    try:
        data = CheckinRequest.model_validate({"code": code, "registration_id": _registration_of(registration)})
        attendance = await checkin.check_in(principal, session_id, data)  # POST /camps/sessions/{id}/checkin
    except ValidationError as exc:
        errors: FieldErrors = {}
        for problem in map(pydantic_error, exc.errors()):
            errors.setdefault(problem["field"] if problem["field"] in CHECKIN_FIELDS else "", problem["message"])
        return await _checkin_page(
            request, principal, session_id, code=code, registration=registration, errors=errors, status=422
        )
    except DomainError as error:
        if error.status == 404:
            raise
        errors = {e.field: e.message for e in error.errors if e.field in CHECKIN_FIELDS} or {"": error.detail}
        page = await _checkin_page(
            request, principal, session_id, code=code, registration=registration, errors=errors, status=error.status
        )
        page.headers.update(error.headers)  # Retry-After after too many wrong codes
        return page
    response = Redirect(f"/portal/camps/registrations/{attendance.registration_id}", status_code=303)
    leave_notice(response, f"签到成功（{beijing(attendance.checked_in_at)}）")
    return response


@get("/camps/registrations/{registration_id:int}/certificate.pdf", opt=page_opt(APPLICANTS))
async def certificate_download(
    request: Request[Any, Any, Any], principal: CurrentPrincipal, registration_id: FromPath[int]
) -> Response[bytes]:
    # The service of GET /camps/registrations/{id}/certificate.pdf: no certificate yet, or another organisation's
    # registration, is the uniform 404.
    filename, pdf = await certificates.certificate_pdf(principal, registration_id, str(request.base_url))
    return Response(
        pdf,
        media_type="application/pdf",
        headers={"Content-Disposition": content_disposition(filename), "Cache-Control": "no-store"},
    )


CHECKIN_PAGES = [checkin_form, checkin_submit, certificate_download]
