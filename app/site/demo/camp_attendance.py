"""Demo attendance on the demo camp (app/site/demo/camps.py): of its two held sessions, the first registration
(阳光) attended both and the others the first only (recorded by the officer, as after a paper sign-in sheet); 阳光
rated the first session."""

from __future__ import annotations

from app.auth.principal import Principal


async def load_demo_attendance(officer: Principal, applicant: Principal, camp_id: int) -> None:
    from programmes.camps.attendance import correct_attendance
    from programmes.camps.feedback import give_feedback
    from programmes.camps.schemas_attendance import AttendanceCorrection, FeedbackCreate
    from programmes.camps.tables import CampRegistration, CampSession

    sessions = (
        await CampSession.select(CampSession.id)
        .where(CampSession.camp == camp_id)
        .order_by(CampSession.session_date)
        .order_by(CampSession.id)
    )
    registrations = (
        await CampRegistration.select(CampRegistration.id)
        .where(CampRegistration.camp == camp_id, CampRegistration.status == "registered")
        .order_by(CampRegistration.id)
    )
    for n, registration in enumerate(registrations):
        for session in sessions[: 2 if n == 0 else 1]:
            await correct_attendance(
                officer,
                int(session["id"]),
                int(registration["id"]),
                AttendanceCorrection(present=True, reason="演示数据：按纸质签到表补录"),
            )
    if sessions:
        await give_feedback(
            applicant, int(sessions[0]["id"]), FeedbackCreate(rating=5, comment="案例讲解很实用，希望多安排练习。")
        )
