"""Completion certificates (结业证书): an officer issues them for a camp; each seat-holding registration whose
attendance meets the camp's rule (``completion_min_percent`` of its sessions) gets one, with a verification code
anyone can check at ``GET /certificates/{code}``. Issuing again adds only the newly completed (one certificate per
registration: a unique column), so it is safe to repeat.

The public check shows what the certificate shows (organisation, participants' names, camp, dates) and nothing
else: no mobile numbers, no registration ids.
"""

from __future__ import annotations

from typing import Any

from piccolo.query.functions.aggregate import Count

from app.access import load
from app.auth.principal import Principal
from app.errors import not_found
from app.notifications.service import notify_organisations
from app.paging import Page, PageParams, fetch_page
from app.timezone import now_utc, shown
from app.uow import unit_of_work
from app.workflow.engine import Actor
from programmes.camps import attendance_rules as rules
from programmes.camps.attendance import organisation_names, registration_for
from programmes.camps.certificate_pdf import CertificateFacts, render_certificate
from programmes.camps.kinds import CAMP_KIND_LABELS_ZH
from programmes.camps.schemas_attendance import CertificateCheck, CertificateIssueResult, CertificateRead
from programmes.camps.tables import Camp, CampCertificate, CampRegistration, CampSession, SessionAttendance
from programmes.workflows.camps import RegistrationStatus

LABEL = "证书"
CAMP_LABEL = "训练营"


def _participant_names(registration: dict[str, Any]) -> list[str]:
    people = registration.get("participants") or []
    return [str(person.get("name", "")) for person in people if isinstance(person, dict) and person.get("name")]


async def _attended_counts(camp_id: int) -> dict[int, int]:
    rows = (
        await SessionAttendance.select(SessionAttendance.registration, Count(alias="n"))
        .where(
            SessionAttendance.session.camp == camp_id,
            SessionAttendance.checked_in_at.is_not_null(),
        )
        .group_by(SessionAttendance.registration)
    )
    return {int(r["registration"]): int(r["n"]) for r in rows}


async def issue_for_camp(principal: Principal, camp_id: int) -> CertificateIssueResult:
    """Certificates for every registration of the camp that has completed it (officers in the camp's scope)."""
    async with unit_of_work(Actor.of(principal)) as uow:
        camp = await load(principal, Camp, camp_id, lock=True)
        total_sessions = await CampSession.count().where(CampSession.camp == camp_id)
        attended = await _attended_counts(camp_id)
        registrations = await CampRegistration.select(CampRegistration.id).where(
            CampRegistration.camp == camp_id, CampRegistration.status == RegistrationStatus.registered
        )
        done = {
            int(r["id"])
            for r in registrations
            if rules.completes(attended.get(int(r["id"]), 0), int(total_sessions), int(camp["completion_min_percent"]))
        }
        have = {
            int(r["registration"])
            for r in await CampCertificate.select(CampCertificate.registration).where(
                CampCertificate.registration.is_in(list(done)) if done else CampCertificate.id < 0
            )
        }
        moment = now_utc()
        fresh = [
            CampCertificate(
                registration=registration_id,
                verification_code=rules.new_verification_code(),
                issued_at=moment,
                scope_district=camp["scope_district"],
            )
            for registration_id in sorted(done - have)
        ]
        if fresh:
            await CampCertificate.insert(*fresh)
            organisations = await CampRegistration.select(CampRegistration.id, CampRegistration.organisation).where(
                CampRegistration.id.is_in([c.registration for c in fresh])
            )
            for row in organisations:
                # Same transaction: no certificate without its notice (one per registration: the dedupe key).
                await notify_organisations(
                    [int(row["organisation"])],
                    "camp_certificate",
                    "训练营结业证书已发放",
                    f"您单位已完成「{camp['title']}」，结业证书可在报名详情中下载。",
                    f"camp_certificate:{row['id']}",
                )
        await uow.audit("camp.certificates.issue", "camp", camp_id, after={"issued": len(fresh)})
        total = await CampCertificate.count().where(CampCertificate.registration.camp == camp_id)
    return CertificateIssueResult(
        camp_id=camp_id, issued=len(fresh), total=int(total), not_completed=len(registrations) - len(done)
    )


