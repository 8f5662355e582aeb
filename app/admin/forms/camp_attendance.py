"""Piccolo Admin forms for camp attendance: correct a registration's attendance at a session (with a reason,
audited) and issue the completion certificates of a camp — each through the API's service and rules (district
scope included)."""

from __future__ import annotations

from typing import Literal

from piccolo_admin.endpoints import FormConfig
from pydantic import Field
from starlette.requests import Request

from app.admin.forms.common import as_officer, validated
from app.admin.picks import picked
from app.auth.principal import Principal
from app.types import FormId, RequestModel


class AttendanceCorrectionForm(RequestModel):
    session_id: FormId = picked("camp_session", title="场次")
    registration_id: FormId = Field(title="报名编号")
    attendance: Literal["出勤", "缺勤"] = Field(title="更正为")
    reason: str = Field(min_length=2, max_length=500, title="更正理由", description="必填，记入审计日志")


class CertificateIssueForm(RequestModel):
    camp_id: FormId = picked("camp", title="训练营")


async def _correct(request: Request, data: AttendanceCorrectionForm) -> str:
    from programmes.camps.attendance import correct_attendance
    from programmes.camps.schemas_attendance import AttendanceCorrection

    async def work(principal: Principal) -> str:
        body = validated(AttendanceCorrection, {"present": data.attendance == "出勤", "reason": data.reason})
        done = await correct_attendance(principal, data.session_id, data.registration_id, body)
        return f"{done.organisation_name} 在场次 {done.session_id} 的出勤已更正为{data.attendance}"

    return await as_officer(request, work)


async def _issue(request: Request, data: CertificateIssueForm) -> str:
    from programmes.camps.certificates import issue_for_camp

    async def work(principal: Principal) -> str:
        done = await issue_for_camp(principal, data.camp_id)
        return f"新发结业证书 {done.issued} 张（共 {done.total} 张；未达结业要求 {done.not_completed} 个报名）"

    return await as_officer(request, work)


CAMP_ATTENDANCE_FORMS = [
    FormConfig(
        "更正训练营出勤",
        AttendanceCorrectionForm,
        _correct,
        description="与 PUT /camps/sessions/{id}/attendance/{registration_id} 同一规则：须填理由，留痕",
        form_group="训练营",
    ),
    FormConfig(
        "发放结业证书",
        CertificateIssueForm,
        _issue,
        description="按训练营的结业出勤比例发证；可重复执行，只补发新达标的报名",
        form_group="训练营",
    ),
]
