"""Routes for check-in codes, attendance, certificates and feedback of camp sessions."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, Response, get, post, put
from litestar.di import Provide
from litestar.params import FromPath, JSONBody, Parameter

from app.auth.principal import APPLICANTS, APPLICANTS_AND_STAFF, PUBLIC, STAFF, CurrentPrincipal, provide_principal
from app.paging import Paging, page_response
from programmes.camps import attendance, certificates, checkin, feedback
from programmes.camps.schemas_attendance import (
    AttendanceCorrection,
    AttendanceRead,
    CampFeedbackSummary,
    CertificateCheck,
    CertificateIssueResult,
    CertificateRead,
    CheckinCodeRead,
    CheckinRequest,
    FeedbackCreate,
    FeedbackRead,
)
from programmes.content_types import content_disposition

PNG = "image/png"
PDF = "application/pdf"


class CampAttendanceController(Controller):
    tags = ["camps"]
    dependencies = {"principal": Provide(provide_principal)}

    @post(
        "/camps/sessions/{camp_session_id:int}/checkin-code",
        opt={"permission": STAFF},
        summary="Issue the session's check-in code (6 digits, shown once; replaces the previous one)",
        status_code=201,
    )
    async def issue_code(self, principal: CurrentPrincipal, camp_session_id: FromPath[int]) -> CheckinCodeRead:
        return await checkin.issue_code(principal, camp_session_id)

    @get(
        "/camps/sessions/{camp_session_id:int}/checkin-code.png",
        opt={"permission": STAFF},
        summary="The current check-in code as a QR code image (PNG): a link to the portal's check-in page",
        media_type=PNG,
    )
    async def code_png(
        self,
        principal: CurrentPrincipal,
        camp_session_id: FromPath[int],
        code: Annotated[str, Parameter(min_length=1, max_length=12, description="当前签到码")],
        request: Request[Any, Any, Any],
    ) -> Response[bytes]:
        # The QR code links to the portal's check-in page at the address this screen reached the app at.
        png = await checkin.code_png(principal, camp_session_id, code, str(request.base_url))
        return Response(png, media_type=PNG, headers={"Cache-Control": "no-store"})

    @post(
        "/camps/sessions/{camp_session_id:int}/checkin",
        opt={"permission": APPLICANTS},
        summary="Check in at a session with its code, within the session's window (idempotent)",
        status_code=200,
    )
    async def check_in(
        self, principal: CurrentPrincipal, camp_session_id: FromPath[int], data: JSONBody[CheckinRequest]
    ) -> AttendanceRead:
        return await checkin.check_in(principal, camp_session_id, data)

    @get(
        "/camps/sessions/{camp_session_id:int}/attendance",
        opt={"permission": STAFF},
        summary="Who attended a session: every seat-holding registration of its camp",
    )
    async def list_attendance(
        self,
        principal: CurrentPrincipal,
        camp_session_id: FromPath[int],
        paging: Paging,
        request: Request[Any, Any, Any],
    ) -> Response[list[AttendanceRead]]:
        return page_response(await attendance.list_attendance(principal, camp_session_id, paging), request)

    @put(
        "/camps/sessions/{camp_session_id:int}/attendance/{camp_registration_id:int}",
        opt={"permission": STAFF},
        summary="Correct a registration's attendance at a session, with a reason (audited)",
    )
    async def correct(
        self,
        principal: CurrentPrincipal,
        camp_session_id: FromPath[int],
        camp_registration_id: FromPath[int],
        data: JSONBody[AttendanceCorrection],
    ) -> AttendanceRead:
        return await attendance.correct_attendance(principal, camp_session_id, camp_registration_id, data)

    @post(
        "/camps/{camp_id:int}/certificates",
        opt={"permission": STAFF},
        summary="Issue certificates to every registration that met the camp's completion rule (repeatable)",
        status_code=200,
    )
    async def issue_certificates(self, principal: CurrentPrincipal, camp_id: FromPath[int]) -> CertificateIssueResult:
        return await certificates.issue_for_camp(principal, camp_id)

    @get("/camps/{camp_id:int}/certificates", opt={"permission": STAFF}, summary="A camp's certificates")
    async def list_certificates(
        self, principal: CurrentPrincipal, camp_id: FromPath[int], paging: Paging, request: Request[Any, Any, Any]
    ) -> Response[list[CertificateRead]]:
        return page_response(await certificates.list_for_camp(principal, camp_id, paging), request)

    @get(
        "/camps/registrations/{camp_registration_id:int}/certificate.pdf",
        opt={"permission": APPLICANTS_AND_STAFF},
        summary="A registration's certificate as PDF (its organisation, or staff in scope)",
        media_type=PDF,
    )
    async def certificate_pdf(
        self, principal: CurrentPrincipal, camp_registration_id: FromPath[int], request: Request[Any, Any, Any]
    ) -> Response[bytes]:
        filename, pdf = await certificates.certificate_pdf(principal, camp_registration_id, str(request.base_url))
        return Response(pdf, media_type=PDF, headers={"Content-Disposition": content_disposition(filename)})

    @post(
        "/camps/sessions/{camp_session_id:int}/feedback",
        opt={"permission": APPLICANTS},
        summary="Rate a session attended (1–5, comment), once per registration",
        status_code=201,
    )
    async def give_feedback(
        self, principal: CurrentPrincipal, camp_session_id: FromPath[int], data: JSONBody[FeedbackCreate]
    ) -> FeedbackRead:
        return await feedback.give_feedback(principal, camp_session_id, data)

    @get(
        "/camps/{camp_id:int}/feedback-summary",
        opt={"permission": STAFF},
        summary="Ratings of a camp overall, per session and per trainer",
    )
    async def feedback_summary(self, principal: CurrentPrincipal, camp_id: FromPath[int]) -> CampFeedbackSummary:
        return await feedback.camp_summary(principal, camp_id)


class CertificateCheckController(Controller):
    tags = ["camps"]

    @get(
        "/certificates/{code:str}",
        opt={"permission": PUBLIC},
        summary="Check a certificate's verification code (public: only what the certificate shows)",
    )
    async def verify(self, code: FromPath[str]) -> CertificateCheck:
        return await certificates.verify(code)