async def list_for_camp(principal: Principal, camp_id: int, params: PageParams) -> Page[CertificateRead]:
    await load(principal, Camp, camp_id)
    page = await fetch_page(
        CampCertificate,
        CampCertificate.select().order_by(CampCertificate.id),
        params,
        CampCertificate.registration.camp == camp_id,
    )
    ids = [int(r["registration"]) for r in page.items]
    registrations = {
        int(r["id"]): dict(r)
        for r in (
            await CampRegistration.select().where(CampRegistration.id.is_in(ids)).output(load_json=True) if ids else []
        )
    }
    names = await organisation_names([int(r["organisation"]) for r in registrations.values()])
    return page.map([_read(row, registrations[int(row["registration"])], names) for row in page.items])


def _read(row: dict[str, Any], registration: dict[str, Any], names: dict[int, str]) -> CertificateRead:
    return CertificateRead(
        id=row["id"],
        registration_id=registration["id"],
        organisation_name=names.get(int(registration["organisation"]), ""),
        participants=_participant_names(registration),
        verification_code=row["verification_code"],
        issued_at=row["issued_at"],
        pdf_url=f"/camps/registrations/{registration['id']}/certificate.pdf",
    )


async def _facts_of(certificate: dict[str, Any]) -> CertificateCheck:
    registration = (
        await CampRegistration.select()
        .where(CampRegistration.id == certificate["registration"])
        .output(load_json=True)
        .first()
    )
    assert registration is not None  # a certificate's registration is a NOT NULL foreign key
    camp = await Camp.select().where(Camp.id == registration["camp"]).first()
    assert camp is not None
    days = await CampSession.select(CampSession.session_date).where(CampSession.camp == camp["id"])
    dates = sorted(d["session_date"] for d in days)
    names = await organisation_names([int(registration["organisation"])])
    issued_day = shown(certificate["issued_at"]).date()
    return CertificateCheck(
        valid=True,
        verification_code=certificate["verification_code"],
        organisation_name=names.get(int(registration["organisation"]), ""),
        participants=_participant_names(dict(registration)),
        camp_title=camp["title"],
        camp_kind=CAMP_KIND_LABELS_ZH.get(camp["kind"], camp["kind"]),
        first_day=dates[0] if dates else issued_day,
        last_day=dates[-1] if dates else issued_day,
        issued_at=certificate["issued_at"],
    )


async def verify(code: str) -> CertificateCheck:
    """The public check of a verification code (anyone, no login)."""
    wanted = code.strip().upper()
    # Any text that is not a stored code is the same "not found", whatever its length.
    row = (
        await CampCertificate.select().where(CampCertificate.verification_code == wanted).first()
        if 0 < len(wanted) <= 32
        else None
    )
    if row is None:
        raise not_found(LABEL)
    return await _facts_of(dict(row))


async def certificate_pdf(principal: Principal, registration_id: int, base_url: str) -> tuple[str, bytes]:
    """The PDF of a registration's certificate, for its organisation or staff in scope."""
    await registration_for(principal, registration_id)
    row = await CampCertificate.select().where(CampCertificate.registration == registration_id).first()
    if row is None:
        raise not_found(LABEL)
    facts = await _facts_of(dict(row))
    attended = await SessionAttendance.count().where(
        SessionAttendance.registration == registration_id, SessionAttendance.checked_in_at.is_not_null()
    )
    camp_id = (await CampRegistration.select(CampRegistration.camp).where(CampRegistration.id == registration_id))[0]
    total = await CampSession.count().where(CampSession.camp == camp_id["camp"])
    pdf = render_certificate(
        CertificateFacts(
            organisation=facts.organisation_name,
            participant="、".join(facts.participants),
            camp=facts.camp_title,
            camp_kind=facts.camp_kind,
            first_day=facts.first_day,
            last_day=facts.last_day,
            sessions_attended=int(attended),
            sessions_total=int(total),
            verification_code=facts.verification_code,
            verify_url=f"{base_url.rstrip('/')}/certificates/{facts.verification_code}",
            issued_on=shown(facts.issued_at).date(),
        )
    )
    return f"certificate-{facts.verification_code}.pdf", pdf
